import { createHash } from 'node:crypto';
import type { PoolClient } from '../db/index.js';
import { AppError, invalid } from '../core/errors.js';

export const IDEMPOTENCY_TTL_HOURS = 24;

/** A stable hash of a request body: the same key with another body is refused. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return '{' + entries.map(([k, x]) => JSON.stringify(k) + ':' + canonicalJson(x)).join(',') + '}';
  }
  return JSON.stringify(v) ?? 'null';
}

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > 255) throw invalid('Idempotency-Key', 'must be 1 to 255 characters', 400);
  return key;
}

export interface StoredAnswer {
  status_code: number;
  response: unknown;
}

/**
 * Claims `key` inside the caller's transaction. Returns the first answer when the key was already
 * used within 24 h with the same body; throws 422 when used with another body. A concurrent
 * request with the same key waits on the row lock until the first commits, then sees its answer.
 */
export async function claimIdempotencyKey(tx: PoolClient, accountId: string, key: string, hash: string): Promise<StoredAnswer | undefined> {
  const ins = await tx.query(
    `INSERT INTO idempotency_keys (account_id, key, request_hash, status_code, response)
     VALUES ($1, $2, $3, 0, 'null')
     ON CONFLICT (account_id, key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, status_code = 0, response = 'null', created_at = now()
       WHERE idempotency_keys.created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
    [accountId, key, hash],
  );
  if (ins.rowCount === 1) return undefined;
  const r = await tx.query<{ request_hash: string; status_code: number; response: unknown }>(
    'SELECT request_hash, status_code, response FROM idempotency_keys WHERE account_id = $1 AND key = $2', [accountId, key]);
  const row = r.rows[0];
  if (!row) throw new AppError(409, 'conflict', 'Idempotency-Key is being used by a request in progress; retry');
  if (row.request_hash !== hash) {
    throw new AppError(422, 'idempotency_key_reused', 'Idempotency-Key was already used with a different request body', [{ field: 'Idempotency-Key', message: 'used with a different body' }]);
  }
  return { status_code: row.status_code, response: row.response };
}

export async function storeIdempotentAnswer(tx: PoolClient, accountId: string, key: string, statusCode: number, response: unknown): Promise<void> {
  await tx.query('UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE account_id = $1 AND key = $2',
    [accountId, key, statusCode, JSON.stringify(response)]);
}

/** Forgets keys older than the TTL (called from the outbox worker's housekeeping). */
export async function expireIdempotencyKeys(db: { query: PoolClient['query'] }): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`);
}
