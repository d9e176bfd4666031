import type { Queryable } from '../../db/index.js';
import type { Role } from '../roles.js';

export interface UserRow {
  account_id: string;
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: Date;
  updated_at: Date;
}
const COLS = 'account_id, id, email, name, role, created_at, updated_at';

export async function insertUser(
  db: Queryable,
  u: { accountId: string; id: string; email: string; name: string; role: Role; passwordHash: string | null },
): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (account_id, id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLS}`,
    [u.accountId, u.id, u.email, u.name, u.role, u.passwordHash],
  );
  return rows[0]!;
}

export async function listUsers(db: Queryable, accountId: string): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLS} FROM users WHERE account_id = $1 AND deleted_at IS NULL ORDER BY id`, [accountId]);
  return rows;
}

export async function getUser(db: Queryable, accountId: string, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLS} FROM users WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`, [accountId, id]);
  return rows[0];
}

export async function updateUser(
  db: Queryable,
  accountId: string,
  id: string,
  patch: { name?: string; role?: Role; passwordHash?: string },
): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET name = coalesce($3, name), role = coalesce($4, role),
       password_hash = coalesce($5, password_hash), updated_at = now()
     WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${COLS}`,
    [accountId, id, patch.name ?? null, patch.role ?? null, patch.passwordHash ?? null],
  );
  return rows[0];
}

export async function deleteUser(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE users SET deleted_at = now() WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`, [accountId, id]);
  await db.query(`DELETE FROM sessions WHERE account_id = $1 AND user_id = $2`, [accountId, id]);
  return rowCount === 1;
}

export async function findUsersForLogin(db: Queryable, email: string): Promise<(UserRow & { password_hash: string | null })[]> {
  const { rows } = await db.query<UserRow & { password_hash: string | null }>(
    `SELECT ${COLS}, password_hash FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL ORDER BY created_at`,
    [email],
  );
  return rows;
}
