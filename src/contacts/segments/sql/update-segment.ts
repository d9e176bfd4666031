import type { Queryable } from '../../../db/index.js';
import type { FilterNode } from '../filter-schema.js';
import { SEGMENT_COLS, type SegmentRow } from './segment-row.js';

export async function updateSegment(
  db: Queryable,
  accountId: string,
  id: string,
  p: { name?: string; filter?: FilterNode },
): Promise<SegmentRow | undefined> {
  const { rows } = await db.query<SegmentRow>(
    `UPDATE segments SET name = coalesce($3, name), filter = coalesce($4::jsonb, filter), updated_at = now()
     WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${SEGMENT_COLS}`,
    [accountId, id, p.name ?? null, p.filter ? JSON.stringify(p.filter) : null],
  );
  return rows[0];
}
