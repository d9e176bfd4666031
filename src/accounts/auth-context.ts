import type { Queryable } from '../db/index.js';
import type { Role } from './roles.js';
import { sha256 } from './secrets.js';
import { findActiveKeyByHash } from './sql/api-keys.js';
import { findSession } from './sql/sessions.js';

/** Who is calling: the account every query is scoped to, the role, and the actor for the audit log. */
export interface AuthContext {
  accountId: string;
  role: Role;
  actor: string;
  via: 'api_key' | 'session';
  userId?: string;
  csrf?: string;
}

export async function authenticateKey(db: Queryable, key: string): Promise<AuthContext | undefined> {
  const row = await findActiveKeyByHash(db, sha256(key));
  return row && { accountId: row.account_id, role: row.role, actor: `key:${row.id}`, via: 'api_key' };
}

export async function authenticateSession(db: Queryable, token: string): Promise<AuthContext | undefined> {
  const s = await findSession(db, sha256(token));
  return s && { accountId: s.account_id, role: s.role, actor: `user:${s.user_id}`, via: 'session', userId: s.user_id, csrf: s.csrf_token };
}
