import type { Queryable } from '../../../db/index.js';

/** Soft delete: flows that entered contacts from this segment keep a name to show. */
export async function deleteSegment(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE segments SET deleted_at = now() WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [accountId, id],
  );
  return rowCount === 1;
}
