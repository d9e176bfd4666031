/**
 * Wall-clock arithmetic in IANA time zones, built on Intl only (no fixed offsets), so daylight
 * saving changes fall where the tz database puts them. Pure: every function takes its instant.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A calendar date with no zone (month 1–12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** What a clock on the wall in some zone shows at an instant. */
export interface WallTime extends LocalDate {
  weekday: Weekday;
  /** Minutes since local midnight, with seconds as a fraction (07:30:30 → 450.5). */
  minutes: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  if (formatters.has(tz)) return true;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** The first of the candidates that is a valid IANA zone; UTC when none is. */
export function resolveTimeZone(...candidates: (string | null | undefined)[]): string {
  for (const tz of candidates) if (tz && isValidTimeZone(tz)) return tz;
  return 'UTC';
}

/** The wall clock as if it were UTC, in ms (seconds precision): the basis of offset arithmetic. */
function wallAsUtcMs(t: number, timeZone: string): number {
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of formatterFor(timeZone).formatToParts(t)) {
    const v = Number(p.value);
    switch (p.type) {
      case 'year': y = v; break;
      case 'month': mo = v; break;
      case 'day': d = v; break;
      case 'hour': h = v; break;
      case 'minute': mi = v; break;
      case 'second': s = v; break;
      default: break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** The zone's offset from UTC at instant `t`, in ms (Bogotá: -5 h). */
function offsetAt(t: number, timeZone: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  return wallAsUtcMs(whole, timeZone) - whole;
}

export function weekdayOf(d: LocalDate): Weekday {
  // getUTCDay: 0 = Sunday; WEEKDAYS starts on Monday (ISO).
  return WEEKDAYS[(new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7]!;
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day) + n * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** `2026-12-08` */
export function isoDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function wallTime(at: Date, timeZone: string): WallTime {
  const t = at.getTime();
  const wall = new Date(wallAsUtcMs(t, timeZone) + (t - Math.floor(t / 1000) * 1000));
  const date = { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
  const minutes = wall.getUTCHours() * 60 + wall.getUTCMinutes() + wall.getUTCSeconds() / 60 + wall.getUTCMilliseconds() / MINUTE_MS;
  return { ...date, weekday: weekdayOf(date), minutes };
}

/**
 * The instant at which the wall clock in `timeZone` reads `minutes` past midnight of `date`. When
 * the clocks fall back and that reading happens twice, the earlier one. When it never happens
 * because the clocks jump over it (spring forward), the instant of the jump: the first one that
 * reads later. So "the window opens at 02:30" on a day that skips 02:00–03:00 opens at 03:00.
 */
export function zonedInstant(date: LocalDate, minutes: number, timeZone: string): Date {
  return zonedInstantAfter(date, minutes, timeZone, -Infinity)!;
}

/** Like zonedInstant, but the first such instant later than `after` (ms); undefined when none is. */
export function zonedInstantAfter(date: LocalDate, minutes: number, timeZone: string, after: number): Date | undefined {
  const target = Date.UTC(date.year, date.month - 1, date.day) + Math.round(minutes * MINUTE_MS);
  // The offsets a day either side bracket any single transition near the target.
  const [a, b] = [target - offsetAt(target - DAY_MS, timeZone), target - offsetAt(target + DAY_MS, timeZone)].sort((x, y) => x - y) as [number, number];
  const readsTarget = (t: number): boolean => t + offsetAt(t, timeZone) === target;
  const exact = [a, b].filter(readsTarget);
  if (exact.length > 0) {
    const next = exact.find((t) => t > after);
    return next === undefined ? undefined : new Date(next);
  }
  // In a gap: `a` reads earlier than the target and `b` later; binary-search the jump, in seconds.
  let lo = a;
  let hi = b;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (mid + offsetAt(mid, timeZone) >= target) hi = mid;
    else lo = mid;
  }
  return hi > after ? new Date(hi) : undefined;
}
