import { WEEKDAYS, addDays, weekdayOf, type LocalDate, type Weekday } from './time.js';

/** One entry of the policy's `sending_windows` (accounts/policy.ts SendingWindow), as the gate reads it. */
export interface SendingWindow {
  category: string;
  /** A channel kind (email, sms, …); absent: every kind. */
  channel_type?: string;
  days: Weekday[];
  /** `HH:MM`, local time of the contact. */
  from: string;
  /** `HH:MM`; `24:00` is the end of the day. */
  to: string;
}

/** A stretch of one local day when sending is allowed: minutes since midnight, [start, end). */
export interface OpenInterval {
  start: number;
  end: number;
}

const HOUR_MINUTE = /^(\d{2}):(\d{2})$/;
const DAY_MINUTES = 24 * 60;

/** `07:30` → 450, `24:00` → 1440; undefined when malformed. */
export function minutesOf(hhmm: string): number | undefined {
  const m = HOUR_MINUTE.exec(hhmm);
  if (!m) return undefined;
  const total = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && total <= DAY_MINUTES ? total : undefined;
}

function isWindow(w: unknown): w is SendingWindow {
  if (typeof w !== 'object' || w === null) return false;
  const o = w as Record<string, unknown>;
  return typeof o.category === 'string'
    && (o.channel_type === undefined || o.channel_type === null || typeof o.channel_type === 'string')
    && Array.isArray(o.days) && o.days.every((d) => (WEEKDAYS as readonly unknown[]).includes(d))
    && typeof o.from === 'string' && minutesOf(o.from) !== undefined
    && typeof o.to === 'string' && minutesOf(o.to) !== undefined;
}

/**
 * The windows that hold a message of this category on this channel kind. The policy is stored
 * JSON (validated on PATCH), read defensively: a malformed entry is skipped, not fatal.
 */
export function windowsFor(raw: readonly unknown[], category: string, kind: string): SendingWindow[] {
  return raw.filter(isWindow).filter((w) => w.category === category && (!w.channel_type || w.channel_type === kind));
}

/**
 * When sending is allowed on a local date, merged and sorted. A window whose `to` is earlier
 * than its `from` (22:00–06:00) runs past midnight: its morning part belongs to the next day,
 * so a Friday night window is open early on Saturday. `from` equal to `to` is an empty window.
 */
export function openIntervals(windows: readonly SendingWindow[], date: LocalDate): OpenInterval[] {
  const today = weekdayOf(date);
  const yesterday = weekdayOf(addDays(date, -1));
  const parts: OpenInterval[] = [];
  for (const w of windows) {
    const from = minutesOf(w.from)!;
    const to = minutesOf(w.to)!;
    if (from < to) {
      if (w.days.includes(today)) parts.push({ start: from, end: to });
    } else if (from > to) {
      if (w.days.includes(today)) parts.push({ start: from, end: DAY_MINUTES });
      if (w.days.includes(yesterday) && to > 0) parts.push({ start: 0, end: to });
    }
  }
  parts.sort((a, b) => a.start - b.start);
  const merged: OpenInterval[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (last && p.start <= last.end) last.end = Math.max(last.end, p.end);
    else merged.push({ ...p });
  }
  return merged;
}
