import { MAX_DEPTH, MAX_NODES, OPS, type Op } from '../../contacts/segments/filter-schema.js';
import type { DefinitionProblem } from './types.js';

/**
 * The SHAPE of a branch filter: the segment DSL (`and` / `or` / `not` / `{field, op, value}`)
 * with the segment operators. Values are not checked against field types here: a definition is
 * validated without its list, and `event.<path>` / `last.<key>` fields have no declared type.
 * checkAgainstList() does the list part when the flow is saved with a list.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isScalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** A contact field (`balance`), the event (`event.data.amount`, `event.name`) or the previous step (`last.outcome`). */
const FIELD = /^([a-z][a-z0-9_]{0,62}|(event|last)(\.[A-Za-z0-9_-]{1,64}){1,10})$/;
const SHAPE = 'must be {"and":[…]}, {"or":[…]}, {"not":…} or {"field", "op", "value"}';
const MAX_DAYS = 36_500;
const MAX_VALUES = 1000;

/** A condition seen while walking a filter, for checkAgainstList. */
export interface FilterCondition {
  field: string;
  op: Op;
  path: string;
}

/** Every shape problem of a filter, each named by path (`nodes[2].branches[0].filter.and[1].op`). */
export function filterShapeProblems(filter: unknown, path: string, nodeId?: string): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  let count = 0;
  const report = (field: string, message: string): void => {
    problems.push(nodeId === undefined ? { field, message } : { field, node_id: nodeId, message });
  };
  const walk = (node: unknown, at: string, depth: number): void => {
    if (depth > MAX_DEPTH) return report(at, `nesting is deeper than ${MAX_DEPTH} levels`);
    if (++count === MAX_NODES + 1) return report(path, `has more than ${MAX_NODES} nodes`);
    if (!isObj(node)) return report(at, SHAPE);
    const combinator = (['and', 'or', 'not'] as const).find((c) => has(node, c));
    if (combinator) {
      const extra = Object.keys(node).filter((k) => k !== combinator);
      if (extra.length > 0) report(`${at}.${extra[0]!.slice(0, 64)}`, `unexpected key next to "${combinator}"`);
      if (combinator === 'not') return walk(node.not, `${at}.not`, depth + 1);
      const children = node[combinator];
      if (!Array.isArray(children) || children.length === 0) return report(`${at}.${combinator}`, 'must be a non-empty array of filters');
      children.forEach((c, i) => walk(c, `${at}.${combinator}[${i}]`, depth + 1));
      return;
    }
    conditionProblems(node, at).forEach((p) => report(p.field, p.message));
  };
  walk(filter, path, 1);
  return problems;
}

function conditionProblems(node: Obj, at: string): DefinitionProblem[] {
  const out: DefinitionProblem[] = [];
  const extra = Object.keys(node).find((k) => k !== 'field' && k !== 'op' && k !== 'value');
  if (extra !== undefined) return [{ field: `${at}.${extra.slice(0, 64)}`, message: `unexpected key; a filter ${SHAPE.replace('must be ', 'is ')}` }];
  if (typeof node.field !== 'string' || !FIELD.test(node.field)) {
    out.push({ field: `${at}.field`, message: 'must be a contact field key, event.<path> or last.<key>' });
  }
  if (typeof node.op !== 'string' || !(OPS as readonly string[]).includes(node.op)) {
    out.push({ field: `${at}.op`, message: `must be one of: ${OPS.join(', ')}` });
    return out;
  }
  const problem = valueProblem(node.op as Op, has(node, 'value') ? node.value : undefined);
  if (problem) out.push({ field: `${at}.value`, message: problem });
  return out;
}

/** The value each operator takes, as the segment compiler expects it. */
function valueProblem(op: Op, value: unknown): string | undefined {
  switch (op) {
    case 'is_empty':
    case 'is_not_empty':
      return value === undefined ? undefined : `must be absent for ${op}`;
    case 'in':
    case 'not_in':
      return Array.isArray(value) && value.length > 0 && value.length <= MAX_VALUES && value.every(isScalar)
        ? undefined
        : `must be a non-empty array of at most ${MAX_VALUES} values`;
    case 'between':
      return Array.isArray(value) && value.length === 2 && value.every(isScalar) ? undefined : 'must be [low, high]';
    case 'within_last_days':
    case 'within_next_days':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_DAYS ? undefined : `must be a whole number of days (0–${MAX_DAYS})`;
    default:
      return isScalar(value) && value !== '' ? undefined : 'must be a single value (text, number or true/false)';
  }
}

/** The conditions of a filter that passed filterShapeProblems, with their paths. */
export function conditionsOf(filter: unknown, path: string, out: FilterCondition[] = []): FilterCondition[] {
  if (!isObj(filter)) return out;
  for (const c of ['and', 'or'] as const) {
    const children = filter[c];
    if (Array.isArray(children)) children.forEach((child, i) => conditionsOf(child, `${path}.${c}[${i}]`, out));
  }
  if (has(filter, 'not')) conditionsOf(filter.not, `${path}.not`, out);
  if (typeof filter.field === 'string' && typeof filter.op === 'string') out.push({ field: filter.field, op: filter.op as Op, path });
  return out;
}
