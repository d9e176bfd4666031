import type { Queryable } from '../../../db/index.js';
import { SqlParams, type SqlFragment } from '../sql-fragment.js';

export interface ContactScope {
  accountId: string;
  listId: string;
}

/**
 * Live contacts of a list matching a compiled filter. The caller has checked the list is live.
 * `account_id`/`list_id` are parameters, yet the `cx_` partial indexes (whose predicates name
 * them as literals) still apply: node-pg runs unnamed statements, which PostgreSQL plans with
 * the parameter values bound, so the predicate is provable.
 */
export async function countContacts(db: Queryable, scope: ContactScope, where: SqlFragment): Promise<number> {
  const p = new SqlParams([scope.accountId, scope.listId]);
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM contacts c
     WHERE c.account_id = $1 AND c.list_id = $2 AND c.erased_at IS NULL AND (${where(p)})`,
    p.values,
  );
  return rows[0]?.n ?? 0;
}
