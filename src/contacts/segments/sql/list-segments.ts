import type { Queryable } from '../../../db/index.js';
import { SEGMENT_COLS, type SegmentRow } from './segment-row.js';

export async function listSegments(db: Queryable, accountId: string, listId: string): Promise<SegmentRow[]> {
  const { rows } = await db.query<SegmentRow>(
    `SELECT ${SEGMENT_COLS} FROM segments WHERE account_id = $1 AND list_id = $2 AND deleted_at IS NULL ORDER BY created_at, id`,
    [accountId, listId],
  );
  return rows;
}
