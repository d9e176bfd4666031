import type { Queryable } from '../db/index.js';
import { rankSql, statusForEvent } from './status.js';

export interface MessageEvent {
  accountId: string;
  messageId: string;
  type: string;
  at?: Date;
  detail?: Record<string, unknown>;
  /** Same key for the same fact (a receipt replayed, a second click on the same link within a
   * request) → recorded once. Omit for facts that may repeat. */
  dedupeKey?: string;
}

/** Outcomes a flow's send_fallback and an OTP's fallback wait for (DESIGN.md: delivery events go back into flows). */
const OUTCOMES_FOR_FLOWS = new Set(['delivered', 'failed', 'bounced', 'complained', 'suppressed']);

/** NOTIFY channel of the OTP fallback worker. */
export const OTP_CHANNEL = 'conversa_otp';

/**
 * Appends an event to a message's timeline and, in the same statement (one round trip: receipts
 * and clicks come by the thousand), moves its status forward when the event is a status, and
 * wakes whoever waits on the outcome: a flow step that waits for it (`source.await`) gets the
 * outcome as a wake and its run is due now; an OTP (`source.otp_id`) still pending stops its
 * fallback when delivered, else is looked at again now (its next channel). Returns false when the
 * event was a replay (same dedupe key) or the message is unknown.
 */
export async function recordEvent(db: Queryable, e: MessageEvent): Promise<boolean> {
  const status = statusForEvent(e.type) ?? null;
  const r = await db.query<{ inserted: number; otps: number }>(
    `WITH ins AS (
       INSERT INTO message_events (account_id, message_id, type, at, detail, dedupe_key)
       SELECT $1, $2, $3, coalesce($4, now()), $5, $6
       WHERE EXISTS (SELECT 1 FROM messages WHERE account_id = $1 AND id = $2)
       ON CONFLICT (account_id, message_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
       RETURNING 1
     ), moved AS (
       UPDATE messages SET status = $7, updated_at = now()
       WHERE $7::text IS NOT NULL AND EXISTS (SELECT 1 FROM ins)
         AND account_id = $1 AND id = $2 AND ${rankSql('status')} < ${rankSql('$7::text')}
     ), m AS (
       SELECT account_id, id, source, channel_type FROM messages
       WHERE $8::boolean AND EXISTS (SELECT 1 FROM ins) AND account_id = $1 AND id = $2 AND source IS NOT NULL
     ), w AS (
       INSERT INTO flow_run_wakes (account_id, run_id, wake)
       SELECT m.account_id, m.source ->> 'run_id',
         jsonb_build_object('kind', 'message', 'key', m.source ->> 'key', 'messageId', m.id, 'status', $3::text, 'channel_type', m.channel_type)
       FROM m WHERE (m.source ->> 'await')::boolean IS TRUE
         AND EXISTS (SELECT 1 FROM flow_runs r WHERE r.account_id = m.account_id AND r.id = m.source ->> 'run_id' AND r.status IN ('active', 'waiting'))
       RETURNING run_id
     ), runs AS (
       UPDATE flow_runs SET due_at = now() WHERE account_id = $1 AND id IN (SELECT run_id FROM w) AND status = 'waiting'
     ), o AS (
       UPDATE otps SET check_at = CASE WHEN $3::text = 'delivered' THEN NULL ELSE now() END FROM m
       WHERE otps.account_id = m.account_id AND otps.id = m.source ->> 'otp_id' AND otps.status = 'pending'
       RETURNING otps.check_at IS NOT NULL AS wake
     )
     SELECT (SELECT count(*) FROM ins)::int AS inserted, (SELECT count(*) FROM o WHERE wake)::int AS otps`,
    [e.accountId, e.messageId, e.type, e.at ?? null, JSON.stringify(e.detail ?? {}), e.dedupeKey ?? null, status, OUTCOMES_FOR_FLOWS.has(e.type)],
  );
  const row = r.rows[0];
  if (row?.otps) await db.query(`NOTIFY ${OTP_CHANNEL}`);
  return (row?.inserted ?? 0) > 0;
}

/** Finds the message a provider id (an SMS part's id, a call id) belongs to. */
export async function messageForProviderId(db: Queryable, accountId: string, channelId: string, providerId: string): Promise<string | undefined> {
  const r = await db.query<{ message_id: string }>(
    'SELECT message_id FROM provider_refs WHERE account_id = $1 AND channel_id = $2 AND provider_id = $3',
    [accountId, channelId, providerId],
  );
  return r.rows[0]?.message_id;
}
