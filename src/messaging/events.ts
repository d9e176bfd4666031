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

/**
 * Appends an event to a message's timeline and moves its status forward when the event is a
 * status. Returns false when the event was a replay (same dedupe key) or the message is unknown.
 */
export async function recordEvent(db: Queryable, e: MessageEvent): Promise<boolean> {
  const inserted = await db.query(
    `INSERT INTO message_events (account_id, message_id, type, at, detail, dedupe_key)
     SELECT $1, $2, $3, coalesce($4, now()), $5, $6
     WHERE EXISTS (SELECT 1 FROM messages WHERE account_id = $1 AND id = $2)
     ON CONFLICT (account_id, message_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`,
    [e.accountId, e.messageId, e.type, e.at ?? null, JSON.stringify(e.detail ?? {}), e.dedupeKey ?? null],
  );
  if (inserted.rowCount === 0) return false;
  const status = statusForEvent(e.type);
  if (status) {
    await db.query(
      `UPDATE messages SET status = $3, updated_at = now()
       WHERE account_id = $1 AND id = $2 AND ${rankSql('status')} < ${rankSql('$3::text')}`,
      [e.accountId, e.messageId, status],
    );
  }
  if (OUTCOMES_FOR_FLOWS.has(e.type)) await wakeWaitingRun(db, e.accountId, e.messageId, e.type);
  return true;
}

/** Outcomes a flow's send_fallback waits for (DESIGN.md: delivery events go back into flows). */
const OUTCOMES_FOR_FLOWS = new Set(['delivered', 'failed', 'bounced', 'complained', 'suppressed']);

/**
 * When the message was sent by a flow step that waits for its outcome (`source.await`), hands the
 * outcome to that run as a wake and makes the run due now.
 */
async function wakeWaitingRun(db: Queryable, accountId: string, messageId: string, status: string): Promise<void> {
  const r = await db.query<{ run_id: string }>(
    `INSERT INTO flow_run_wakes (account_id, run_id, wake)
     SELECT account_id, source ->> 'run_id',
       jsonb_build_object('kind', 'message', 'key', source ->> 'key', 'messageId', id, 'status', $3::text, 'channel_type', channel_type)
     FROM messages m WHERE account_id = $1 AND id = $2 AND (source ->> 'await')::boolean IS TRUE
       AND EXISTS (SELECT 1 FROM flow_runs r WHERE r.account_id = m.account_id AND r.id = m.source ->> 'run_id' AND r.status IN ('active', 'waiting'))
     RETURNING run_id`,
    [accountId, messageId, status],
  );
  const runId = r.rows[0]?.run_id;
  if (runId) await db.query(`UPDATE flow_runs SET due_at = now() WHERE account_id = $1 AND id = $2 AND status = 'waiting'`, [accountId, runId]);
}

/** Finds the message a provider id (an SMS part's id, a call id) belongs to. */
export async function messageForProviderId(db: Queryable, accountId: string, channelId: string, providerId: string): Promise<string | undefined> {
  const r = await db.query<{ message_id: string }>(
    'SELECT message_id FROM provider_refs WHERE account_id = $1 AND channel_id = $2 AND provider_id = $3',
    [accountId, channelId, providerId],
  );
  return r.rows[0]?.message_id;
}
