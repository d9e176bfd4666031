import type { Queryable } from '../db/index.js';
import { AppError } from '../core/errors.js';
import type { RateLimit } from './settings.js';

/** 429 with the seconds to wait; the HTTP layer turns `retryAfter` into the Retry-After header. */
export class RateLimited extends AppError {
  constructor(readonly limit: string, readonly retryAfter: number) {
    super(429, 'rate_limited', `too many requests: the ${limit.replace(/_/g, ' ')} limit is reached; retry in ${retryAfter} s`, [{ field: limit, message: 'rate limit reached', retry_after: retryAfter }]);
    this.headers['retry-after'] = String(retryAfter);
  }
}

/** Pure: seconds until a sliding window lets one more in, given the oldest counted instant in it. */
export function slidingRetryAfter(oldest: Date, limit: RateLimit, now: Date): number {
  return Math.max(1, Math.ceil((oldest.getTime() + limit.window_seconds * 1000 - now.getTime()) / 1000));
}

/**
 * OTPs sent to one destination in the sliding window: each OTP once however many of its channels
 * reached that destination (an SMS and its voice fallback share the phone), each resend on its own
 * (resending is how a pumper would multiply messages). Call inside the transaction that then
 * sends, after `lockDestination`, so two requests cannot both take the last place.
 */
export async function checkDestination(
  tx: Queryable, accountId: string, destKey: string, limit: RateLimit, now: Date, otpId: string, trigger: 'create' | 'fallback' | 'resend',
): Promise<void> {
  const r = await tx.query<{ others: number; resends: number; mine: boolean; oldest: Date | null }>(
    `SELECT count(DISTINCT otp_id) FILTER (WHERE trigger <> 'resend' AND otp_id <> $5)::int AS others,
            count(*) FILTER (WHERE trigger = 'resend')::int AS resends,
            coalesce(bool_or(otp_id = $5 AND trigger <> 'resend'), false) AS mine,
            min(created_at) AS oldest
     FROM otp_deliveries
     WHERE account_id = $1 AND dest_key = $2 AND outcome = 'sent' AND created_at > $3::timestamptz - make_interval(secs => $4)`,
    [accountId, destKey, now, limit.window_seconds, otpId],
  );
  const row = r.rows[0];
  if (!row) return;
  const counted = row.others + row.resends + (row.mine ? 1 : 0);
  const adds = trigger === 'resend' || !row.mine ? 1 : 0;
  if (counted + adds > limit.max) throw new RateLimited('per_destination', row.oldest ? slidingRetryAfter(row.oldest, limit, now) : limit.window_seconds);
}

/** Serialises sends to one destination until the transaction ends. */
export async function lockDestination(tx: Queryable, accountId: string, destKey: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [accountId, destKey]);
}

/** OTPs the account sends (creates and resends) per fixed window: one atomic upsert, exact under concurrency. */
export async function countAccount(db: Queryable, accountId: string, limit: RateLimit, now: Date): Promise<void> {
  await countWindow(db, accountId, 'account', '', limit, now, 'per_account');
}

/** Pure: the fixed window an instant falls in. */
export function windowStart(now: Date, windowSeconds: number): Date {
  const ms = windowSeconds * 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

/** Verifies from one source (the end user's IP or device): a fixed-window counter, one upsert. */
export async function countVerify(db: Queryable, accountId: string, source: string, limit: RateLimit, now: Date): Promise<void> {
  await countWindow(db, accountId, 'verify_source', source, limit, now, 'per_verify_source');
}

async function countWindow(db: Queryable, accountId: string, scope: string, key: string, limit: RateLimit, now: Date, name: string): Promise<void> {
  const start = windowStart(now, limit.window_seconds);
  const r = await db.query<{ n: number }>(
    `INSERT INTO otp_counters (account_id, scope, key, window_start, n) VALUES ($1, $2, $3, $4, 1)
     ON CONFLICT (account_id, scope, key, window_start) DO UPDATE SET n = otp_counters.n + 1
     RETURNING n`,
    [accountId, scope, key, start],
  );
  if ((r.rows[0]?.n ?? 0) > limit.max) {
    throw new RateLimited(name, Math.max(1, Math.ceil((start.getTime() + limit.window_seconds * 1000 - now.getTime()) / 1000)));
  }
}
