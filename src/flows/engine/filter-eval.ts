import { OPS } from '../../contacts/segments/filter-schema.js';
import { relativeRange } from '../../contacts/segments/filter-to-sql.js';
import { FlowRuntimeError } from './errors.js';
import { resolveField, type Scope } from './paths.js';

/**
 * The segment filter DSL (contacts/segments/filter-schema.ts) evaluated in memory over a contact,
 * the event (`event.<path>`) and the previous step (`last.<key>`), for `branch` nodes.
 *
 * Same semantics as the SQL compiler (filter-to-sql.ts):
 * - a missing value (absent, null) never matches a positive condition and always matches a
 *   negative one (`neq`, `not_in`, `not`); `is_empty` also counts '' as empty;
 * - `eq`/`in` on text are case-sensitive, `contains`/`starts_with` are not (ILIKE);
 * - dates compare as ISO strings (datetimes with an offset are turned into UTC ISO first);
 * - `within_last_days`/`within_next_days`: a date value (YYYY-MM-DD) counts calendar days in
 *   `timezone`, a datetime counts instants, both inclusive (relativeRange, shared with SQL).
 * One difference, on purpose: events carry untyped JSON, so a numeric string compared with a
 * number compares as that number (SQL reads a string in a number field as "no value").
 */
export interface EvalClock {
  now: Date;
  timezone: string;
}

export function evaluateFilter(filter: unknown, scope: Scope, clock: EvalClock, depth = 0): boolean {
  if (depth > 20) throw new FlowRuntimeError('filter is nested deeper than 20 levels');
  if (!isRecord(filter)) throw new FlowRuntimeError('filter must be an object');
  if ('and' in filter) return list(filter.and, 'and').every((f) => evaluateFilter(f, scope, clock, depth + 1));
  if ('or' in filter) return list(filter.or, 'or').some((f) => evaluateFilter(f, scope, clock, depth + 1));
  if ('not' in filter) return !evaluateFilter(filter.not, scope, clock, depth + 1);
  const { field, op, value } = filter;
  if (typeof field !== 'string' || typeof op !== 'string') throw new FlowRuntimeError('filter condition needs "field" and "op"');
  return evaluateCondition(op, resolveField(field, scope), value, clock);
}

const KNOWN_OPS: ReadonlySet<string> = new Set(OPS);

function evaluateCondition(op: string, actual: unknown, expected: unknown, clock: EvalClock): boolean {
  // Checked first: an unknown op must fail the run even when the value happens to be missing.
  if (!KNOWN_OPS.has(op)) throw new FlowRuntimeError(`unknown filter op "${op.slice(0, 40)}"`);
  const missing = actual === undefined || actual === null;
  switch (op) {
    case 'is_empty': return missing || actual === '';
    case 'is_not_empty': return !missing && actual !== '';
    case 'neq': return missing || !equals(actual, expected);
    case 'not_in': return missing || !asArray(expected, op).some((x) => equals(actual, x));
    default: break;
  }
  if (missing) return false;
  switch (op) {
    case 'eq': return equals(actual, expected);
    case 'in': return asArray(expected, op).some((x) => equals(actual, x));
    case 'gt': return ordered(actual, expected, (c) => c > 0);
    case 'gte': return ordered(actual, expected, (c) => c >= 0);
    case 'lt': return ordered(actual, expected, (c) => c < 0);
    case 'lte': return ordered(actual, expected, (c) => c <= 0);
    case 'between': {
      const [lo, hi] = asArray(expected, op);
      return ordered(actual, lo, (c) => c >= 0) && ordered(actual, hi, (c) => c <= 0);
    }
    case 'contains': return text(actual).toLowerCase().includes(text(expected).toLowerCase());
    case 'starts_with': return text(actual).toLowerCase().startsWith(text(expected).toLowerCase());
    case 'within_last_days':
    case 'within_next_days': return within(op, actual, expected, clock);
    default: return false; // unreachable: KNOWN_OPS above
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function list(v: unknown, key: string): unknown[] {
  if (!Array.isArray(v)) throw new FlowRuntimeError(`filter "${key}" must be an array`);
  return v;
}

function asArray(v: unknown, op: string): unknown[] {
  if (!Array.isArray(v)) throw new FlowRuntimeError(`filter op "${op}" needs an array value`);
  return v;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

/** Datetimes with an offset → UTC ISO, so '…T09:00:00-05:00' and '…T14:00:00Z' are one instant. */
function normaliseString(s: string): string {
  if (!DATETIME.test(s)) return s;
  const t = Date.parse(s);
  return Number.isNaN(t) ? s : new Date(t).toISOString();
}

/** Both sides as numbers when either is a number and the other a number or numeric string. */
function numbers(a: unknown, b: unknown): [number, number] | undefined {
  if (typeof a !== 'number' && typeof b !== 'number') return undefined;
  const n = (v: unknown): number | undefined =>
    typeof v === 'number' ? v : typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v) : undefined;
  const x = n(a);
  const y = n(b);
  return x === undefined || y === undefined ? undefined : [x, y];
}

/** Equality as `eq` sees it (numbers with numeric strings, datetimes as instants); used by event matching too. */
export function equals(a: unknown, b: unknown): boolean {
  const nums = numbers(a, b);
  if (nums) return nums[0] === nums[1];
  if (typeof a === 'string' && typeof b === 'string') return normaliseString(a) === normaliseString(b);
  return a === b;
}

/** Order of numbers or strings (ISO dates); anything else (booleans, objects, mixed) never matches. */
function ordered(a: unknown, b: unknown, test: (cmp: number) => boolean): boolean {
  const nums = numbers(a, b);
  if (nums) return test(nums[0] - nums[1]);
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const x = normaliseString(a);
  const y = normaliseString(b);
  return test(x < y ? -1 : x > y ? 1 : 0);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function within(op: 'within_last_days' | 'within_next_days', actual: unknown, days: unknown, clock: EvalClock): boolean {
  if (typeof days !== 'number' || !Number.isFinite(days)) throw new FlowRuntimeError(`filter op "${op}" needs a number of days`);
  if (typeof actual !== 'string') return false;
  if (DATE_ONLY.test(actual)) {
    const [from, to] = relativeRange({ type: 'date' }, op, days, clock);
    return actual >= from && actual <= to;
  }
  const t = Date.parse(actual);
  if (Number.isNaN(t)) return false;
  const [from, to] = relativeRange({ type: 'datetime' }, op, days, clock);
  const iso = new Date(t).toISOString();
  return iso >= from && iso <= to;
}
