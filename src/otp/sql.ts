import type { Queryable } from '../db/index.js';
import type { OtpStatus } from './decide.js';
import type { OtpChannel } from './options.js';

export interface OtpRow {
  account_id: string;
  id: string;
  contact_id: string | null;
  destination: { phone?: string; email?: string };
  channels: OtpChannel[];
  plan: OtpChannel[];
  step: number;
  code_hash: Buffer;
  code_sealed: Buffer | null;
  code_length: number;
  context: Record<string, string> | null;
  require_context: boolean;
  templates: Partial<Record<OtpChannel, string>>;
  timeouts: Partial<Record<OtpChannel, number>>;
  language: string | null;
  status: OtpStatus;
  attempts: number;
  max_attempts: number;
  expires_at: Date;
  check_at: Date | null;
  verified_at: Date | null;
  verified_channel: string | null;
  created_at: Date;
}

export type NewOtp = Omit<OtpRow, 'status' | 'attempts' | 'check_at' | 'verified_at' | 'verified_channel' | 'created_at'> & { check_at: Date | null };

/** The OTP row and its first deliveries, in one statement. */
export async function insertOtp(db: Queryable, o: NewOtp, deliveries: NewDelivery[]): Promise<void> {
  await db.query(
    `WITH otp AS (
       INSERT INTO otps (account_id, id, contact_id, destination, channels, plan, step, code_hash, code_sealed, code_length,
         context, require_context, templates, timeouts, language, max_attempts, expires_at, check_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
     )
     INSERT INTO otp_deliveries (account_id, otp_id, seq, channel_type, message_id, dest_key, outcome, trigger, reason)
     SELECT $1, $2, d.n, d.channel_type, d.message_id, d.dest_key, d.outcome, d.trigger, d.reason
     FROM jsonb_to_recordset($19::jsonb) AS d (channel_type text, message_id text, dest_key text, outcome text, trigger text, reason text, n int)`,
    [o.account_id, o.id, o.contact_id, JSON.stringify(o.destination), o.channels, o.plan, o.step, o.code_hash, o.code_sealed, o.code_length,
      o.context ? JSON.stringify(o.context) : null, o.require_context, JSON.stringify(o.templates), JSON.stringify(o.timeouts), o.language,
      o.max_attempts, o.expires_at, o.check_at, JSON.stringify(deliveries.map((d, i) => ({ ...d, n: i + 1 })))],
  );
}

export async function getOtp(db: Queryable, accountId: string, id: string, forUpdate = false): Promise<OtpRow | undefined> {
  const r = await db.query<OtpRow>(`SELECT * FROM otps WHERE account_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [accountId, id]);
  return r.rows[0];
}

export interface DeliveryRow {
  seq: number;
  channel_type: OtpChannel;
  message_id: string | null;
  dest_key: string | null;
  outcome: 'sent' | 'skipped';
  reason: string | null;
  created_at: Date;
  /** Joined from the message. */
  status: string | null;
  sent_at: Date | null;
  delivered_at: Date | null;
}

export interface NewDelivery {
  trigger: 'create' | 'fallback' | 'resend';
  channel_type: OtpChannel;
  message_id: string | null;
  dest_key: string | null;
  outcome: 'sent' | 'skipped';
  reason: string | null;
}

/** Appends deliveries after the OTP's last one (seq continues). */
export async function insertDeliveries(db: Queryable, accountId: string, otpId: string, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO otp_deliveries (account_id, otp_id, seq, channel_type, message_id, dest_key, outcome, trigger, reason)
     SELECT $1, $2, coalesce((SELECT max(seq) FROM otp_deliveries WHERE account_id = $1 AND otp_id = $2), 0) + d.n,
       d.channel_type, d.message_id, d.dest_key, d.outcome, d.trigger, d.reason
     FROM jsonb_to_recordset($3::jsonb) AS d (channel_type text, message_id text, dest_key text, outcome text, trigger text, reason text, n int)`,
    [accountId, otpId, JSON.stringify(rows.map((r, i) => ({ ...r, n: i + 1 })))],
  );
}

const DELIVERY_COLUMNS = `d.seq, d.channel_type, d.message_id, d.dest_key, d.outcome, d.reason, d.created_at,
  m.status, m.sent_at,
  (SELECT min(e.at) FROM message_events e WHERE e.account_id = m.account_id AND e.message_id = m.id AND e.type = 'delivered') AS delivered_at`;

export async function deliveriesOf(db: Queryable, accountId: string, otpIds: string[]): Promise<Map<string, DeliveryRow[]>> {
  const r = await db.query<DeliveryRow & { otp_id: string }>(
    `SELECT d.otp_id, ${DELIVERY_COLUMNS}
     FROM otp_deliveries d LEFT JOIN messages m ON m.account_id = d.account_id AND m.id = d.message_id
     WHERE d.account_id = $1 AND d.otp_id = ANY($2::text[]) ORDER BY d.otp_id, d.seq`,
    [accountId, otpIds],
  );
  const out = new Map<string, DeliveryRow[]>();
  for (const row of r.rows) {
    const list = out.get(row.otp_id) ?? [];
    list.push(row);
    out.set(row.otp_id, list);
  }
  return out;
}

export async function listOtps(db: Queryable, accountId: string, limit: number, before: Date | undefined): Promise<OtpRow[]> {
  const r = await db.query<OtpRow>(
    `SELECT * FROM otps WHERE account_id = $1 AND ($2::timestamptz IS NULL OR created_at < $2) ORDER BY created_at DESC LIMIT $3`,
    [accountId, before ?? null, limit],
  );
  return r.rows;
}

/** Due OTPs for the fallback worker, leased by pushing check_at ahead (a crashed worker's are retaken after the lease). */
export async function claimDueOtps(db: Queryable, limit: number, leaseSeconds: number): Promise<Array<{ account_id: string; id: string }>> {
  const r = await db.query<{ account_id: string; id: string }>(
    `WITH due AS (
       SELECT account_id, id FROM otps WHERE check_at <= now() ORDER BY check_at LIMIT $1 FOR UPDATE SKIP LOCKED
     )
     UPDATE otps o SET check_at = now() + make_interval(secs => $2)
     FROM due WHERE o.account_id = due.account_id AND o.id = due.id
     RETURNING o.account_id, o.id`,
    [limit, leaseSeconds],
  );
  return r.rows;
}

/**
 * CTEs that take back an ended OTP's messages still waiting in the outbox (`$1` account, `$2`
 * OTP, `when` a condition over the statement's parameters): the real code must not arrive after
 * it stopped working. A message a worker holds right now finishes its send.
 */
function cancelQueuedCtes(when: string): string {
  return `gone AS (
       DELETE FROM outbox o USING otp_deliveries d
       WHERE ${when} AND d.account_id = $1 AND d.otp_id = $2 AND d.message_id IS NOT NULL
         AND o.account_id = d.account_id AND o.message_id = d.message_id AND (o.locked_until IS NULL OR o.locked_until < now())
       RETURNING o.account_id, o.message_id
     ), failed AS (
       UPDATE messages m SET status = 'failed', error = 'the OTP ended before it was sent', updated_at = now()
       FROM gone WHERE m.account_id = gone.account_id AND m.id = gone.message_id
     ), failed_events AS (
       INSERT INTO message_events (account_id, message_id, type, detail)
       SELECT account_id, message_id, 'failed', '{"error": "the OTP ended before it was sent"}'::jsonb FROM gone
     )`;
}

/** An OTP that ended (dead, expired) takes back its messages still waiting in the outbox. */
export async function cancelQueuedMessages(db: Queryable, accountId: string, otpId: string): Promise<void> {
  await db.query(`WITH ${cancelQueuedCtes('TRUE')} SELECT count(*) FROM gone`, [accountId, otpId]);
}

/**
 * A verify's outcome in one statement: the attempt counted (an ended OTP loses its sealed code,
 * its fallback and its queued messages; a verified one records the channel the code most likely
 * came by — the last delivered, else the last sent) and the attempt kept in the trail.
 */
export async function recordVerify(
  db: Queryable, accountId: string, otpId: string, change: { attempts: number; status: OtpStatus } | null, result: string,
  who: { source: string | undefined; actor: string },
): Promise<void> {
  await db.query(
    `WITH channel AS (
       SELECT d.channel_type FROM otp_deliveries d LEFT JOIN messages m ON m.account_id = d.account_id AND m.id = d.message_id
       WHERE $4::text = 'verified' AND d.account_id = $1 AND d.otp_id = $2 AND d.outcome = 'sent'
       ORDER BY (m.status IN ('delivered', 'opened', 'clicked')) DESC, d.seq DESC LIMIT 1
     ), attempt AS (
       UPDATE otps SET attempts = $3, status = $4,
         verified_at = CASE WHEN $4::text = 'verified' THEN now() ELSE verified_at END,
         verified_channel = CASE WHEN $4::text = 'verified' THEN (SELECT channel_type FROM channel) ELSE verified_channel END,
         code_sealed = CASE WHEN $4::text IN ('pending', 'undeliverable') THEN code_sealed END,
         check_at = CASE WHEN $4::text = 'pending' THEN check_at END
       WHERE account_id = $1 AND id = $2 AND $3::int IS NOT NULL
     ), ${cancelQueuedCtes(`$4::text NOT IN ('pending', 'undeliverable')`)}
     INSERT INTO otp_attempts (account_id, otp_id, source, actor, result) VALUES ($1, $2, $5, $6, $7)`,
    [accountId, otpId, change?.attempts ?? null, change?.status ?? 'pending', who.source ?? null, who.actor, result],
  );
}

export async function attemptsOf(db: Queryable, accountId: string, otpId: string): Promise<Array<{ at: Date; source: string | null; actor: string; result: string }>> {
  const r = await db.query<{ at: Date; source: string | null; actor: string; result: string }>(
    'SELECT at, source, actor, result FROM otp_attempts WHERE account_id = $1 AND otp_id = $2 ORDER BY seq DESC LIMIT 50', [accountId, otpId]);
  return r.rows;
}

/**
 * Ends OTPs past their TTL (their sealed codes go, their queued messages are taken back), drops
 * verify counters of past windows, and purges OTPs older than the retention (hashes and trail).
 */
export async function sweepExpired(db: Queryable, retentionDays = 90): Promise<number> {
  const r = await db.query<{ account_id: string; id: string }>(
    `UPDATE otps SET status = 'expired', code_sealed = NULL, check_at = NULL
     WHERE status IN ('pending', 'undeliverable') AND expires_at <= now() RETURNING account_id, id`,
  );
  for (const o of r.rows) await cancelQueuedMessages(db, o.account_id, o.id);
  await db.query(`DELETE FROM otp_counters WHERE window_start < now() - interval '1 day'`);
  await db.query(`DELETE FROM otps WHERE created_at < now() - make_interval(days => $1)`, [retentionDays]);
  return r.rowCount ?? 0;
}
