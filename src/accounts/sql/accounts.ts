import type { Queryable } from '../../db/index.js';

export interface AccountRow {
  id: string;
  parent_id: string | null;
  name: string;
  timezone: string;
  country: string | null;
  policy: Record<string, unknown>;
  created_at: Date;
}

export async function insertAccount(db: Queryable, a: { id: string; name: string; parentId: string | null; timezone?: string }): Promise<void> {
  await db.query(`INSERT INTO accounts (id, name, parent_id, timezone) VALUES ($1, $2, $3, coalesce($4, 'UTC'))`, [
    a.id, a.name, a.parentId, a.timezone ?? null,
  ]);
}

export async function getAccount(db: Queryable, id: string): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
  return rows[0];
}

export async function countAccounts(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM accounts');
  return rows[0]?.n ?? 0;
}

export async function listChildAccounts(db: Queryable, parentId: string): Promise<AccountRow[]> {
  const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE parent_id = $1 ORDER BY id', [parentId]);
  return rows;
}

export async function updateAccountPolicy(
  db: Queryable,
  id: string,
  patch: { timezone?: string; country?: string | null; policy: Record<string, unknown> },
): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    `UPDATE accounts SET timezone = coalesce($2, timezone), country = CASE WHEN $3::boolean THEN $4 ELSE country END,
       policy = $5 WHERE id = $1 RETURNING *`,
    [id, patch.timezone ?? null, patch.country !== undefined, patch.country ?? null, JSON.stringify(patch.policy)],
  );
  return rows[0];
}
