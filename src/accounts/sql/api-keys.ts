import type { Queryable } from '../../db/index.js';
import type { Role } from '../roles.js';

export interface ApiKeyRow {
  account_id: string;
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function insertApiKey(
  db: Queryable,
  k: { accountId: string; id: string; name: string; role: Role; prefix: string; hash: Buffer },
): Promise<ApiKeyRow> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (account_id, id, name, role, prefix, key_hash) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING account_id, id, name, role, prefix, created_at, last_used_at, revoked_at`,
    [k.accountId, k.id, k.name, k.role, k.prefix, k.hash],
  );
  return rows[0]!;
}

/** The one unscoped lookup: a key names its account. Touches last_used_at at most once a minute. */
export async function findActiveKeyByHash(db: Queryable, hash: Buffer): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET last_used_at = now()
     WHERE key_hash = $1 AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
     RETURNING account_id, id, name, role, prefix, created_at, last_used_at, revoked_at`,
    [hash],
  );
  if (rows[0]) return rows[0];
  const again = await db.query<ApiKeyRow>(
    `SELECT account_id, id, name, role, prefix, created_at, last_used_at, revoked_at
     FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hash],
  );
  return again.rows[0];
}

export async function listApiKeys(db: Queryable, accountId: string): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT account_id, id, name, role, prefix, created_at, last_used_at, revoked_at
     FROM api_keys WHERE account_id = $1 AND revoked_at IS NULL ORDER BY id`,
    [accountId],
  );
  return rows;
}

export async function revokeApiKey(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE api_keys SET revoked_at = now() WHERE account_id = $1 AND id = $2 AND revoked_at IS NULL`,
    [accountId, id],
  );
  return rowCount === 1;
}
