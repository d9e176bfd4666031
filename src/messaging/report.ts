import type { AppDeps } from '../http/deps.js';
import { withTransaction } from '../db/index.js';
import { AppError } from '../core/errors.js';
import type { ProviderReport } from '../channels/port.js';
import { addSuppression } from './suppressions/index.js';
import { messageForProviderId, recordEvent } from './events.js';
import { OUTBOX_CHANNEL } from './send.js';

const SOFT_BOUNCE_RETRY_MS = 30 * 60_000;
const MAX_SOFT_BOUNCES = 5;

/**
 * Turns a provider's report (an SMPP receipt, a DSN, an ARF complaint, a voice answer, a click)
 * into an event on its message. Replays record nothing new (dedupe key) and statuses only move
 * forward. A hard bounce suppresses the address for every category; a complaint for marketing;
 * a soft bounce puts the message back into the outbox for another try.
 */
export function createReporter(deps: AppDeps): (r: ProviderReport) => Promise<void> {
  return async (r) => {
    const { pool, log } = deps;
    // A resend after a soft bounce carries `<id>.r<n>` as its provider key: the message is `<id>`.
    let messageId = r.messageId?.replace(/\.r\d+$/, '');
    if (!messageId && r.providerId && r.channelId) messageId = await messageForProviderId(pool, r.accountId, r.channelId, r.providerId);
    if (!messageId && r.providerId && r.channelId) {
      // Perhaps the send is not recorded yet: keep the receipt until its ids are (replayPending).
      const kept = await pool.query<{ seq: string }>(
        'INSERT INTO pending_reports (account_id, channel_id, provider_id, report) VALUES ($1, $2, $3, $4) RETURNING seq',
        [r.accountId, r.channelId, r.providerId, JSON.stringify(r)]);
      // The send may have been recorded in between (its replay ran before this row existed): if so,
      // take the row back and go on now.
      messageId = await messageForProviderId(pool, r.accountId, r.channelId, r.providerId);
      if (!messageId) return;
      const taken = await pool.query('DELETE FROM pending_reports WHERE account_id = $1 AND channel_id = $2 AND provider_id = $3 AND seq = $4',
        [r.accountId, r.channelId, r.providerId, kept.rows[0]!.seq]);
      if (taken.rowCount === 0) return; // the replay took it and reports it
    }
    if (!messageId) {
      log.debug({ type: r.type, channelId: r.channelId }, 'report for an unknown message ignored');
      return;
    }
    const id = messageId;
    const detail: Record<string, unknown> = { ...(r.detail ?? {}), ...(r.providerId ? { provider_id: r.providerId } : {}) };
    const soft = r.type === 'bounced' && detail.class === 'soft';
    const type = soft ? 'soft_bounced' : r.type;
    const dedupeKey = `${type}:${r.providerId ?? ''}:${stableDetail(detail)}`;
    const event = { accountId: r.accountId, messageId: id, type, at: r.at, detail, dedupeKey };
    // A receipt that is only a fact on the timeline (delivered, failed, opened…) is one statement:
    // no transaction around it. Bounces and complaints also resend or suppress, atomically with it.
    if (type !== 'soft_bounced' && type !== 'bounced' && type !== 'complained') {
      await recordEvent(pool, event);
      return;
    }
    await withTransaction(pool, async (tx) => {
      const fresh = await recordEvent(tx, event);
      if (!fresh) return;
      if (soft) {
        const m = await tx.query<{ channel_id: string; n: number; otp: boolean }>(
          `SELECT channel_id, (SELECT count(*)::int FROM message_events e WHERE e.account_id = $1 AND e.message_id = $2 AND e.type = 'soft_bounced') AS n,
             source ? 'otp_id' AS otp
           FROM messages WHERE account_id = $1 AND id = $2`, [r.accountId, id]);
        const row = m.rows[0];
        if (row?.otp) {
          // An OTP does not wait hours for a mailbox to recover: its next channel goes now (and
          // its code, sealed only until sent, is no longer in the outbox to resend).
          await recordEvent(tx, { accountId: r.accountId, messageId: id, type: 'bounced', detail: { ...detail, otp_falls_back: true } });
        } else if (row && row.n <= MAX_SOFT_BOUNCES) {
          await tx.query(
            `INSERT INTO outbox (account_id, message_id, channel_id, due_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
             ON CONFLICT DO NOTHING`, [r.accountId, id, row.channel_id, SOFT_BOUNCE_RETRY_MS / 1000]);
          await tx.query(`NOTIFY ${OUTBOX_CHANNEL}`);
        } else if (row) {
          await recordEvent(tx, { accountId: r.accountId, messageId: id, type: 'bounced', detail: { ...detail, gave_up_after: row.n } });
        }
        return;
      }
      if (r.type === 'bounced' || r.type === 'complained') {
        const m = await tx.query<{ to_address: string; channel_type: string }>(
          'SELECT to_address, channel_type FROM messages WHERE account_id = $1 AND id = $2', [r.accountId, id]);
        const msg = m.rows[0];
        if (msg && msg.channel_type === 'email') {
          // An address the suppression list cannot read must not roll back the bounce event.
          await addSuppression(tx, {
            accountId: r.accountId, type: 'email', value: msg.to_address,
            reason: r.type === 'bounced' ? `hard bounce ${String(detail.status ?? '')}`.trim() : 'complaint',
            category: r.type === 'complained' ? 'marketing' : null,
          }).catch((e: unknown) => {
            if (!(e instanceof AppError)) throw e;
          });
        }
      }
    });
  };
}

function stableDetail(d: Record<string, unknown>): string {
  const keys = ['stat', 'status', 'class', 'digits', 'feedback_type', 'url'];
  return keys.map((k) => (d[k] === undefined ? '' : String(d[k]))).join('|');
}

/**
 * Replays receipts that arrived before their send was recorded, once its provider ids are. A
 * receipt nobody claims within an hour is dropped by the housekeeping.
 */
export async function replayPending(
  deps: AppDeps, report: (r: ProviderReport) => Promise<void>, accountId: string, channelId: string, providerIds: string[],
): Promise<void> {
  if (providerIds.length === 0) return;
  const r = await deps.pool.query<{ report: ProviderReport & { at?: string } }>(
    `DELETE FROM pending_reports WHERE account_id = $1 AND channel_id = $2 AND provider_id = ANY($3::text[]) RETURNING report`,
    [accountId, channelId, providerIds]);
  for (const { report: p } of r.rows) await report({ ...p, ...(p.at ? { at: new Date(p.at) } : {}) });
}

export async function expirePendingReports(db: { query: AppDeps['pool']['query'] }): Promise<void> {
  await db.query(`DELETE FROM pending_reports WHERE created_at < now() - interval '1 hour'`);
}
