import type { Queryable } from '../db/index.js';

export interface ChannelStats {
  channel_type: string;
  sent: number;
  delivered: number;
  failed: number;
  verified: number;
  /** verified / sent on this channel (0 when none sent). */
  conversion: number;
  /** Message queued → delivery receipt, over the messages that have one. */
  latency_ms: { p50: number | null; p90: number | null; p99: number | null };
}

/** GET /v1/otp/stats: per channel and in total, over OTPs created in [from, to). */
export async function otpStats(db: Queryable, accountId: string, from: Date, to: Date) {
  const channels = await db.query<{ channel_type: string; sent: number; delivered: number; failed: number; latency: Array<number | null> | null }>(
    `WITH d AS (
       SELECT d.channel_type, m.status, m.created_at AS queued_at,
         (SELECT min(e.at) FROM message_events e WHERE e.account_id = m.account_id AND e.message_id = m.id AND e.type = 'delivered') AS delivered_at
       FROM otp_deliveries d JOIN messages m ON m.account_id = d.account_id AND m.id = d.message_id
       WHERE d.account_id = $1 AND d.outcome = 'sent' AND d.created_at >= $2 AND d.created_at < $3
     )
     SELECT channel_type, count(*)::int AS sent,
       count(*) FILTER (WHERE status IN ('delivered', 'opened', 'clicked'))::int AS delivered,
       count(*) FILTER (WHERE status IN ('failed', 'bounced', 'complained', 'suppressed'))::int AS failed,
       percentile_cont(ARRAY[0.5, 0.9, 0.99]::float8[]) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - queued_at) * 1000)
         FILTER (WHERE delivered_at IS NOT NULL) AS latency
     FROM d GROUP BY channel_type ORDER BY channel_type`,
    [accountId, from, to],
  );
  const verified = await db.query<{ channel: string; n: number }>(
    `SELECT verified_channel AS channel, count(*)::int AS n FROM otps
     WHERE account_id = $1 AND status = 'verified' AND created_at >= $2 AND created_at < $3 GROUP BY verified_channel`,
    [accountId, from, to],
  );
  const totals = await db.query<{ created: number; verified: number; expired: number; too_many_attempts: number; undeliverable: number; pending: number }>(
    `SELECT count(*)::int AS created,
       count(*) FILTER (WHERE status = 'verified')::int AS verified,
       count(*) FILTER (WHERE status = 'expired' OR (status IN ('pending', 'undeliverable') AND expires_at <= now()))::int AS expired,
       count(*) FILTER (WHERE status = 'too_many_attempts')::int AS too_many_attempts,
       count(*) FILTER (WHERE status = 'undeliverable' AND expires_at > now())::int AS undeliverable,
       count(*) FILTER (WHERE status = 'pending' AND expires_at > now())::int AS pending
     FROM otps WHERE account_id = $1 AND created_at >= $2 AND created_at < $3`,
    [accountId, from, to],
  );
  const verifiedBy = new Map(verified.rows.map((r) => [r.channel, r.n]));
  const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v));
  const out: ChannelStats[] = channels.rows.map((c) => {
    const v = verifiedBy.get(c.channel_type) ?? 0;
    return {
      channel_type: c.channel_type, sent: c.sent, delivered: c.delivered, failed: c.failed, verified: v,
      conversion: c.sent ? Math.round((v / c.sent) * 1000) / 1000 : 0,
      latency_ms: { p50: round(c.latency?.[0]), p90: round(c.latency?.[1]), p99: round(c.latency?.[2]) },
    };
  });
  return { from: from.toISOString(), to: to.toISOString(), totals: totals.rows[0], channels: out };
}
