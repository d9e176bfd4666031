import type { Queryable } from '../../db/index.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { invalid, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { getAccount } from '../../accounts/index.js';
import { fieldMap } from '../fields.js';
import { getList, type ListRow } from '../sql/lists.js';
import { contactView } from '../contacts.js';
import { validateFilter, type FilterNode } from './filter-schema.js';
import { compileFilter, type CompileContext } from './filter-to-sql.js';
import { TRUE_FRAGMENT, type SqlFragment } from './sql-fragment.js';
import { afterCursor, decodeCursor, encodeCursor, orderBy, type Sort } from './sort-cursor.js';
import { ensureIndexesInBackground, indexesFor } from './index-builder.js';
import { countContacts } from './sql/count-contacts.js';
import { searchContacts } from './sql/search-contacts.js';
import { getSegment } from './sql/get-segment.js';
import { insertSegment } from './sql/insert-segment.js';
import { updateSegment } from './sql/update-segment.js';
import type { SegmentRow } from './sql/segment-row.js';

/** What segment logic needs of the app: `db` must be the pool (index builds run outside transactions). */
export interface SegmentDeps {
  pool: Queryable;
  log: Logger;
  clock: Clock;
}

export async function requireList(db: Queryable, accountId: string, listId: string): Promise<ListRow> {
  const list = await getList(db, accountId, listId);
  if (!list) throw notFound('list');
  return list;
}

export async function requireSegment(db: Queryable, accountId: string, id: string): Promise<SegmentRow> {
  const segment = await getSegment(db, accountId, id);
  if (!segment) throw notFound('segment');
  return segment;
}

/**
 * The filter a request asks for: an inline `filter`, a saved segment's (`segment_id`), or none.
 * A saved filter is validated again: the list may have lost a field since it was saved.
 */
export async function resolveFilter(
  db: Queryable,
  accountId: string,
  list: ListRow,
  input: { filter?: unknown; segment_id?: string },
): Promise<FilterNode | undefined> {
  const hasFilter = input.filter !== undefined && input.filter !== null;
  if (hasFilter && input.segment_id !== undefined) throw invalid('segment_id', 'give either filter or segment_id, not both');
  if (hasFilter) return validateFilter(list, input.filter);
  if (input.segment_id === undefined) return undefined;
  const segment = await requireSegment(db, accountId, input.segment_id);
  if (segment.list_id !== list.id) throw invalid('segment_id', `segment ${segment.id} belongs to another list`);
  return validateFilter(list, segment.filter);
}

/** The WHERE fragment of a filter, with "today" taken in the account's time zone. */
export async function whereFor(deps: SegmentDeps, list: ListRow, filter: FilterNode | undefined): Promise<SqlFragment> {
  if (!filter) return TRUE_FRAGMENT;
  const account = await getAccount(deps.pool, list.account_id);
  const ctx: CompileContext = { fields: fieldMap(list), now: deps.clock.now(), timezone: account?.timezone ?? 'UTC' };
  return compileFilter(filter, ctx);
}

export async function countMatching(deps: SegmentDeps, list: ListRow, filter: FilterNode | undefined): Promise<number> {
  return countContacts(deps.pool, { accountId: list.account_id, listId: list.id }, await whereFor(deps, list, filter));
}

/** A saved segment's live count, its filter checked against the list as it is now. */
export async function countSegment(deps: SegmentDeps, accountId: string, segmentId: string): Promise<number> {
  const segment = await requireSegment(deps.pool, accountId, segmentId);
  const list = await requireList(deps.pool, accountId, segment.list_id);
  return countMatching(deps, list, validateFilter(list, segment.filter));
}

export interface SearchRequest {
  filter?: FilterNode;
  limit: number;
  cursor?: string;
  sort?: { field: string; direction?: 'asc' | 'desc' };
}

export type ContactView = ReturnType<typeof contactView>;

export async function searchMatching(
  deps: SegmentDeps,
  list: ListRow,
  req: SearchRequest,
): Promise<{ contacts: ContactView[]; next_cursor: string | null }> {
  const fields = fieldMap(list);
  const sort = sortOf(fields, req.sort);
  const pos = req.cursor ? decodeCursor(sort, req.cursor) : undefined;
  const { order, value } = orderBy(sort);
  // One row more than asked tells whether another page exists without a second query.
  const rows = await searchContacts(deps.pool, { accountId: list.account_id, listId: list.id }, {
    where: await whereFor(deps, list, req.filter),
    after: pos ? afterCursor(sort, pos) : TRUE_FRAGMENT,
    order, sortValue: value, limit: req.limit + 1,
  });
  const page = rows.slice(0, req.limit);
  const last = page[page.length - 1];
  return {
    contacts: page.map((r) => contactView(r, list)),
    next_cursor: rows.length > req.limit && last ? encodeCursor(sort, { value: last.sort_value, id: last.id }) : null,
  };
}

function sortOf(fields: ReturnType<typeof fieldMap>, requested: SearchRequest['sort']): Sort {
  if (!requested) return { direction: 'asc' };
  const field = fields.get(requested.field);
  if (!field) throw invalid('sort.field', `unknown field "${requested.field}" on this list`);
  return { field, direction: requested.direction ?? 'asc' };
}

export function segmentView(s: SegmentRow): { id: string; list_id: string; name: string; filter: FilterNode; created_at: Date; updated_at: Date } {
  return { id: s.id, list_id: s.list_id, name: s.name, filter: s.filter, created_at: s.created_at, updated_at: s.updated_at };
}

export async function createSegment(deps: SegmentDeps, list: ListRow, input: { name: string; filter: unknown }): Promise<SegmentRow> {
  const filter = validateFilter(list, input.filter);
  const segment = await insertSegment(deps.pool, { accountId: list.account_id, id: newId('seg'), listId: list.id, name: input.name, filter });
  ensureIndexesInBackground(deps.pool, deps.log, indexesFor(list, filter));
  return segment;
}

export async function changeSegment(
  deps: SegmentDeps,
  accountId: string,
  id: string,
  patch: { name?: string; filter?: unknown },
): Promise<SegmentRow> {
  const current = await requireSegment(deps.pool, accountId, id);
  const list = await requireList(deps.pool, accountId, current.list_id);
  const filter = patch.filter === undefined ? undefined : validateFilter(list, patch.filter);
  const updated = await updateSegment(deps.pool, accountId, id, { name: patch.name, filter });
  if (!updated) throw notFound('segment');
  if (filter) ensureIndexesInBackground(deps.pool, deps.log, indexesFor(list, filter));
  return updated;
}
