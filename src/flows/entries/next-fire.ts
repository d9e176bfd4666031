import { Cron } from 'croner';
import type { Entry } from '../definition/types.js';
import { nextLocalTime } from '../engine/local-time.js';

/** How often a segment entry looks for contacts that entered the segment. */
export const SEGMENT_SCAN_SECONDS = 60;

/**
 * Pure: when a non-event entry fires next after `after` — a broadcast at its date (once) or by its
 * cron in its time zone, a date field daily at its local time (09:00 by default), a segment every
 * minute. Null: never again (an event or form entry, a one-off broadcast already past).
 */
export function nextFire(entry: Entry, after: Date, accountTimezone: string, lastFired: Date | null): Date | null {
  switch (entry.type) {
    case 'broadcast': {
      const tz = entry.timezone ?? accountTimezone;
      if (entry.cron) return new Cron(entry.cron, { timezone: tz, paused: true }).nextRun(after) ?? null;
      if (lastFired) return null;
      const at = entry.at ? new Date(entry.at) : after;
      return at.getTime() < after.getTime() ? after : at;
    }
    case 'date_field':
      // Strictly after: a check that just fired at 09:00 next fires tomorrow.
      return nextLocalTime(new Date(after.getTime() + 1000), entry.at ?? '09:00', accountTimezone) ?? null;
    case 'segment':
      return new Date(after.getTime() + (lastFired ? SEGMENT_SCAN_SECONDS * 1000 : 0));
    default:
      return null;
  }
}

/** Checks a cron expression (422 at save time rather than a schedule that never fires). */
export function cronError(expr: string, timezone: string | undefined): string | undefined {
  try {
    new Cron(expr, { timezone, paused: true }).nextRun();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
