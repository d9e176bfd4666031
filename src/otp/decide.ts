import type { OtpChannel } from './options.js';

export type OtpStatus = 'pending' | 'verified' | 'expired' | 'too_many_attempts' | 'undeliverable';

export interface VerifyState {
  status: OtpStatus;
  attempts: number;
  maxAttempts: number;
  expiresAt: Date;
}

export type VerifyAnswer =
  | { valid: true }
  | { valid: false; reason: 'invalid'; attempts_left: number }
  | { valid: false; reason: 'expired' | 'too_many_attempts' | 'already_used' };

/** What a verify does to the row: nothing, count a wrong attempt, or end the OTP with a status. */
export type VerifyChange =
  | { kind: 'none' }
  | { kind: 'attempt'; attempts: number; status: OtpStatus };

/**
 * Pure: a verify's answer and change from the row, the time and whether the code matched.
 * Order matters: a used OTP says so even after its TTL; a dead one stays dead for the right code;
 * an expired one counts no attempt. The wrong attempt that uses the last one answers `invalid`
 * with 0 left; every verify after it answers `too_many_attempts`.
 */
export function decideVerify(s: VerifyState, now: Date, matches: boolean): { answer: VerifyAnswer; change: VerifyChange } {
  if (s.status === 'verified') return { answer: { valid: false, reason: 'already_used' }, change: { kind: 'none' } };
  if (s.status === 'too_many_attempts') return { answer: { valid: false, reason: 'too_many_attempts' }, change: { kind: 'none' } };
  if (s.status === 'expired' || now.getTime() >= s.expiresAt.getTime()) {
    return { answer: { valid: false, reason: 'expired' }, change: s.status === 'expired' ? { kind: 'none' } : { kind: 'attempt', attempts: s.attempts, status: 'expired' } };
  }
  const attempts = s.attempts + 1;
  if (matches) return { answer: { valid: true }, change: { kind: 'attempt', attempts, status: 'verified' } };
  const left = Math.max(0, s.maxAttempts - attempts);
  return { answer: { valid: false, reason: 'invalid', attempts_left: left }, change: { kind: 'attempt', attempts, status: left === 0 ? 'too_many_attempts' : s.status } };
}

/** Message statuses that settle a channel: it reached the person, or it never will. */
const DELIVERED = new Set(['delivered', 'opened', 'clicked']);
const FAILED = new Set(['failed', 'bounced', 'suppressed', 'complained']);

export interface FallbackState {
  status: OtpStatus;
  expiresAt: Date;
  plan: OtpChannel[];
  /** Index into plan of the channel sent last. */
  step: number;
  /** The last message sent: its status and when it was queued. */
  last: { status: string; queuedAt: Date } | null;
  timeoutsSeconds: Record<OtpChannel, number>;
  /** Every message sent so far failed for good (for `undeliverable` when the plan runs out). */
  allFailed: boolean;
}

export type FallbackMove =
  | { kind: 'end'; status: OtpStatus }
  | { kind: 'stop' }
  | { kind: 'wait'; until: Date }
  | { kind: 'send'; step: number }
  | { kind: 'exhausted'; undeliverable: boolean };

/**
 * Pure: what the fallback does next. A delivered message stops it; a failed one moves on now; one
 * neither delivered nor failed moves on after its channel's timeout. The OTP's expiry ends it.
 */
export function nextMove(s: FallbackState, now: Date): FallbackMove {
  if (s.status !== 'pending') return { kind: 'stop' };
  if (now.getTime() >= s.expiresAt.getTime()) return { kind: 'end', status: 'expired' };
  if (!s.last) return s.step + 1 < s.plan.length ? { kind: 'send', step: s.step + 1 } : { kind: 'exhausted', undeliverable: s.allFailed };
  if (DELIVERED.has(s.last.status)) return { kind: 'stop' };
  const failed = FAILED.has(s.last.status);
  if (!failed) {
    const channel = s.plan[s.step];
    const due = new Date(s.last.queuedAt.getTime() + (channel ? s.timeoutsSeconds[channel] : 0) * 1000);
    if (now.getTime() < due.getTime()) return { kind: 'wait', until: due };
  }
  if (s.step + 1 < s.plan.length) return { kind: 'send', step: s.step + 1 };
  return { kind: 'exhausted', undeliverable: s.allFailed && failed };
}
