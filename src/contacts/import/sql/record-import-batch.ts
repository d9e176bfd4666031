import type { Queryable } from '../../../db/index.js';

export interface BatchCounts {
  rows: number;
  inserted: number;
  updated: number;
  rejected: number;
}

/**
 * Adds a batch to the progress counters, in the batch's own transaction. Guarded by the row count
 * the batch started from: if another worker moved on meanwhile (this one lost its lease), nothing
 * matches, the caller rolls back and no row is counted twice.
 */
export async function recordImportBatch(
  db: Queryable,
  accountId: string,
  id: string,
  fromRows: number,
  c: BatchCounts,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE imports SET rows = rows + $4, inserted = inserted + $5, updated = updated + $6, rejected = rejected + $7
     WHERE account_id = $1 AND id = $2 AND rows = $3 AND status = 'running'`,
    [accountId, id, fromRows, c.rows, c.inserted, c.updated, c.rejected],
  );
  return rowCount === 1;
}
