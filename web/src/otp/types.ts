/** OTP's shapes as the API sends them (`/v1/otp`, `/v1/settings/otp`). The code itself never comes back. */

/** The channels an OTP can travel, in the order a request names them (its fallback order). */
export const OTP_CHANNELS = ['push', 'email', 'sms', 'voice'] as const;
export type OtpChannel = (typeof OTP_CHANNELS)[number];

export const OTP_STATUSES = ['pending', 'verified', 'expired', 'too_many_attempts', 'undeliverable'] as const;
export type OtpStatus = (typeof OTP_STATUSES)[number];

/** One message that carried (or tried to carry) the code over one channel. */
export interface OtpDelivery {
  channel_type: string;
  /** `skipped`: the channel was passed over (no address, no channel, suppressed, rate limit) — `reason` says why. */
  outcome?: 'sent' | 'skipped';
  message_id: string | null;
  /** The message's status (queued, sent, delivered, failed, bounced, suppressed…), or `skipped`. */
  status: string | null;
  queued_at?: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  reason?: string | null;
}

export interface OtpView {
  id: string;
  status: OtpStatus | string;
  /** The channel it is on now, or the last one it was on (null before any went out). */
  channel: string | null;
  /** The planned fallback order, after skipping the channels it had no address for. */
  channels?: string[];
  /** Masked by the server (`+57•••••1234`, `m•••@example.com`). */
  to: { phone?: string; email?: string };
  contact_id: string | null;
  attempts_left: number;
  max_attempts: number;
  expires_at: string;
  created_at: string;
  verified_at: string | null;
  verified_channel?: string | null;
  /** What the code is bound to (amount, payee), shown in its message. */
  context?: Record<string, string> | null;
  deliveries: OtpDelivery[];
}

export interface OtpChannelStats {
  channel_type: string;
  sent: number;
  delivered: number;
  failed: number;
  verified: number;
  /** verified / sent, 0..1 (0 when nothing was sent). */
  conversion: number | null;
  /** Message queued → delivery receipt, in milliseconds; null when nothing was delivered. */
  latency_ms: { p50: number | null; p90: number | null; p99: number | null };
}

export interface OtpStats {
  totals: { created: number; verified: number; expired: number; too_many_attempts: number; undeliverable: number; pending?: number };
  channels: OtpChannelStats[];
}

export interface RateLimit {
  max: number;
  window_seconds: number;
}

export interface OtpSettings {
  per_destination: RateLimit;
  per_account: RateLimit;
  per_verify_source: RateLimit;
  timeouts_seconds: Record<OtpChannel, number>;
}

export const RATE_LIMITS = ['per_destination', 'per_account', 'per_verify_source'] as const;
export type RateLimitKey = (typeof RATE_LIMITS)[number];
