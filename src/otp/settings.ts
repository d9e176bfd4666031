import { Type, type Static } from 'typebox';
import type { Queryable } from '../db/index.js';
import { ChannelTimeouts, type OtpChannel } from './options.js';

const Limit = (maxMax: number, windowMax: number) => Type.Object({
  max: Type.Integer({ minimum: 1, maximum: maxMax }),
  window_seconds: Type.Integer({ minimum: 1, maximum: windowMax }),
}, { additionalProperties: false });

/** PATCH /v1/settings/otp: each part replaces the one stored. */
export const OtpSettingsPatch = Type.Object({
  per_destination: Type.Optional(Limit(1000, 86_400)),
  per_account: Type.Optional(Limit(1_000_000, 3600)),
  per_verify_source: Type.Optional(Limit(100_000, 86_400)),
  timeouts_seconds: Type.Optional(ChannelTimeouts),
}, { additionalProperties: false });
export type OtpSettingsPatch = Static<typeof OtpSettingsPatch>;

export interface RateLimit { max: number; window_seconds: number }

export interface OtpSettings {
  per_destination: RateLimit;
  per_account: RateLimit;
  per_verify_source: RateLimit;
  timeouts_seconds: Record<OtpChannel, number>;
}

/** The defaults: 5 OTPs per destination per 10 minutes (SMS pumping); push 10 s, email 60 s, SMS 30 s. */
export const DEFAULT_SETTINGS: OtpSettings = {
  per_destination: { max: 5, window_seconds: 600 },
  per_account: { max: 1000, window_seconds: 60 },
  per_verify_source: { max: 20, window_seconds: 60 },
  timeouts_seconds: { push: 10, email: 60, sms: 30, voice: 60 },
};

/** Pure: stored parts over the defaults. */
export function mergeSettings(stored: Partial<OtpSettings> | undefined): OtpSettings {
  const s = stored ?? {};
  return {
    per_destination: s.per_destination ?? DEFAULT_SETTINGS.per_destination,
    per_account: s.per_account ?? DEFAULT_SETTINGS.per_account,
    per_verify_source: s.per_verify_source ?? DEFAULT_SETTINGS.per_verify_source,
    timeouts_seconds: { ...DEFAULT_SETTINGS.timeouts_seconds, ...(s.timeouts_seconds ?? {}) },
  };
}

/** Read on every OTP request: kept for a few seconds per process (another process sees a change within that). */
const CACHE_MS = 5_000;
const cache = new Map<string, { at: number; settings: OtpSettings }>();

export async function loadOtpSettings(db: Queryable, accountId: string): Promise<OtpSettings> {
  const hit = cache.get(accountId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.settings;
  const r = await db.query<{ settings: Partial<OtpSettings> }>('SELECT settings FROM otp_settings WHERE account_id = $1', [accountId]);
  const settings = mergeSettings(r.rows[0]?.settings);
  if (cache.size > 10_000) cache.clear();
  cache.set(accountId, { at: Date.now(), settings });
  return settings;
}

export async function saveOtpSettings(db: Queryable, accountId: string, patch: OtpSettingsPatch): Promise<OtpSettings> {
  cache.delete(accountId);
  const current = await loadOtpSettings(db, accountId);
  const next = mergeSettings({ ...current, ...patch, timeouts_seconds: { ...current.timeouts_seconds, ...(patch.timeouts_seconds ?? {}) } });
  await db.query(
    `INSERT INTO otp_settings (account_id, settings) VALUES ($1, $2)
     ON CONFLICT (account_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
    [accountId, JSON.stringify(next)],
  );
  cache.delete(accountId);
  return next;
}
