import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { DateFormat, FieldDef, ListSchema } from './fields.js';

/** A normalised value, or the reason it was rejected. `null` clears the field. */
export type Normalised = { ok: true; value: string | number | boolean | null } | { ok: false; reason: string };

const ok = (value: string | number | boolean | null): Normalised => ({ ok: true, value });
const bad = (reason: string): Normalised => ({ ok: false, reason });

export interface NormaliseContext {
  defaultCountry: string | null;
  dateFormat: DateFormat;
  decimalSeparator: '.' | ',';
}

export function contextOf(list: Pick<ListSchema, 'default_country' | 'date_format' | 'decimal_separator'>): NormaliseContext {
  return { defaultCountry: list.default_country, dateFormat: list.date_format, decimalSeparator: list.decimal_separator };
}

// Deliberately simple: RFC 5322 allows far more, but banks' data should look like this.
const EMAIL = /^[^\s@",;<>()[\]\\]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
const TRUE = new Set(['true', 't', '1', 'yes', 'y', 'si', 'sí', 's', 'x', 'on']);
const FALSE = new Set(['false', 'f', '0', 'no', 'n', 'off']);

function validDate(y: number, m: number, d: number): string | undefined {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function normaliseDate(raw: string, format: DateFormat): Normalised {
  let m = ISO_DATE.exec(raw);
  if (m) {
    const iso = validDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return iso ? ok(iso) : bad(`"${raw}" is not a real date`);
  }
  m = LOCAL_DATE.exec(raw);
  if (m && format !== 'yyyy-mm-dd') {
    const [a, b] = [Number(m[1]), Number(m[2])];
    const [day, month] = format === 'dd/mm/yyyy' ? [a, b] : [b, a];
    const iso = validDate(Number(m[3]), month, day);
    return iso ? ok(iso) : bad(`"${raw}" is not a real date (${format})`);
  }
  return bad(`"${raw}" is not a date in YYYY-MM-DD${format === 'yyyy-mm-dd' ? '' : ` or ${format}`}`);
}

export function normaliseDatetime(raw: string, format: DateFormat): Normalised {
  // ISO 8601 with an offset or Z; without one the time is taken as UTC.
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(raw)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(raw);
    const t = Date.parse(raw.replace(' ', 'T') + (hasZone ? '' : 'Z'));
    return Number.isNaN(t) ? bad(`"${raw}" is not a valid date-time`) : ok(new Date(t).toISOString());
  }
  const m = /^(\S+)\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(raw);
  if (m) {
    const d = normaliseDate(m[1]!, format);
    if (!d.ok) return d;
    const [h, min, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
    if (h > 23 || min > 59 || s > 59) return bad(`"${raw}" has an invalid time`);
    return ok(`${d.value}T${String(h).padStart(2, '0')}:${m[3]}:${String(s).padStart(2, '0')}.000Z`);
  }
  const d = normaliseDate(raw, format);
  return d.ok ? ok(`${d.value}T00:00:00.000Z`) : bad(`"${raw}" is not a date-time (ISO 8601, or a date with HH:MM)`);
}

export function normaliseNumber(raw: string, decimal: '.' | ','): Normalised {
  const thousands = decimal === ',' ? /[.\s\u00a0']/g : /[,\s\u00a0']/g;
  let s = raw.replace(/^\$\s*/, '').replace(thousands, '');
  if (decimal === ',') s = s.replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return bad(`"${raw}" is not a number (decimal separator "${decimal}")`);
  const n = Number(s);
  return Number.isFinite(n) ? ok(n) : bad(`"${raw}" is out of range`);
}

export function normaliseEmail(raw: string): Normalised {
  const at = raw.lastIndexOf('@');
  if (!EMAIL.test(raw) || raw.length > 254) return bad(`"${raw}" is not a valid email address`);
  return ok(raw.slice(0, at) + '@' + raw.slice(at + 1).toLowerCase());
}

export function normalisePhone(raw: string, country: string | null): Normalised {
  const p = parsePhoneNumberFromString(raw, (country ?? undefined) as CountryCode | undefined);
  if (!p || !p.isValid()) {
    return bad(`"${raw}" is not a valid phone number${country ? ` for ${country}` : ' (give +country code or set the list\'s default_country)'}`);
  }
  return ok(p.number);
}

const TIMEZONES = new Set<string>(Intl.supportedValuesOf('timeZone'));
TIMEZONES.add('UTC');
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

function normaliseFormat(raw: string, field: FieldDef): Normalised {
  switch (field.format) {
    case 'timezone':
      return TIMEZONES.has(raw) ? ok(raw) : bad(`"${raw}" is not an IANA time zone (e.g. America/Bogota)`);
    case 'country': {
      const code = raw.toUpperCase();
      return /^[A-Z]{2}$/.test(code) && regionNames.of(code) ? ok(code) : bad(`"${raw}" is not an ISO 3166 country code (e.g. CO)`);
    }
    case 'language':
      return /^[a-z]{2,3}(-[A-Za-z]{2,4})?$/i.test(raw) ? ok(raw.replace(/^[a-z]+/i, (l) => l.toLowerCase())) : bad(`"${raw}" is not a language tag (e.g. es or es-CO)`);
    default:
      return ok(raw);
  }
}

/**
 * Validates and normalises one value for its field. Accepts what a CSV gives (strings) and what
 * a JSON client gives (numbers, booleans). `country` is the contact's own country when it has one.
 */
export function normaliseValue(field: FieldDef, input: unknown, ctx: NormaliseContext, country?: string | null): Normalised {
  if (input === null || input === undefined) return ok(null);
  if (typeof input === 'object') return bad('must be a single value, not an object or array');
  const raw = String(input).trim();
  if (raw === '') return ok(null);
  switch (field.type) {
    case 'text':
      if (raw.length > 10_000) return bad('is longer than 10,000 characters');
      return field.format ? normaliseFormat(raw, field) : ok(raw);
    case 'number':
      return typeof input === 'number' ? (Number.isFinite(input) ? ok(input) : bad('is not a finite number')) : normaliseNumber(raw, ctx.decimalSeparator);
    case 'boolean': {
      if (typeof input === 'boolean') return ok(input);
      const l = raw.toLowerCase();
      return TRUE.has(l) ? ok(true) : FALSE.has(l) ? ok(false) : bad(`"${raw}" is not a boolean (true/false, yes/no, 1/0)`);
    }
    case 'date':
      return normaliseDate(raw, ctx.dateFormat);
    case 'datetime':
      return normaliseDatetime(raw, ctx.dateFormat);
    case 'email':
      return normaliseEmail(raw);
    case 'phone':
      return normalisePhone(raw, country ?? ctx.defaultCountry);
    case 'enum': {
      const opts = field.options ?? [];
      const hit = opts.find((o) => o === raw) ?? opts.find((o) => o.toLowerCase() === raw.toLowerCase());
      return hit !== undefined ? ok(hit) : bad(`"${raw}" is not one of: ${opts.join(', ')}`);
    }
  }
}
