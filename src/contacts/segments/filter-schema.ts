import { fieldMap, type FieldDef, type FieldType, type ListSchema } from '../fields.js';
import { contextOf, type NormaliseContext } from '../field-types.js';
import { daysValue, filterError, listValue, noValue, patternValue, rangeValue, scalarValue } from './filter-values.js';

export { filterError };

/**
 * The filter DSL of segments, searches and flow branches (API.md "Contact Manager"):
 * `{"and":[…]}`, `{"or":[…]}`, `{"not":…}` or `{"field", "op", "value"}`.
 * `validateFilter` is the only way in: it checks a filter against a list's active fields and
 * returns it with every value normalised as stored (dates ISO, phones E.164, numbers as numbers),
 * which is also the form segments are saved in.
 */
export const OPS = [
  'eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'gt', 'gte', 'lt', 'lte', 'between',
  'is_empty', 'is_not_empty', 'within_last_days', 'within_next_days',
] as const;
export type Op = (typeof OPS)[number];

export type Scalar = string | number | boolean;
export type Condition =
  | { field: string; op: 'is_empty' | 'is_not_empty' }
  | { field: string; op: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'starts_with'; value: Scalar }
  | { field: string; op: 'in' | 'not_in'; value: Scalar[] }
  | { field: string; op: 'between'; value: [Scalar, Scalar] }
  | { field: string; op: 'within_last_days' | 'within_next_days'; value: number };
export type FilterNode = { and: FilterNode[] } | { or: FilterNode[] } | { not: FilterNode } | Condition;

/** 20 levels and 500 nodes are far beyond what the console's builder produces (3 levels, tens of nodes). */
export const MAX_DEPTH = 20;
export const MAX_NODES = 500;

const EQUALITY: Op[] = ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'];
const MATCH: Op[] = ['contains', 'starts_with'];
const ORDER: Op[] = ['gt', 'gte', 'lt', 'lte', 'between'];
const RELATIVE: Op[] = ['within_last_days', 'within_next_days'];

/**
 * What each type may be asked. Text has no order operators (alphabetical ranges are almost never
 * what a marketer means); booleans only equality, as `in [true, false]` says nothing.
 */
export const OPS_BY_TYPE: Record<FieldType, readonly Op[]> = {
  text: [...EQUALITY, ...MATCH], email: [...EQUALITY, ...MATCH], phone: [...EQUALITY, ...MATCH], enum: [...EQUALITY, ...MATCH],
  number: [...EQUALITY, ...ORDER],
  date: [...EQUALITY, ...ORDER, ...RELATIVE], datetime: [...EQUALITY, ...ORDER, ...RELATIVE],
  boolean: ['eq', 'neq', 'is_empty', 'is_not_empty'],
};

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const COMBINATORS = ['and', 'or', 'not'] as const;
const CONDITION_KEYS = new Set(['field', 'op', 'value']);
/** A stray key as it appears in an error path, cut short so a megabyte key does not echo back. */
const shown = (key: string): string => (key.length > 64 ? `${key.slice(0, 64)}…` : key);
const SHAPE = 'must be {"and":[…]}, {"or":[…]}, {"not":…} or {"field", "op", "value"}';

export type FilterList = Pick<ListSchema, 'fields' | 'default_country' | 'date_format' | 'decimal_separator'>;

/** Validates and normalises a filter; throws AppError 422 `invalid_filter` naming the bad node's path. */
export function validateFilter(list: FilterList, input: unknown, path = 'filter'): FilterNode {
  checkSize(input, path);
  return validateNode(input, path, { fields: fieldMap(list), ctx: contextOf(list) });
}

/**
 * Depth and node count, walked with an explicit stack before anything recurses: a 10,000-level
 * filter is refused at level 21 instead of exhausting the call stack.
 */
function checkSize(root: unknown, rootPath: string): void {
  const stack: { node: unknown; path: string; depth: number }[] = [{ node: root, path: rootPath, depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) throw filterError(path, `nesting is deeper than ${MAX_DEPTH} levels`);
    if (++nodes > MAX_NODES) throw filterError(rootPath, `has more than ${MAX_NODES} nodes`);
    if (!isObject(node)) continue;
    if (has(node, 'not')) stack.push({ node: node.not, path: `${path}.not`, depth: depth + 1 });
    for (const k of ['and', 'or'] as const) {
      const children = node[k];
      if (!has(node, k) || !Array.isArray(children)) continue;
      if (children.length > MAX_NODES) throw filterError(`${path}.${k}`, `has more than ${MAX_NODES} nodes`);
      children.forEach((child, i) => stack.push({ node: child, path: `${path}.${k}[${i}]`, depth: depth + 1 }));
    }
  }
}

interface Scope {
  fields: Map<string, FieldDef>;
  ctx: NormaliseContext;
}

function validateNode(node: unknown, path: string, scope: Scope): FilterNode {
  if (!isObject(node)) throw filterError(path, SHAPE);
  const keys = Object.keys(node);
  const combinator = COMBINATORS.find((c) => has(node, c));
  if (combinator) {
    const extra = keys.find((k) => k !== combinator);
    if (extra !== undefined) throw filterError(`${path}.${shown(extra)}`, `unexpected key next to "${combinator}"`);
    if (combinator === 'not') return { not: validateNode(node.not, `${path}.not`, scope) };
    const children = node[combinator];
    if (!Array.isArray(children) || children.length === 0) throw filterError(`${path}.${combinator}`, 'must be a non-empty array of filters');
    const out = children.map((child, i) => validateNode(child, `${path}.${combinator}[${i}]`, scope));
    return combinator === 'and' ? { and: out } : { or: out };
  }
  const extra = keys.find((k) => !CONDITION_KEYS.has(k));
  if (extra !== undefined) throw filterError(`${path}.${shown(extra)}`, `unexpected key; a node ${SHAPE.replace('must be ', 'is ')}`);
  if (!has(node, 'field') && !has(node, 'op')) throw filterError(path, SHAPE);
  return validateCondition(node, path, scope);
}

function validateCondition(node: Obj, path: string, scope: Scope): Condition {
  const { field, op } = node;
  if (typeof field !== 'string' || field === '') throw filterError(`${path}.field`, 'must be a field key');
  const def = scope.fields.get(field);
  if (!def) throw filterError(`${path}.field`, `unknown field "${field.slice(0, 100)}" on this list`);
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    throw filterError(`${path}.op`, `must be one of: ${OPS.join(', ')}`);
  }
  const allowed = OPS_BY_TYPE[def.type];
  if (!allowed.includes(op as Op)) {
    throw filterError(`${path}.op`, `"${op}" does not apply to ${def.type} field "${field}" (use ${allowed.join(', ')})`);
  }
  return buildCondition(def, op as Op, has(node, 'value') ? node.value : undefined, path, scope.ctx);
}

/** Checks and normalises the value in the shape its op takes. */
function buildCondition(def: FieldDef, op: Op, raw: unknown, path: string, ctx: NormaliseContext): Condition {
  const field = def.key;
  const at = `${path}.value`;
  switch (op) {
    case 'is_empty':
    case 'is_not_empty':
      noValue(raw, at);
      return { field, op };
    case 'in':
    case 'not_in':
      return { field, op, value: listValue(def, raw, at, ctx) };
    case 'between':
      return { field, op, value: rangeValue(def, raw, at, ctx) };
    case 'within_last_days':
    case 'within_next_days':
      return { field, op, value: daysValue(raw, at) };
    case 'contains':
    case 'starts_with':
      return { field, op, value: patternValue(raw, at) };
    default:
      return { field, op, value: scalarValue(def, raw, at, ctx) };
  }
}

/** Field keys a filter reads (for indexes). Validated filters are at most MAX_DEPTH deep. */
export function filterFields(node: FilterNode, out = new Set<string>()): Set<string> {
  if ('and' in node) node.and.forEach((n) => filterFields(n, out));
  else if ('or' in node) node.or.forEach((n) => filterFields(n, out));
  else if ('not' in node) filterFields(node.not, out);
  else out.add(node.field);
  return out;
}
