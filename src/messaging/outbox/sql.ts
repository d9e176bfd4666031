import type { Queryable } from '../../db/index.js';
import type { Category, RenderedContent } from '../../channels/port.js';
import type { AttachmentRef } from '../attachments.js';
import { rankSql } from '../status.js';

export interface ClaimedMessage {
  account_id: string;
  message_id: string;
  channel_id: string;
  attempts: number;
  contact_id: string | null;
  to_address: string;
  category: Category;
  content: RenderedContent;
  data: Record<string, unknown>;
  attachments: AttachmentRef[];
  links: Record<string, string>;
  created_at: Date;
  status: string;
  channel_type: string;
  /** Times it was sent again after a soft bounce (a new provider key each time). */
  resends: number;
  /** The real content, sealed, of a message whose row keeps it masked (an OTP). */
  sealed: Buffer | null;
  /** An OTP's message: it never goes out with its row's masked content. */
  otp: boolean | null;
}

/** Claims up to `limit` due messages with a lease (FOR UPDATE SKIP LOCKED: workers never collide). */
export async function claimOutbox(db: Queryable, workerId: string, limit: number, leaseSeconds: number): Promise<ClaimedMessage[]> {
  const r = await db.query<ClaimedMessage>(
    `WITH due AS (
       SELECT account_id, message_id FROM outbox
       WHERE due_at <= now() AND (locked_until IS NULL OR locked_until < now())
       ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED
     )
     UPDATE outbox o SET locked_by = $1, locked_until = now() + make_interval(secs => $3), attempts = o.attempts + 1
     FROM due, messages m
     WHERE o.account_id = due.account_id AND o.message_id = due.message_id
       AND m.account_id = o.account_id AND m.id = o.message_id
     RETURNING o.account_id, o.message_id, o.channel_id, o.attempts, o.sealed, m.contact_id, m.to_address, m.category,
       m.content, m.data, m.attachments, m.links, m.created_at, m.status, m.channel_type,
       (SELECT count(*)::int FROM message_events e WHERE e.account_id = m.account_id AND e.message_id = m.id AND e.type = 'soft_bounced') AS resends,
       m.source ? 'otp_id' AS otp`,
    [workerId, limit, leaseSeconds],
  );
  return r.rows;
}

export interface SentRow {
  messageId: string;
  providerIds: string[];
  segments: number | undefined;
}

/** Records a batch of sends in four set-based statements: status, provider ids, events, outbox. */
export async function recordSent(db: Queryable, accountId: string, channelId: string, cost: string, sent: SentRow[]): Promise<void> {
  if (sent.length === 0) return;
  const ids = sent.map((s) => s.messageId);
  const segments = sent.map((s) => s.segments ?? null);
  const firstIds = sent.map((s) => s.providerIds[0] ?? null);
  const refMsg: string[] = [];
  const refIds: string[] = [];
  for (const s of sent) for (const p of s.providerIds) { refMsg.push(s.messageId); refIds.push(p); }
  // One statement (one round trip): status, provider ids, the `sent` events, the outbox rows gone,
  // and flow steps waiting on an outcome woken. Email, push, webhooks and database updates have no
  // delivery receipt: for a send_fallback, accepted by the provider is as delivered as they get (a
  // later bounce is still recorded on the message); SMS and voice wait for their receipts instead.
  await db.query(
    `WITH sent AS (
       UPDATE messages m SET
         status = CASE WHEN ${rankSql('m.status')} < ${rankSql("'sent'")} THEN 'sent' ELSE m.status END,
         sent_at = coalesce(m.sent_at, now()), updated_at = now(), provider_id = u.provider_id,
         segments = coalesce(u.segments, m.segments), cost = coalesce(u.segments, m.segments) * $3::numeric,
         attempts = m.attempts + 1, error = NULL
       FROM unnest($2::text[], $4::int[], $5::text[]) AS u(id, segments, provider_id)
       WHERE m.account_id = $1 AND m.id = u.id
     ), refs AS (
       INSERT INTO provider_refs (account_id, channel_id, provider_id, message_id)
       SELECT $1, $6, p, m FROM unnest($7::text[], $8::text[]) AS u(p, m) ON CONFLICT DO NOTHING
     ), events AS (
       INSERT INTO message_events (account_id, message_id, type, detail, dedupe_key)
       SELECT $1, u.id, 'sent', jsonb_build_object('provider_id', u.p), 'sent'
       FROM unnest($2::text[], $5::text[]) AS u(id, p) ON CONFLICT DO NOTHING
     ), gone AS (
       DELETE FROM outbox WHERE account_id = $1 AND message_id = ANY($2::text[])
     ), wakes AS (
       INSERT INTO flow_run_wakes (account_id, run_id, wake)
       SELECT account_id, source ->> 'run_id',
         jsonb_build_object('kind', 'message', 'key', source ->> 'key', 'messageId', id, 'status', 'delivered', 'channel_type', channel_type)
       FROM messages m
       WHERE account_id = $1 AND id = ANY($2::text[]) AND (source ->> 'await')::boolean IS TRUE
         AND channel_type IN ('email', 'push', 'webhook', 'db_update')
         AND EXISTS (SELECT 1 FROM flow_runs r WHERE r.account_id = m.account_id AND r.id = m.source ->> 'run_id' AND r.status IN ('active', 'waiting'))
       RETURNING run_id
     )
     UPDATE flow_runs SET due_at = now() WHERE account_id = $1 AND id IN (SELECT run_id FROM wakes) AND status = 'waiting'`,
    [accountId, ids, cost, segments, firstIds, channelId, refIds, refMsg],
  );
}

/** A transient failure: back into the outbox after `delayMs`. */
export async function retryLater(db: Queryable, accountId: string, messageId: string, delayMs: number, error: string): Promise<void> {
  await db.query(
    `UPDATE outbox SET due_at = now() + make_interval(secs => $3), locked_by = NULL, locked_until = NULL
     WHERE account_id = $1 AND message_id = $2`, [accountId, messageId, delayMs / 1000]);
  await db.query('UPDATE messages SET attempts = attempts + 1, error = $3, updated_at = now() WHERE account_id = $1 AND id = $2',
    [accountId, messageId, error]);
}

/** A final failure: the message leaves the outbox as failed. */
export async function recordFailed(db: Queryable, accountId: string, messageId: string, error: string): Promise<void> {
  await db.query(
    `UPDATE messages SET status = CASE WHEN ${rankSql('status')} < ${rankSql("'failed'")} THEN 'failed' ELSE status END,
       error = $3, attempts = attempts + 1, updated_at = now() WHERE account_id = $1 AND id = $2`,
    [accountId, messageId, error]);
  await db.query('DELETE FROM outbox WHERE account_id = $1 AND message_id = $2', [accountId, messageId]);
}

/** Gives claimed rows back (shutdown before sending them). */
export async function releaseClaims(db: Queryable, workerId: string, keys: { account_id: string; message_id: string }[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `UPDATE outbox o SET locked_by = NULL, locked_until = NULL, attempts = greatest(o.attempts - 1, 0)
     FROM unnest($2::text[], $3::text[]) AS u(a, m)
     WHERE o.account_id = u.a AND o.message_id = u.m AND o.locked_by = $1`,
    [workerId, keys.map((k) => k.account_id), keys.map((k) => k.message_id)],
  );
}

/** A deferred message whose window is still (or again) closed: back to the outbox until it opens. */
export async function deferAgain(db: Queryable, accountId: string, messageId: string, dueAt: Date): Promise<void> {
  await db.query(
    `UPDATE outbox SET due_at = $3, locked_by = NULL, locked_until = NULL, attempts = greatest(attempts - 1, 0)
     WHERE account_id = $1 AND message_id = $2`, [accountId, messageId, dueAt]);
  await db.query(`UPDATE messages SET policy = policy || jsonb_build_object('due_at', $3::text), updated_at = now() WHERE account_id = $1 AND id = $2`,
    [accountId, messageId, dueAt.toISOString()]);
}

/** Extends this worker's lease on rows it still holds (a rate-limited channel working through a large claim). */
export async function renewClaims(db: Queryable, workerId: string, keys: { account_id: string; message_id: string }[], leaseSeconds: number): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `UPDATE outbox o SET locked_until = now() + make_interval(secs => $4)
     FROM unnest($2::text[], $3::text[]) AS u (a, m)
     WHERE o.account_id = u.a AND o.message_id = u.m AND o.locked_by = $1`,
    [workerId, keys.map((k) => k.account_id), keys.map((k) => k.message_id), leaseSeconds]);
}
