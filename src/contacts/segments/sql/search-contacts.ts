import type { Queryable } from '../../../db/index.js';
import { SqlParams, type SqlFragment } from '../sql-fragment.js';
import type { ContactRow } from '../../sql/contacts.js';
import type { ContactScope } from './count-contacts.js';

export interface SearchRow extends ContactRow {
  /** The row's sort value as text, for the next cursor. */
  sort_value: string | null;
}

/** One page of live contacts matching `where`, after `after`, in `order` (see sort-cursor.ts). */
export async function searchContacts(
  db: Queryable,
  scope: ContactScope,
  q: { where: SqlFragment; after: SqlFragment; order: string; sortValue: string; limit: number },
): Promise<SearchRow[]> {
  const p = new SqlParams([scope.accountId, scope.listId]);
  const { rows } = await db.query<SearchRow>(
    `SELECT c.account_id, c.id, c.list_id, c.key_value, c.data, c.created_at, c.updated_at, ${q.sortValue} AS sort_value
     FROM contacts c
     WHERE c.account_id = $1 AND c.list_id = $2 AND c.erased_at IS NULL AND (${q.where(p)}) AND (${q.after(p)})
     ORDER BY ${q.order} LIMIT ${p.add(q.limit, 'integer')}`,
    p.values,
  );
  return rows;
}
