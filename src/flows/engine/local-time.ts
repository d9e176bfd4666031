import { addDays, wallTime, zonedInstant, type LocalDate } from '../../messaging/policy/time.js';

/**
 * Local times for `wait {at}` and `wait {until_field, offset_days, at}` (and date_field entries),
 * on the DST-safe helpers of messaging/policy/time.ts: a wall-clock reading that happens twice
 * takes the first, one that the clocks skip takes the moment of the jump.
 */

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes past midnight of "HH:MM", or undefined when it is not a 24-hour time. */
export function parseHhmm(hhmm: string): number | undefined {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** The first instant at or after `now` when the wall clock in `timezone` reads `hhmm`. */
export function nextLocalTime(now: Date, hhmm: string, timezone: string): Date | undefined {
  const minutes = parseHhmm(hhmm);
  if (minutes === undefined) return undefined;
  const today = wallTime(now, timezone);
  const candidate = zonedInstant(today, minutes, timezone);
  return candidate.getTime() >= now.getTime() ? candidate : zonedInstant(addDays(today, 1), minutes, timezone);
}

/**
 * The instant `offsetDays` calendar days after a date field's value, at `hhmm` local time.
 * A date (YYYY-MM-DD) without `hhmm` means local midnight; a datetime without `hhmm` keeps its
 * local time of day (so "+1 day" across a DST change is still the same wall-clock time).
 * Undefined when the value is not a date or `hhmm` not a time.
 */
export function dateFieldInstant(value: unknown, offsetDays: number, hhmm: string | undefined, timezone: string): Date | undefined {
  const at = hhmm === undefined ? undefined : parseHhmm(hhmm);
  if (hhmm !== undefined && at === undefined) return undefined;
  const base = localDateOf(value, timezone);
  if (!base) return undefined;
  return zonedInstant(addDays(base.date, offsetDays), at ?? base.minutes, timezone);
}

function localDateOf(value: unknown, timezone: string): { date: LocalDate; minutes: number } | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : fromInstant(value, timezone);
  if (typeof value !== 'string') return undefined;
  const d = DATE_ONLY.exec(value);
  if (d) {
    const date = { year: Number(d[1]), month: Number(d[2]), day: Number(d[3]) };
    // Round-trip through Date.UTC to refuse 2026-02-31 rather than roll it into March.
    const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
    if (check.getUTCMonth() !== date.month - 1 || check.getUTCDate() !== date.day) return undefined;
    return { date, minutes: 0 };
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : fromInstant(new Date(t), timezone);
}

function fromInstant(at: Date, timezone: string): { date: LocalDate; minutes: number } {
  const w = wallTime(at, timezone);
  return { date: { year: w.year, month: w.month, day: w.day }, minutes: w.minutes };
}
