import Holidays from 'date-holidays';
import { isoDate, type LocalDate } from './time.js';

/**
 * Public holidays by country, from `date-holidays` (its `public` type only: bank, school,
 * optional and observance days are working days for a marketing rule). A holiday counts for
 * the whole calendar day, even the rare one that starts in the afternoon: holding marketing a
 * few hours longer is the safe side of the law.
 *
 * The rules are fixed data, so the computed sets are cached per country and year (a process
 * sees a handful of countries); this keeps decidePolicy pure in effect and cheap per message.
 */
const cache = new Map<string, Set<string>>();

function publicHolidays(country: string, year: number): Set<string> {
  const key = `${country}:${year}`;
  let days = cache.get(key);
  if (!days) {
    days = new Set();
    try {
      const hd = new Holidays(country);
      for (const h of hd.getHolidays(year) || []) {
        // `date` is the local date the holiday starts on, e.g. "2026-12-08 00:00:00".
        if (h.type === 'public') days.add(h.date.slice(0, 10));
      }
    } catch {
      // An unknown country has no holidays we know of.
    }
    cache.set(key, days);
  }
  return days;
}

/** Whether `date` (a calendar date in the contact's zone) is a public holiday in `country` (ISO 3166 alpha-2). */
export function isPublicHoliday(country: string, date: LocalDate): boolean {
  return publicHolidays(country.toUpperCase(), date.year).has(isoDate(date));
}
