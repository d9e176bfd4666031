import type { Queryable } from '../../db/index.js';
import type { SuppressionType } from './normalise.js';

/** A row of `suppressions` (004_messaging.sql). `value` is normalised; `list_name` null = the account's own list. */
export interface SuppressionRow {
  account_id: string;
  id: string;
  type: SuppressionType;
  value: string;
  reason: string;
  category: string | null;
  list_name: string | null;
  created_at: Date;
}

export interface NewSuppression {
  accountId: string;
  id: string;
  type: SuppressionType;
  value: string;
  reason: string;
  category: string | null;
  list: string | null;
}

/**
 * Inserts one suppression unless the same (type, value, list, category) is already there; then
 * returns the existing row with `created: false`. The look-up is a second statement so that, under
 * READ COMMITTED, it sees a row a concurrent call committed after this one's insert conflicted.
 */
export async function insertSuppression(db: Queryable, s: NewSuppression): Promise<{ row: SuppressionRow; created: boolean }> {
  const inserted = await db.query<SuppressionRow>(
    `INSERT INTO suppressions (account_id, id, type, value, reason, category, list_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT DO NOTHING RETURNING *`,
    [s.accountId, s.id, s.type, s.value, s.reason, s.category, s.list],
  );
  if (inserted.rows[0]) return { row: inserted.rows[0], created: true };
  const existing = await db.query<SuppressionRow>(
    `SELECT * FROM suppressions
      WHERE account_id = $1 AND type = $2 AND value = $3
        AND coalesce(list_name, '') = coalesce($4, '') AND coalesce(category, '') = coalesce($5, '')`,
    [s.accountId, s.type, s.value, s.list, s.category],
  );
  // Deleted between the two statements: insert again (the delete won; this call still wants it).
  return existing.rows[0] ? { row: existing.rows[0], created: false } : insertSuppression(db, s);
}

/**
 * Inserts a batch of values into one list (set-based: one statement, arrays as parameters);
 * values already there are skipped. Returns how many rows were new.
 */
export async function insertSuppressionBatch(
  db: Queryable,
  b: { accountId: string; type: SuppressionType; ids: string[]; values: string[]; reason: string; category: string | null; list: string | null },
): Promise<number> {
  const res = await db.query(
    `INSERT INTO suppressions (account_id, id, type, value, reason, category, list_name)
     SELECT $1, v.id, $2, v.value, $3, $4, $5 FROM unnest($6::text[], $7::text[]) AS v(id, value)
     ON CONFLICT DO NOTHING`,
    [b.accountId, b.type, b.reason, b.category, b.list, b.ids, b.values],
  );
  return res.rowCount ?? 0;
}

/** Every suppression of the account on either address (any list, any category). */
export async function selectSuppressionsFor(
  db: Queryable,
  accountId: string,
  address: { email?: string | null; phone?: string | null },
): Promise<SuppressionRow[]> {
  if (!address.email && !address.phone) return [];
  const { rows } = await db.query<SuppressionRow>(
    `SELECT * FROM suppressions
      WHERE account_id = $1 AND ((type = 'email' AND value = $2) OR (type = 'phone' AND value = $3))
      ORDER BY id`,
    [accountId, address.email ?? null, address.phone ?? null],
  );
  return rows;
}

/** One page, newest first, keyset-paged by id (ids are time-ordered). */
export async function listSuppressions(
  db: Queryable,
  accountId: string,
  q: { type?: SuppressionType; value?: string; list?: string; before?: string; limit: number },
): Promise<SuppressionRow[]> {
  const { rows } = await db.query<SuppressionRow>(
    `SELECT * FROM suppressions
      WHERE account_id = $1
        AND ($2::text IS NULL OR type = $2) AND ($3::text IS NULL OR value = $3)
        AND ($4::text IS NULL OR list_name = $4) AND ($5::text IS NULL OR id < $5)
      ORDER BY id DESC LIMIT $6`,
    [accountId, q.type ?? null, q.value ?? null, q.list ?? null, q.before ?? null, q.limit],
  );
  return rows;
}

export async function deleteSuppression(db: Queryable, accountId: string, id: string): Promise<SuppressionRow | undefined> {
  const { rows } = await db.query<SuppressionRow>(`DELETE FROM suppressions WHERE account_id = $1 AND id = $2 RETURNING *`, [accountId, id]);
  return rows[0];
}

export async function accountCountry(db: Queryable, accountId: string): Promise<string | null> {
  const { rows } = await db.query<{ country: string | null }>(`SELECT country FROM accounts WHERE id = $1`, [accountId]);
  return rows[0]?.country ?? null;
}
