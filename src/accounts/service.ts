import type { Pool, Queryable } from '../db/index.js';
import { withTransaction } from '../db/index.js';
import { newId, newSecret } from '../core/ids.js';
import { AppError, conflict, invalid, notFound } from '../core/errors.js';
import { recordAudit } from '../audit/index.js';
import type { Role } from './roles.js';
import { hashPassword, newApiKey, sha256, verifyPassword } from './secrets.js';
import { insertAccount, countAccounts, getAccount } from './sql/accounts.js';
import { insertApiKey, type ApiKeyRow } from './sql/api-keys.js';
import { insertUser, findUsersForLogin } from './sql/users.js';
import { insertSession } from './sql/sessions.js';

export const MIN_PASSWORD_LENGTH = 10;

export async function createApiKey(
  db: Queryable,
  k: { accountId: string; name: string; role: Role; key?: string; actor: string },
): Promise<{ row: ApiKeyRow; key: string }> {
  const generated = newApiKey();
  const key = k.key ?? generated.key;
  const prefix = k.key ? key.slice(0, Math.min(11, Math.max(4, key.length - 4))) : generated.prefix;
  const row = await insertApiKey(db, {
    accountId: k.accountId, id: newId('key'), name: k.name, role: k.role, prefix, hash: sha256(key),
  }).catch((err: { code?: string }) => {
    if (err.code === '23505') throw conflict('this API key is already in use');
    throw err;
  });
  await recordAudit(db, { accountId: k.accountId, actor: k.actor, action: 'api_key.created', target: row.id, detail: { role: k.role, name: k.name } });
  return { row, key };
}

export function checkPassword(password: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw invalid(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
}

/** A new account (top level or a sub-account) with its owner API key. */
export async function createAccount(
  pool: Pool,
  a: { name: string; parentId: string | null; actor: string; apiKey?: string; owner?: { email: string; password?: string } },
): Promise<{ id: string; apiKey: string; ownerPassword?: string }> {
  return withTransaction(pool, async (tx) => {
    const id = newId('acc');
    if (a.parentId && !(await getAccount(tx, a.parentId))) throw notFound('parent account');
    await insertAccount(tx, { id, name: a.name, parentId: a.parentId });
    const { key } = await createApiKey(tx, { accountId: id, name: 'owner', role: 'owner', key: a.apiKey, actor: a.actor });
    let ownerPassword: string | undefined;
    if (a.owner) {
      ownerPassword = a.owner.password ?? newSecret(12);
      await insertUser(tx, {
        accountId: id, id: newId('usr'), email: a.owner.email, name: 'Owner', role: 'owner',
        passwordHash: await hashPassword(ownerPassword),
      });
    }
    await recordAudit(tx, { accountId: id, actor: a.actor, action: 'account.created', target: id, detail: { parent_id: a.parentId } });
    return { id, apiKey: key, ownerPassword };
  });
}

export interface BootstrapResult {
  created: boolean;
  accountId?: string;
  /** Generated secrets (not given by the environment): printed once, never stored in clear. */
  generated: { apiKey?: string; password?: string };
  email?: string;
}

/** On first start (no account yet) create the owner account from the CONVERSA_BOOTSTRAP_* settings. */
export async function bootstrapOwner(
  pool: Pool,
  b: { apiKey?: string; email: string; password?: string },
): Promise<BootstrapResult> {
  // Two processes starting together: the advisory lock makes one create and the other see it.
  return withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7242003002)');
    if ((await countAccounts(tx)) > 0) return { created: false, generated: {} };
    const id = newId('acc');
    await insertAccount(tx, { id, name: 'Default', parentId: null });
    const { key } = await createApiKey(tx, { accountId: id, name: 'bootstrap', role: 'owner', key: b.apiKey, actor: 'system' });
    const password = b.password ?? newSecret(12);
    await insertUser(tx, {
      accountId: id, id: newId('usr'), email: b.email, name: 'Owner', role: 'owner', passwordHash: await hashPassword(password),
    });
    await recordAudit(tx, { accountId: id, actor: 'system', action: 'account.bootstrapped', target: id });
    return {
      created: true, accountId: id, email: b.email,
      generated: { apiKey: b.apiKey ? undefined : key, password: b.password ? undefined : password },
    };
  });
}

export const SESSION_TTL_MINUTES = 12 * 60;

/** Console login: email + password → a session token (cookie) and its CSRF token. */
export async function login(
  pool: Pool,
  l: { email: string; password: string; accountId?: string },
): Promise<{ token: string; csrf: string; accountId: string; userId: string; role: Role }> {
  const candidates = (await findUsersForLogin(pool, l.email)).filter((u) => !l.accountId || u.account_id === l.accountId);
  for (const user of candidates) {
    if (await verifyPassword(l.password, user.password_hash)) {
      const token = newSecret(32);
      const csrf = newSecret(24);
      await insertSession(pool, {
        accountId: user.account_id, id: newId('ses'), userId: user.id, tokenHash: sha256(token), csrf, ttlMinutes: SESSION_TTL_MINUTES,
      });
      await recordAudit(pool, { accountId: user.account_id, actor: `user:${user.id}`, action: 'user.login' });
      return { token, csrf, accountId: user.account_id, userId: user.id, role: user.role };
    }
  }
  // Same answer whether the email exists or not.
  throw new AppError(401, 'invalid_credentials', 'email or password is wrong');
}
