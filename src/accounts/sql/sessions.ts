import type { Queryable } from '../../db/index.js';
import type { Role } from '../roles.js';

export async function insertSession(
  db: Queryable,
  s: { accountId: string; id: string; userId: string; tokenHash: Buffer; csrf: string; ttlMinutes: number },
): Promise<void> {
  await db.query(
    `INSERT INTO sessions (account_id, id, user_id, token_hash, csrf_token, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6))`,
    [s.accountId, s.id, s.userId, s.tokenHash, s.csrf, s.ttlMinutes],
  );
}

export interface SessionAuth {
  account_id: string;
  id: string;
  user_id: string;
  csrf_token: string;
  role: Role;
  email: string;
  name: string;
}

export async function findSession(db: Queryable, tokenHash: Buffer): Promise<SessionAuth | undefined> {
  const { rows } = await db.query<SessionAuth>(
    `SELECT s.account_id, s.id, s.user_id, s.csrf_token, u.role, u.email, u.name
     FROM sessions s JOIN users u ON u.account_id = s.account_id AND u.id = s.user_id AND u.deleted_at IS NULL
     WHERE s.token_hash = $1 AND s.expires_at > now()`,
    [tokenHash],
  );
  return rows[0];
}

export async function deleteSession(db: Queryable, tokenHash: Buffer): Promise<void> {
  await db.query(`DELETE FROM sessions WHERE token_hash = $1`, [tokenHash]);
}
