import { addDays, wallTime, zonedInstant, type LocalDate } from './time.js';

/** Marketing messages already sent to the contact in the current day, week and month. */
export interface SentCounts {
  day: number;
  week: number;
  month: number;
}

export interface FrequencyCaps {
  day?: number;
  week?: number;
  month?: number;
}

/** When the current cap periods began, as instants, for counting `messages.sent_at >= start`. */
export interface CapWindowStarts {
  day: Date;
  week: Date;
  month: Date;
}

/**
 * Cap periods are calendar periods in the contact's zone — the day from local midnight, the ISO
 * week from Monday 00:00, the month from the 1st 00:00 — not rolling 24 h / 7 d / 30 d: "two a
 * week" is what a customer and a regulator read on a calendar. A midnight the clocks skip
 * (zones that change at 00:00) starts at the jump.
 */
export function capWindowStarts(now: Date, timeZone: string): CapWindowStarts {
  const wall = wallTime(now, timeZone);
  const today: LocalDate = { year: wall.year, month: wall.month, day: wall.day };
  const monday = addDays(today, -['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(wall.weekday));
  return {
    day: zonedInstant(today, 0, timeZone),
    week: zonedInstant(monday, 0, timeZone),
    month: zonedInstant({ year: wall.year, month: wall.month, day: 1 }, 0, timeZone),
  };
}

/**
 * The first cap the counts have reached, or undefined. A cap is the most marketing messages per
 * period, so a cap of 0 allows none (to lift a cap, leave it out of the policy). Absent caps
 * never stop anything.
 */
export function reachedCap(caps: FrequencyCaps, sent: SentCounts): { period: 'day' | 'week' | 'month'; cap: number } | undefined {
  for (const period of ['day', 'week', 'month'] as const) {
    const cap = caps[period];
    if (typeof cap === 'number' && Number.isFinite(cap) && sent[period] >= cap) return { period, cap };
  }
  return undefined;
}
