import type { Queryable } from '../../../db/index.js';
import { SEGMENT_COLS, type SegmentRow } from './segment-row.js';

/** A live segment of a live list: deleting a list hides its segments too. */
export async function getSegment(db: Queryable, accountId: string, id: string): Promise<SegmentRow | undefined> {
  const { rows } = await db.query<SegmentRow>(
    `SELECT ${SEGMENT_COLS} FROM segments s WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL
       AND EXISTS (SELECT 1 FROM lists l WHERE l.account_id = s.account_id AND l.id = s.list_id AND l.deleted_at IS NULL)`,
    [accountId, id],
  );
  return rows[0];
}
