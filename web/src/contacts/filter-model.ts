/**
 * The filter builder's editable model and its translation to and from the API's filter JSON.
 * Inputs hold strings while the user types; `toFilter` turns them into typed values and drops
 * conditions that are not complete yet, so a half-written row never reaches the server.
 */
import type { ConditionValue, FieldDef, FieldType, Filter, FilterOp } from './types';

export interface ConditionNode {
  kind: 'condition';
  id: string;
  field: string;
  op: FilterOp;
  /** The value as typed (first bound of `between`). */
  value: string;
  /** The second bound of `between`. */
  value2: string;
  /** Picked values of `in` / `not_in` on an enum field. */
  values: string[];
}

export interface GroupNode {
  kind: 'group';
  id: string;
  combinator: 'and' | 'or';
  negate: boolean;
  children: FilterNode[];
}

export type FilterNode = ConditionNode | GroupNode;

let seq = 0;
export const newId = () => `n${++seq}`;

export const OP_LABELS: Record<FilterOp, string> = {
  eq: 'is', neq: 'is not', in: 'is any of', not_in: 'is none of', contains: 'contains', starts_with: 'starts with',
  gt: '>', gte: '≥', lt: '<', lte: '≤', between: 'is between',
  is_empty: 'is empty', is_not_empty: 'is not empty', within_last_days: 'in the last … days', within_next_days: 'in the next … days',
};

const DATE_LABELS: Partial<Record<FilterOp, string>> = { gt: 'is after', gte: 'is on or after', lt: 'is before', lte: 'is on or before' };

const TEXT_OPS: FilterOp[] = ['eq', 'neq', 'contains', 'starts_with', 'in', 'not_in', 'is_empty', 'is_not_empty'];
const OPS_BY_TYPE: Record<FieldType, FilterOp[]> = {
  text: TEXT_OPS, email: TEXT_OPS, phone: TEXT_OPS,
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  date: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'within_last_days', 'within_next_days', 'is_empty', 'is_not_empty'],
  datetime: ['gt', 'gte', 'lt', 'lte', 'between', 'within_last_days', 'within_next_days', 'is_empty', 'is_not_empty'],
  boolean: ['eq', 'neq', 'is_empty', 'is_not_empty'],
  enum: ['eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'is_empty', 'is_not_empty'],
};

export function opsFor(type: FieldType | undefined): FilterOp[] {
  return OPS_BY_TYPE[type ?? 'text'];
}

export function opLabel(op: FilterOp, type: FieldType | undefined): string {
  return (type === 'date' || type === 'datetime' ? DATE_LABELS[op] : undefined) ?? OP_LABELS[op];
}

export const takesNoValue = (op: FilterOp) => op === 'is_empty' || op === 'is_not_empty';
export const isListOp = (op: FilterOp) => op === 'in' || op === 'not_in';
export const isDaysOp = (op: FilterOp) => op === 'within_last_days' || op === 'within_next_days';

export function emptyGroup(): GroupNode {
  return { kind: 'group', id: newId(), combinator: 'and', negate: false, children: [] };
}

export function newCondition(field: FieldDef | undefined): ConditionNode {
  return { kind: 'condition', id: newId(), field: field?.key ?? '', op: opsFor(field?.type)[0] ?? 'eq', value: '', value2: '', values: [] };
}

/** One typed value from its input's text, or undefined while it is not a valid value yet. */
function parseScalar(raw: string, type: FieldType): string | number | boolean | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  switch (type) {
    case 'number': {
      const n = Number(s);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return s === 'true' ? true : s === 'false' ? false : undefined;
    case 'datetime': {
      // datetime-local inputs give local wall time; the API stores UTC instants.
      const d = new Date(s);
      return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
    }
    default:
      return s;
  }
}

function conditionToFilter(c: ConditionNode, type: FieldType): Filter | undefined {
  if (!c.field) return undefined;
  if (takesNoValue(c.op)) return { field: c.field, op: c.op };
  if (isDaysOp(c.op)) {
    const n = Number(c.value);
    return c.value.trim() !== '' && Number.isInteger(n) && n >= 0 ? { field: c.field, op: c.op, value: n } : undefined;
  }
  if (c.op === 'between') {
    const a = parseScalar(c.value, type);
    const b = parseScalar(c.value2, type);
    return a === undefined || b === undefined ? undefined : { field: c.field, op: c.op, value: [a, b] };
  }
  if (isListOp(c.op)) {
    const raw = type === 'enum' ? c.values : c.value.split(',');
    const items = raw.map((v) => parseScalar(v, type)).filter((v): v is string | number | boolean => v !== undefined);
    return items.length ? { field: c.field, op: c.op, value: items } : undefined;
  }
  const v = parseScalar(c.value, type);
  return v === undefined ? undefined : { field: c.field, op: c.op, value: v };
}

/** The API filter for a group, or undefined when nothing in it is complete. */
export function toFilter(group: GroupNode, fields: FieldDef[]): Filter | undefined {
  const types = new Map(fields.map((f) => [f.key, f.type]));
  const walk = (node: FilterNode): Filter | undefined => {
    if (node.kind === 'condition') return conditionToFilter(node, types.get(node.field) ?? 'text');
    const parts = node.children.map(walk).filter((f): f is Filter => f !== undefined);
    if (parts.length === 0) return undefined;
    const inner: Filter = parts.length === 1 && parts[0] ? parts[0] : node.combinator === 'and' ? { and: parts } : { or: parts };
    return node.negate ? { not: inner } : inner;
  };
  return walk(group);
}

/** Counts the conditions a group holds, complete or not. */
export function conditionCount(node: FilterNode): number {
  return node.kind === 'condition' ? 1 : node.children.reduce((n, c) => n + conditionCount(c), 0);
}

function toInput(v: ConditionValue | undefined, type: FieldType): string {
  if (v === undefined || Array.isArray(v)) return '';
  if (type === 'datetime' && typeof v === 'string') {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) {
      const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
      return local.toISOString().slice(0, 16);
    }
  }
  return String(v);
}

/** The editable model of an API filter (a saved segment opened in the builder). */
export function fromFilter(filter: Filter | undefined, fields: FieldDef[]): GroupNode {
  const types = new Map(fields.map((f) => [f.key, f.type]));
  const walk = (f: Filter): FilterNode => {
    if ('and' in f) return { ...emptyGroup(), combinator: 'and', children: f.and.map(walk) };
    if ('or' in f) return { ...emptyGroup(), combinator: 'or', children: f.or.map(walk) };
    if ('not' in f) {
      const inner = walk(f.not);
      return inner.kind === 'group' ? { ...inner, negate: !inner.negate } : { ...emptyGroup(), negate: true, children: [inner] };
    }
    const type = types.get(f.field) ?? 'text';
    const list = Array.isArray(f.value) ? f.value : [];
    return {
      kind: 'condition', id: newId(), field: f.field, op: f.op,
      value: f.op === 'between' ? toInput(list[0], type) : isListOp(f.op) ? list.map(String).join(', ') : toInput(f.value, type),
      value2: f.op === 'between' ? toInput(list[1], type) : '',
      values: isListOp(f.op) ? list.map(String) : [],
    };
  };
  if (!filter) return emptyGroup();
  const root = walk(filter);
  return root.kind === 'group' ? root : { ...emptyGroup(), children: [root] };
}

/** A one-line reading of a filter: `Status is "active" and Age > 30`. */
export function describeFilter(filter: Filter | undefined, fields: FieldDef[]): string {
  if (!filter) return 'All contacts';
  const labels = new Map(fields.map((f) => [f.key, f]));
  const show = (v: unknown): string => (Array.isArray(v) ? v.map(show).join(', ') : typeof v === 'string' ? `"${v}"` : String(v));
  const walk = (f: Filter, nested: boolean): string => {
    if ('and' in f || 'or' in f) {
      const [word, parts] = 'and' in f ? ['and', f.and] : ['or', f.or];
      const s = parts.map((p) => walk(p, true)).join(` ${word} `);
      return nested && parts.length > 1 ? `(${s})` : s;
    }
    if ('not' in f) return `not ${walk(f.not, true)}`;
    const def = labels.get(f.field);
    const name = def?.label ?? f.field;
    if (takesNoValue(f.op)) return `${name} ${opLabel(f.op, def?.type)}`;
    if (isDaysOp(f.op)) return `${name} in the ${f.op === 'within_last_days' ? 'last' : 'next'} ${String(f.value)} days`;
    if (f.op === 'between' && Array.isArray(f.value)) return `${name} between ${show(f.value[0])} and ${show(f.value[1])}`;
    return `${name} ${opLabel(f.op, def?.type)} ${show(f.value)}`;
  };
  return walk(filter, false);
}
