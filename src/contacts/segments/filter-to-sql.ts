import type { FieldDef } from '../fields.js';
import { castOf, exprKind, fieldExpr } from './field-expr.js';
import type { Condition, FilterNode, Scalar } from './filter-schema.js';
import type { SqlFragment, SqlParams } from './sql-fragment.js';

/**
 * Compiles a validated filter (validateFilter) into a WHERE fragment over `contacts c`.
 *
 * Missing values: a contact without a value for a field does not match a positive condition on
 * it (eq, gt, contains… — SQL gives NULL, which WHERE drops), and DOES match every negative one:
 * `neq 5`, `not_in [1,2]` and `{"not": {"eq": 5}}` all include contacts with no value, as people
 * read "is not 5" to include "has none". Hence `IS DISTINCT FROM` for neq, and `IS NOT TRUE` for
 * not / not_in, which turn SQL's third value (unknown) into "no match" before negating.
 */
export interface CompileContext {
  /** The list's active fields (fieldMap). */
  fields: ReadonlyMap<string, FieldDef>;
  /** "Now" for relative dates, from the injected Clock. */
  now: Date;
  /** The account's IANA time zone: `within_*_days` on a date field counts days as it does. */
  timezone: string;
}

export function compileFilter(filter: FilterNode, ctx: CompileContext): SqlFragment {
  return (params) => compileNode(filter, ctx, params);
}

function compileNode(node: FilterNode, ctx: CompileContext, p: SqlParams): string {
  if ('and' in node) return `(${node.and.map((n) => compileNode(n, ctx, p)).join(' AND ')})`;
  if ('or' in node) return `(${node.or.map((n) => compileNode(n, ctx, p)).join(' OR ')})`;
  if ('not' in node) return `((${compileNode(node.not, ctx, p)}) IS NOT TRUE)`;
  return compileCondition(node, ctx, p);
}

function compileCondition(c: Condition, ctx: CompileContext, p: SqlParams): string {
  const def = ctx.fields.get(c.field);
  // validateFilter has already refused unknown fields; reaching here is a programming error.
  if (!def) throw new Error(`filter field "${c.field}" is not on the list: validate filters before compiling`);
  const e = fieldExpr(def, 'c');
  const kind = exprKind(def.type);
  const cast = castOf(kind);
  // Booleans compare as jsonb (`'true'::jsonb`): no cast of stored data that could fail.
  const v = (x: Scalar): string => p.add(kind === 'boolean' ? JSON.stringify(x) : x, cast);
  const list = (xs: Scalar[]): string => p.add(xs, cast === 'numeric' ? 'numeric[]' : 'text[]');
  switch (c.op) {
    case 'eq': return `${e} = ${v(c.value)}`;
    case 'neq': return `${e} IS DISTINCT FROM ${v(c.value)}`;
    case 'in': return `${e} = ANY(${list(c.value)})`;
    case 'not_in': return `(${e} = ANY(${list(c.value)})) IS NOT TRUE`;
    case 'gt': return `${e} > ${v(c.value)}`;
    case 'gte': return `${e} >= ${v(c.value)}`;
    case 'lt': return `${e} < ${v(c.value)}`;
    case 'lte': return `${e} <= ${v(c.value)}`;
    // Two comparisons rather than BETWEEN: the same shape as gte/lte for the planner and the reader.
    case 'between': return `(${e} >= ${v(c.value[0])} AND ${e} <= ${v(c.value[1])})`;
    case 'contains': return `${e} ILIKE ${p.add(`%${escapeLike(String(c.value))}%`, 'text')}`;
    case 'starts_with': return `${e} ILIKE ${p.add(`${escapeLike(String(c.value))}%`, 'text')}`;
    // Values are stored without empty strings (normalisation turns '' into "no value"), but
    // data written before that rule, or by hand, may hold ''; it counts as empty.
    case 'is_empty': return kind === 'text' ? `coalesce(${e}, '') = ''` : `${e} IS NULL`;
    case 'is_not_empty': return kind === 'text' ? `${e} <> ''` : `${e} IS NOT NULL`;
    case 'within_last_days':
    case 'within_next_days': {
      const [from, to] = relativeRange(def, c.op, c.value, ctx);
      return `(${e} >= ${p.add(from, 'text')} AND ${e} <= ${p.add(to, 'text')})`;
    }
  }
}

/** `%`, `_` and the escape character itself match literally (ILIKE's default escape is `\`). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

const DAY_MS = 86_400_000;

/**
 * The inclusive bounds of `within_last_days N` / `within_next_days N`.
 * Dates: calendar days in the account's time zone — at 21:00 on 14 March in Bogotá (02:00 UTC on
 * the 15th) "today" is still the 14th. Datetimes: instants, now − N days … now (or now … now + N).
 */
export function relativeRange(
  def: Pick<FieldDef, 'type'>,
  op: 'within_last_days' | 'within_next_days',
  days: number,
  ctx: Pick<CompileContext, 'now' | 'timezone'>,
): [string, string] {
  const past = op === 'within_last_days';
  if (def.type === 'datetime') {
    const now = ctx.now.getTime();
    const other = new Date(past ? now - days * DAY_MS : now + days * DAY_MS).toISOString();
    const nowIso = ctx.now.toISOString();
    return past ? [other, nowIso] : [nowIso, other];
  }
  const today = localDate(ctx.now, ctx.timezone);
  const other = addDays(today, past ? -days : days);
  return past ? [other, today] : [today, other];
}

/** The calendar date (YYYY-MM-DD) at `at` in time zone `tz`. */
export function localDate(at: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((x) => x.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

function addDays(isoDate: string, days: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
