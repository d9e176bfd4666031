/**
 * Money and dates the way the contact reads them: their language, their country's currency and
 * their time zone. Pure functions over Intl; the Liquid filters (filters.ts) call these.
 */

/** What a render formats with, resolved once per render from the contact (or account). */
export interface LocaleSettings {
  /** A BCP 47 locale with region when known (`es-CO`), for Intl. */
  locale: string;
  /** An IANA time zone (`America/Bogota`). */
  timezone: string;
  /** ISO 4217 currency the `money` filter uses when the template names none. */
  currency?: string;
}

/**
 * A deliberately small map: the countries our banks operate in and their neighbours. The
 * currency is the `money` filter's default and the language the default when the contact and
 * account have none. A country missing here falls back to the locale's region (see
 * `resolveLocale`), and a template can always name the currency: `money: "USD"`.
 */
export const COUNTRY_DEFAULTS: Readonly<Record<string, { currency: string; language: string }>> = {
  AR: { currency: 'ARS', language: 'es' }, BO: { currency: 'BOB', language: 'es' },
  BR: { currency: 'BRL', language: 'pt' }, CA: { currency: 'CAD', language: 'en' },
  CL: { currency: 'CLP', language: 'es' }, CO: { currency: 'COP', language: 'es' },
  CR: { currency: 'CRC', language: 'es' }, DE: { currency: 'EUR', language: 'de' },
  DO: { currency: 'DOP', language: 'es' }, EC: { currency: 'USD', language: 'es' },
  ES: { currency: 'EUR', language: 'es' }, FR: { currency: 'EUR', language: 'fr' },
  GB: { currency: 'GBP', language: 'en' }, GT: { currency: 'GTQ', language: 'es' },
  HN: { currency: 'HNL', language: 'es' }, IT: { currency: 'EUR', language: 'it' },
  MX: { currency: 'MXN', language: 'es' }, NI: { currency: 'NIO', language: 'es' },
  PA: { currency: 'USD', language: 'es' }, PE: { currency: 'PEN', language: 'es' },
  PT: { currency: 'EUR', language: 'pt' }, PY: { currency: 'PYG', language: 'es' },
  SV: { currency: 'USD', language: 'es' }, US: { currency: 'USD', language: 'en' },
  UY: { currency: 'UYU', language: 'es' }, VE: { currency: 'VES', language: 'es' },
};

const FALLBACK_LOCALE = 'en-US';

/**
 * The Intl checks below build formatters (tens of µs each) and a bulk send asks the same few
 * questions again and again: their answers are remembered by input (a bounded map).
 */
function remembered(check: (input: string) => string | undefined): (input: string) => string | undefined {
  const answers = new Map<string, string | undefined>();
  return (input) => {
    if (answers.has(input)) return answers.get(input);
    let valid: string | undefined;
    try {
      valid = check(input);
    } catch {
      valid = undefined;
    }
    if (answers.size > 1000) answers.clear();
    answers.set(input, valid);
    return valid;
  };
}

const validLocale = remembered((tag) => {
  const [canonical] = Intl.getCanonicalLocales(tag);
  return canonical && Intl.NumberFormat.supportedLocalesOf([canonical]).length ? canonical : undefined;
});

const checkTimezone = remembered((tz) => new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone);

export function validTimezone(tz: string | undefined): string | undefined {
  return tz ? checkTimezone(tz) : undefined;
}

/**
 * `es` + `CO` → `es-CO` (so `money` groups with dots and dates read day/month); a language that
 * already names its region keeps it. No language: the country's language; neither: en-US. The
 * currency follows the country, else the locale's region; a bad time zone falls back to UTC.
 */
export function resolveLocale(input: { language?: string | null; country?: string | null; timezone?: string | null }): LocaleSettings {
  const country = input.country && /^[A-Za-z]{2}$/.test(input.country) ? input.country.toUpperCase() : undefined;
  const defaults = country ? COUNTRY_DEFAULTS[country] : undefined;
  const language = input.language?.trim() || defaults?.language;
  let locale: string | undefined;
  if (language) {
    const hasRegion = language.includes('-');
    locale = validLocale(!hasRegion && country ? `${language}-${country}` : language) ?? validLocale(language);
  }
  locale ??= FALLBACK_LOCALE;
  let currency = defaults?.currency;
  if (!currency) {
    const region = new Intl.Locale(locale).maximize().region;
    currency = region ? COUNTRY_DEFAULTS[region]?.currency : undefined;
  }
  return { locale, timezone: validTimezone(input.timezone ?? undefined) ?? 'UTC', ...(currency ? { currency } : {}) };
}

// Intl formatters are costly to build (tens of µs) and a bulk send formats the same few locales.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key);
  if (!f) {
    if (formatters.size > 500) formatters.clear();
    f = make();
    formatters.set(key, f);
  }
  return f as T;
}

// Intl puts no-break spaces in "$ 1.234" and "9:30 a. m."; they are outside GSM-7 and would turn
// a whole SMS into UCS-2 (70 characters a part instead of 160). A plain space reads the same.
const NO_BREAK_SPACES = /[\u00A0\u202F]/g;

/**
 * `1234567.89` in es-CO/COP → `$ 1.234.567,89`. The currency's own decimals are used (COP and
 * CLP have none, so `$ 1.234.567`) unless that would round away cents: a bank must not show a
 * rounded balance, so an amount with cents always shows two decimals.
 */
export function formatMoney(amount: number, currency: string | undefined, locale: string): string {
  const base: Intl.NumberFormatOptions = currency ? { style: 'currency', currency } : { style: 'decimal' };
  const standard = cached(`n|${locale}|${currency ?? ''}`, () => new Intl.NumberFormat(locale, base));
  const digits = standard.resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10 ** digits;
  const losesCents = Math.round(amount * scale) / scale !== amount;
  const fmt = losesCents
    ? cached(`n2|${locale}|${currency ?? ''}`, () => new Intl.NumberFormat(locale, { ...base, minimumFractionDigits: 2, maximumFractionDigits: 2 }))
    : standard;
  return fmt.format(amount).replace(NO_BREAK_SPACES, ' ');
}

export const DATE_STYLES = ['short', 'medium', 'long', 'full'] as const;
export type DateStyle = (typeof DATE_STYLES)[number];

/**
 * A value as a point in time. A plain date (`2026-03-15`, how contacts store date fields) is a
 * calendar day, not an instant: it is pinned to UTC and formatted in UTC so that no time zone
 * moves it to the day before.
 */
export function toInstant(value: unknown): { at: Date; dateOnly: boolean } | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : { at: value, dateOnly: false };
  if (typeof value === 'number') return Number.isFinite(value) ? { at: new Date(value), dateOnly: false } : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (ymd) {
    const at = new Date(Date.UTC(Number(ymd[1]), Number(ymd[2]) - 1, Number(ymd[3])));
    return at.getUTCDate() === Number(ymd[3]) ? { at, dateOnly: true } : undefined;
  }
  if (s === 'now' || s === 'today') return { at: new Date(), dateOnly: false };
  // Only ISO-like strings: Date.parse accepts too much ("1", "March") to be trusted.
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) return undefined;
  const at = new Date(s);
  return Number.isNaN(at.getTime()) ? undefined : { at, dateOnly: false };
}

/**
 * `short` is numeric with a four-digit year (15/03/2026 in es-CO, 03/15/2026 in en-US): what a
 * bank prints on a statement. The others are Intl's date styles (`long`: 15 de marzo de 2026).
 * `withTime` adds hours and minutes in the time zone.
 */
export function formatDate(value: { at: Date; dateOnly: boolean }, style: DateStyle, settings: LocaleSettings, withTime: boolean): string {
  const timeZone = value.dateOnly ? 'UTC' : settings.timezone;
  const key = `d|${settings.locale}|${timeZone}|${style}|${withTime}`;
  const fmt = cached(key, () => {
    const date: Intl.DateTimeFormatOptions = style === 'short' ? { day: '2-digit', month: '2-digit', year: 'numeric' } : { dateStyle: style };
    const time: Intl.DateTimeFormatOptions = !withTime ? {} : style === 'short' ? { hour: 'numeric', minute: '2-digit' } : { timeStyle: 'short' };
    return new Intl.DateTimeFormat(settings.locale, { ...date, ...time, timeZone });
  });
  return fmt.format(value.at).replace(NO_BREAK_SPACES, ' ');
}
