import { AppError } from '../../core/errors.js';
import { CHANNEL_KINDS } from '../../channels/port.js';
import {
  ENTRY_SCHEMAS, EntryRuleSchema, GoalSchema, MAX_DEFINITION_BYTES, MAX_NODES, NODE_ID_PATTERN, NODE_SCHEMAS, NODE_TYPES, FIELD_KEY_PATTERN, SAMPLE_SHARE_PATTERN,
} from './schema.js';
import { schemaProblems } from './schema-errors.js';
import { filterShapeProblems } from './filter-shape.js';
import { buildGraph, cyclesWithoutWait, danglingEdges, unreachableNodes } from './graph.js';
import type { DefinitionProblem, FlowDefinition, NodeType } from './types.js';
import { isTimeZone } from '../../accounts/policy.js';

export { edgesOf } from './graph.js';
export { checkAgainstList } from './check-against-list.js';

/**
 * Checks a flow definition before it is saved or published, and returns it typed. Throws AppError
 * 422 `invalid_definition`: the message names the first problem, `details` lists EVERY problem as
 * `{field, node_id?, message}` so the designer can mark all the bad nodes of a save at once.
 * Pure: no list, no database (checkAgainstList is the list part), no SSRF check of http URLs
 * (the route does that with core/ssrf.ts).
 */
export function validateDefinition(input: unknown): FlowDefinition {
  const problems = definitionProblems(input);
  if (problems.length === 0) return input as FlowDefinition;
  throw definitionError(problems);
}

/** The 422 for a list of problems (also used by the routes for checkAgainstList's problems). */
export function definitionError(problems: DefinitionProblem[]): AppError {
  const first = problems[0]!;
  const node = first.node_id === undefined ? '' : ` (node "${first.node_id}")`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new AppError(422, 'invalid_definition', `${first.field}${node}: ${first.message}${more}`, problems);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
const TOP_LEVEL = new Set(['entry', 'goal', 'entry_rule', 'start', 'nodes']);
const NODE_ID = new RegExp(NODE_ID_PATTERN);
const FIELD_KEY = new RegExp(FIELD_KEY_PATTERN);
const SAMPLE_SHARE = new RegExp(SAMPLE_SHARE_PATTERN);

/** Every problem of a definition, in document order, graph problems last. */
export function definitionProblems(input: unknown): DefinitionProblem[] {
  const size = serialisedBytes(input);
  if (size > MAX_DEFINITION_BYTES) {
    return [{ field: '', message: `is ${size === Infinity ? 'too deeply nested' : `${size} bytes`} when serialised; the limit is ${MAX_DEFINITION_BYTES} bytes (1 MB)` }];
  }
  if (!isObj(input)) return [{ field: '', message: 'must be an object {entry, nodes, goal?, entry_rule?, start?}' }];
  const problems: DefinitionProblem[] = [];
  for (const key of Object.keys(input)) {
    if (!TOP_LEVEL.has(key)) problems.push({ field: key.slice(0, 64), message: 'is not a definition option (entry, goal, entry_rule, start, nodes)' });
  }
  problems.push(...entryProblems(input.entry));
  if (has(input, 'goal')) problems.push(...schemaProblems(GoalSchema, input.goal, 'goal'));
  if (has(input, 'entry_rule')) problems.push(...schemaProblems(EntryRuleSchema, input.entry_rule, 'entry_rule'));
  if (has(input, 'start') && (typeof input.start !== 'string' || !NODE_ID.test(input.start))) {
    problems.push({ field: 'start', message: 'must be a node id' });
  }

  const nodes = input.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) return [...problems, { field: 'nodes', message: 'must be a non-empty array of nodes' }];
  // Past 500 nodes the graph checks would only bury the one problem that matters.
  if (nodes.length > MAX_NODES) return [...problems, { field: 'nodes', message: `has ${nodes.length} nodes; the limit is ${MAX_NODES}` }];
  nodes.forEach((node, i) => problems.push(...nodeProblems(node, i)));
  problems.push(...duplicateIds(nodes));

  const graph = buildGraph(nodes);
  const first = isObj(nodes[0]) && typeof nodes[0].id === 'string' ? nodes[0].id : undefined;
  const start = typeof input.start === 'string' ? input.start : first;
  if (typeof input.start === 'string' && !graph.index.has(input.start)) {
    problems.push({ field: 'start', message: `names "${input.start}", which is not a node of this flow` });
  }
  problems.push(...danglingEdges(graph));
  if (start !== undefined) problems.push(...unreachableNodes(graph, start));
  problems.push(...cyclesWithoutWait(graph));
  return problems;
}

/** UTF-8 bytes of the JSON; Infinity when it cannot be serialised (too deep for the stack). */
function serialisedBytes(input: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(input) ?? '');
  } catch {
    return Infinity;
  }
}

function entryProblems(entry: unknown): DefinitionProblem[] {
  if (!isObj(entry)) return [{ field: 'entry', message: 'is required: {type: event | segment | broadcast | date_field | form, …}' }];
  const schema = ENTRY_SCHEMAS[entry.type as keyof typeof ENTRY_SCHEMAS];
  if (typeof entry.type !== 'string' || !schema) {
    return [{ field: 'entry.type', message: `must be one of: ${Object.keys(ENTRY_SCHEMAS).join(', ')}` }];
  }
  const problems = schemaProblems(schema, entry, 'entry');
  if (entry.type === 'broadcast') problems.push(...broadcastProblems(entry));
  return problems;
}

/** A broadcast runs once (`at`) or on a schedule (`cron`); its time zone must exist. */
function broadcastProblems(entry: Obj): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  if (has(entry, 'at') === has(entry, 'cron')) problems.push({ field: 'entry', message: 'needs exactly one of at (once) or cron (recurring)' });
  if (typeof entry.cron === 'string' && !isCron(entry.cron)) {
    problems.push({ field: 'entry.cron', message: 'must be a 5-field cron expression: minute hour day-of-month month day-of-week' });
  }
  if (typeof entry.timezone === 'string' && !isTimeZone(entry.timezone)) {
    problems.push({ field: 'entry.timezone', message: `is not an IANA time zone (e.g. "America/Bogota")` });
  }
  const sample = isObj(entry.approval) ? entry.approval.sample : undefined;
  if (typeof sample === 'string' && SAMPLE_SHARE.test(sample) && !(parseFloat(sample) > 0 && parseFloat(sample) <= 100)) {
    problems.push({ field: 'entry.approval.sample', message: 'a percentage must be above 0% and at most 100%' });
  }
  return problems;
}

const CRON_FIELD = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
const isCron = (cron: string): boolean => {
  const fields = cron.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
};

function nodeProblems(node: unknown, i: number): DefinitionProblem[] {
  const at = `nodes[${i}]`;
  if (!isObj(node)) return [{ field: at, message: 'must be a node {id, type, …}' }];
  const id = typeof node.id === 'string' && NODE_ID.test(node.id) ? node.id : undefined;
  const schema = NODE_SCHEMAS[node.type as NodeType];
  if (typeof node.type !== 'string' || !schema) {
    const shown = typeof node.type === 'string' ? `"${node.type.slice(0, 64)}" is not a node type; ` : '';
    return [{ field: `${at}.type`, ...(id ? { node_id: id } : {}), message: `${shown}must be one of: ${NODE_TYPES.join(', ')}` }];
  }
  return [...schemaProblems(schema, node, at, id), ...optionProblems(node, at, id)];
}

/** What the per-type schema cannot say: options that exclude each other, sums, filters. */
function optionProblems(node: Obj, at: string, id: string | undefined): DefinitionProblem[] {
  const out: DefinitionProblem[] = [];
  const report = (field: string, message: string): void => {
    out.push(id === undefined ? { field, message } : { field, node_id: id, message });
  };
  switch (node.type as NodeType) {
    case 'send':
      if (has(node, 'channel_type') === has(node, 'channel_id')) report(at, 'needs exactly one of channel_type or channel_id');
      break;
    case 'send_fallback':
      fallbackProblems(node, at, report);
      break;
    case 'wait':
      waitProblems(node, at, report);
      break;
    case 'branch':
      if (Array.isArray(node.branches)) {
        node.branches.forEach((b, k) => {
          if (isObj(b) && has(b, 'filter')) out.push(...filterShapeProblems(b.filter, `${at}.branches[${k}].filter`, id));
        });
      }
      break;
    case 'random_split':
      if (Array.isArray(node.branches) && node.branches.every((b) => isObj(b) && typeof b.percent === 'number')) {
        const sum = node.branches.reduce((s: number, b) => s + ((b as Obj).percent as number), 0);
        // Tolerance for decimal shares such as 33.3 + 33.3 + 33.4, which do not add exactly in binary.
        if (Math.abs(sum - 100) > 1e-6) report(`${at}.branches`, `percentages add up to ${Number(sum.toFixed(6))}, not 100`);
      }
      break;
    case 'update_contact':
      if (isObj(node.set)) {
        for (const key of Object.keys(node.set)) {
          if (!FIELD_KEY.test(key)) report(`${at}.set.${key.slice(0, 64)}`, 'is not a field key (lower-case letters, digits and "_")');
        }
      }
      break;
    case 'list':
      if (has(node, 'add') === has(node, 'remove')) report(at, 'needs exactly one of add or remove');
      break;
    case 'http':
      if (isObj(node.success_when) && has(node.success_when, 'equals') && !has(node.success_when, 'path')) {
        report(`${at}.success_when`, 'equals needs a path: the JSON path of the answer to compare');
      }
      break;
    default:
      break;
  }
  return out;
}

type Report = (field: string, message: string) => void;

/** A listed channel needs a template; a template needs a channel type; by_cost needs at least one. */
function fallbackProblems(node: Obj, at: string, report: Report): void {
  const templates = isObj(node.templates) ? node.templates : undefined;
  if (!templates) return;
  for (const kind of Object.keys(templates)) {
    if (!(CHANNEL_KINDS as readonly string[]).includes(kind)) report(`${at}.templates.${kind.slice(0, 64)}`, `is not a channel type (${CHANNEL_KINDS.join(', ')})`);
  }
  if (Array.isArray(node.channels)) {
    node.channels.forEach((kind, k) => {
      if ((CHANNEL_KINDS as readonly unknown[]).includes(kind) && !has(templates, kind as string)) report(`${at}.channels[${k}]`, `has no template in templates.${kind}`);
    });
  } else if (node.channels === 'by_cost' && Object.keys(templates).length === 0) {
    report(`${at}.templates`, 'by_cost tries the channel types of templates: give at least one');
  }
}

/** wait takes {seconds}, {until_field, offset_days?, at?} or {at}: one mode, never two. */
function waitProblems(node: Obj, at: string, report: Report): void {
  const modes = [has(node, 'seconds'), has(node, 'until_field'), has(node, 'at') && !has(node, 'until_field')].filter(Boolean).length;
  if (modes !== 1) report(at, 'needs exactly one of seconds, until_field (with offset_days? and at?) or at (a time of day)');
  if (has(node, 'offset_days') && !has(node, 'until_field')) report(`${at}.offset_days`, 'only applies with until_field');
}

function duplicateIds(nodes: unknown[]): DefinitionProblem[] {
  const firstAt = new Map<string, number>();
  const problems: DefinitionProblem[] = [];
  nodes.forEach((node, i) => {
    const id = isObj(node) ? node.id : undefined;
    if (typeof id !== 'string') return;
    const prev = firstAt.get(id);
    if (prev === undefined) firstAt.set(id, i);
    else problems.push({ field: `nodes[${i}].id`, node_id: id, message: `duplicates the id of nodes[${prev}]` });
  });
  return problems;
}
