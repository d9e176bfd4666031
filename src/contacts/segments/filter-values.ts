import { AppError } from '../../core/errors.js';
import type { FieldDef } from '../fields.js';
import { normaliseValue, type NormaliseContext } from '../field-types.js';

/** Every filter problem is a 422 `invalid_filter` naming the node by path (`filter.and[1].op`). */
export const filterError = (path: string, reason: string): AppError =>
  new AppError(422, 'invalid_filter', `${path}: ${reason}`, [{ field: path, message: reason }]);

type Scalar = string | number | boolean;

export const MAX_LIST_VALUES = 1000;
/** 100 years: further than any birthday or due date a campaign looks for. */
export const MAX_DAYS = 36_500;
const MAX_PATTERN = 1000;

/**
 * One comparison value, normalised the way contacts are stored, so `"15/03/2026"` on a dd/mm/yyyy
 * list compares as `2026-03-15` and `300 123 4567` on a CO list as `+573001234567`.
 */
export function scalarValue(def: FieldDef, raw: unknown, path: string, ctx: NormaliseContext): Scalar {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    throw filterError(path, 'is required (to find contacts without a value use is_empty)');
  }
  if (typeof raw === 'object') throw filterError(path, 'must be a single value');
  const n = normaliseValue(def, raw, ctx);
  if (!n.ok) throw filterError(path, n.reason);
  if (n.value === null) throw filterError(path, 'is required');
  return n.value;
}

/** `in` / `not_in`: a non-empty array of at most 1,000 values, duplicates dropped. */
export function listValue(def: FieldDef, raw: unknown, path: string, ctx: NormaliseContext): Scalar[] {
  if (!Array.isArray(raw) || raw.length === 0) throw filterError(path, 'must be a non-empty array of values');
  if (raw.length > MAX_LIST_VALUES) throw filterError(path, `has more than ${MAX_LIST_VALUES} values`);
  const values = raw.map((v, i) => scalarValue(def, v, `${path}[${i}]`, ctx));
  return [...new Set(values)];
}

/** `between`: `[low, high]`, both inclusive. */
export function rangeValue(def: FieldDef, raw: unknown, path: string, ctx: NormaliseContext): [Scalar, Scalar] {
  if (!Array.isArray(raw) || raw.length !== 2) throw filterError(path, 'must be [low, high]');
  const low = scalarValue(def, raw[0], `${path}[0]`, ctx);
  const high = scalarValue(def, raw[1], `${path}[1]`, ctx);
  // Numbers compare as numbers, ISO dates as text: both are how the database will compare them.
  if (low > high) throw filterError(path, 'the first bound is greater than the second');
  return [low, high];
}

/** `within_last_days` / `within_next_days`: whole days, 0 meaning today. */
export function daysValue(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > MAX_DAYS) {
    throw filterError(path, `must be a whole number of days from 0 to ${MAX_DAYS}`);
  }
  return raw;
}

/**
 * `contains` / `starts_with`: a fragment, not a whole value, so it is not normalised by type
 * (`"300"` is no valid phone, yet a fine part of one).
 */
export function patternValue(raw: unknown, path: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw filterError(path, 'must be a non-empty string');
  if (raw.length > MAX_PATTERN) throw filterError(path, `is longer than ${MAX_PATTERN} characters`);
  return raw;
}

/** `is_empty` / `is_not_empty` take no value; `null` is tolerated as "none". */
export function noValue(raw: unknown, path: string): void {
  if (raw !== undefined && raw !== null) throw filterError(path, 'takes no value');
}
