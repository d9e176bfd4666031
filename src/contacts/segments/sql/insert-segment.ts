import type { Queryable } from '../../../db/index.js';
import type { FilterNode } from '../filter-schema.js';
import { SEGMENT_COLS, type SegmentRow } from './segment-row.js';

export async function insertSegment(
  db: Queryable,
  s: { accountId: string; id: string; listId: string; name: string; filter: FilterNode },
): Promise<SegmentRow> {
  const { rows } = await db.query<SegmentRow>(
    `INSERT INTO segments (account_id, id, list_id, name, filter) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING ${SEGMENT_COLS}`,
    [s.accountId, s.id, s.listId, s.name, JSON.stringify(s.filter)],
  );
  return rows[0]!;
}
