import { isPublicHoliday } from './holidays.js';
import { addDays, wallTime, zonedInstantAfter, type LocalDate } from './time.js';
import { openIntervals, type OpenInterval, type SendingWindow } from './windows.js';

/** How far ahead the next opening is searched: a year and a day covers any weekly rule and every holiday. */
export const SEARCH_DAYS = 366;

export type SendingTime =
  | { open: true }
  | { open: false; reason: 'quiet_hours' | 'holiday'; due_at: Date };

export interface ScheduleInput {
  now: Date;
  /** The contact's zone (already resolved: valid IANA). */
  timeZone: string;
  /** The windows that apply to this message; empty: any time of day. */
  windows: readonly SendingWindow[];
  /** Whose public holidays close the day (ISO alpha-2); null: holidays do not apply. */
  holidayCountry: string | null;
}

const WHOLE_DAY: OpenInterval[] = [{ start: 0, end: 24 * 60 }];

/**
 * Whether a message may go out at `now`, and if not, the next instant it may: the first
 * instant from `now` on whose local wall time falls inside an open interval of a day that is
 * not a holiday. The search walks local dates forward and converts each opening through the
 * tz database (zonedInstantAfter), so a DST change moves the UTC instant, never the local hour.
 *
 * The reason is `holiday` when holidays made the wait longer than the windows alone would
 * (`quiet_hours` otherwise), so a Sunday-night message before a holiday Monday says `holiday`.
 * A policy with no opening within SEARCH_DAYS (every window empty) defers to the end of the
 * search: the message is re-checked then, never dropped.
 */
export function sendingTime(input: ScheduleInput): SendingTime {
  if (input.windows.length === 0 && !input.holidayCountry) return { open: true };
  const withHolidays = nextOpening(input, input.holidayCountry);
  if (withHolidays && withHolidays.getTime() === input.now.getTime()) return { open: true };
  const dueAt = withHolidays ?? new Date(input.now.getTime() + SEARCH_DAYS * 86_400_000);
  const windowsOnly = input.holidayCountry ? nextOpening(input, null) : withHolidays;
  const heldByHoliday = (windowsOnly?.getTime() ?? Infinity) !== (withHolidays?.getTime() ?? Infinity);
  const reason = heldByHoliday ? 'holiday' : 'quiet_hours';
  return { open: false, reason, due_at: dueAt };
}

/** `now` itself when it is inside an opening; the next opening otherwise; undefined when none within SEARCH_DAYS. */
function nextOpening(input: ScheduleInput, holidayCountry: string | null): Date | undefined {
  const { now, timeZone, windows } = input;
  const wall = wallTime(now, timeZone);
  const today: LocalDate = { year: wall.year, month: wall.month, day: wall.day };
  const intervalsOn = (d: LocalDate): OpenInterval[] => (windows.length > 0 ? openIntervals(windows, d) : WHOLE_DAY);
  for (let k = 0; k <= SEARCH_DAYS; k++) {
    const date = addDays(today, k);
    if (holidayCountry && isPublicHoliday(holidayCountry, date)) continue;
    for (const interval of intervalsOn(date)) {
      if (k === 0 && interval.end <= wall.minutes) continue; // already over today
      if (k === 0 && interval.start <= wall.minutes) return now; // inside it right now
      const opens = zonedInstantAfter(date, interval.start, timeZone, now.getTime());
      if (!opens) continue;
      // A clock change can skip a whole window (02:00–02:30 on a spring-forward night) or move
      // the opening to another day: keep it only if it really reads inside this interval.
      const at = wallTime(opens, timeZone);
      if (at.year === date.year && at.month === date.month && at.day === date.day && at.minutes < interval.end) return opens;
    }
  }
  return undefined;
}
