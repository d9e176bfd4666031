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

/**
 * How long a verified API key is trusted without asking the database again. Authenticating cost
 * two statements per request (bench/events: half the commits of an event); a revocation reaches
 * this process at once and other processes within this time.
 */
export const KEY_CACHE_MS = 5_000;
const verified = new Map<string, { ctx: AuthContext; at: number }>();

export async function authenticateKey(db: Queryable, key: string, now = Date.now()): Promise<AuthContext | undefined> {
  const hash = sha256(key);
  const id = hash.toString('hex');
  const hit = verified.get(id);
  if (hit && now - hit.at < KEY_CACHE_MS) return hit.ctx;
  const row = await findActiveKeyByHash(db, hash);
  if (!row) {
    verified.delete(id);
    return undefined;
  }
  const ctx: AuthContext = { accountId: row.account_id, role: row.role, actor: `key:${row.id}`, via: 'api_key' };
  if (verified.size > 10_000) verified.clear();
  verified.set(id, { ctx, at: now });
  return ctx;
}

/** A key was revoked in this process: nothing cached may outlive it here. */
export function forgetVerifiedKeys(): void {
  verified.clear();
}

export async function authenticateSession(db: Queryable, token: string): Promise<AuthContext | undefined> {
  const s = await findSession(db, sha256(token));
  return s && { accountId: s.account_id, role: s.role, actor: `user:${s.user_id}`, via: 'session', userId: s.user_id, csrf: s.csrf_token };
}
