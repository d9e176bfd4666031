import { api } from '../ui/api';
import type { OtpSettings, OtpStats, OtpView } from './types';

const enc = encodeURIComponent;

/** Newest first; `before` is the last row's `created_at`, for the next (older) page. */
export const getOtps = async (query: { limit?: number; before?: string }, signal?: AbortSignal) =>
  (await api.get<{ otps: OtpView[] }>('/otp', { ...query }, signal)).otps;
export const getOtp = (id: string, signal?: AbortSignal) => api.get<OtpView>(`/otp/${enc(id)}`, undefined, signal);

/** Per-channel sent, delivered, verified, conversion and delivery latency over `from`–`to` (ISO). */
export const getOtpStats = (range: { from?: string; to?: string }, signal?: AbortSignal) =>
  api.get<OtpStats>('/otp/stats', { ...range }, signal);

export const getOtpSettings = (signal?: AbortSignal) => api.get<OtpSettings>('/settings/otp', undefined, signal);
/** Admin only (403 otherwise); a bad value is a 4xx naming the field (`per_account.max`). */
export const updateOtpSettings = (patch: Partial<OtpSettings>) => api.patch<OtpSettings>('/settings/otp', patch);
