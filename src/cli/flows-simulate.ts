import { CHANNEL_KINDS } from '../channels/port.js';
import { definitionProblems } from '../flows/definition/validate.js';
import type { FlowDefinition } from '../flows/definition/types.js';
import type { ChannelCost, MessageOutcome } from '../flows/engine/index.js';
import { simulate, type SimulatedEvent, type SimulatedOutcome, type SimulatedSend, type SimulateResult, type TimelineEntry } from '../flows/simulate.js';
import { InputError, isObj, parseFlowFile, readJsonFile } from './flow-file.js';
import { problemLine } from './flows-validate.js';
import { isTimeZone } from '../accounts/policy.js';

/**
 * `conversa flows simulate`: the simulator POST /v1/flows/{id}/simulate runs (src/flows/simulate.ts,
 * the engine's own `advance` on a virtual clock), fed from files instead of the database. The
 * simulator itself reads nothing from the database; the route only gathers its inputs, and
 * offline they come from here:
 * - the contact: `--contact` as given (the route normalises a sample through the list: give dates
 *   as YYYY-MM-DD and phones in E.164); its `timezone`, else `--timezone`, else UTC (the route
 *   falls back to the account's);
 * - the account's channels and costs (what `channels: "by_cost"` orders by): `--channels`, else
 *   DEFAULT_CHANNELS below;
 * - templates are never rendered by the simulator: template ids are only printed.
 * Sends are delivered at once and http calls succeed at once, as in the API; `--outcomes` gives a
 * channel type another fate (e.g. `push=no_address,sms=failed`), to follow a fallback offline.
 */

/** Typical costs per message, cheapest first: push is free, a call is the dearest. */
export const DEFAULT_CHANNELS: ChannelCost[] = [
  { kind: 'push', cost: 0 }, { kind: 'email', cost: 0.0004 }, { kind: 'sms', cost: 0.02 }, { kind: 'voice', cost: 0.12 },
];
const MAX_AFTER_SECONDS = 400 * 86_400;

export interface SimulateOptions {
  contact?: string;
  events?: string;
  startAt?: string;
  timezone?: string;
  channels?: string;
  outcomes?: string;
}

export interface SimulateOutcome {
  /** Set when the definition is invalid: nothing was simulated. */
  problems?: string[];
  result?: SimulateResult;
  name: string;
  startAt: Date;
  timezone: string;
  channels: ChannelCost[];
}

export async function simulateFile(path: string, opts: SimulateOptions): Promise<SimulateOutcome> {
  const file = parseFlowFile(path, await readJsonFile(path, 'flow file'));
  const contact = opts.contact ? await readContact(opts.contact) : {};
  const script = opts.events ? parseEvents(opts.events, await readJsonFile(opts.events, 'events file')) : { events: [] };
  const startAt = opts.startAt === undefined ? new Date() : parseInstant(opts.startAt);
  const timezone = typeof contact.timezone === 'string' ? contact.timezone : opts.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) throw new InputError(`time zone "${timezone}" is not an IANA time zone (e.g. America/Bogota)`);
  const channels = opts.channels === undefined ? DEFAULT_CHANNELS : parseChannels(opts.channels);
  const outcomes = opts.outcomes === undefined ? undefined : parseOutcomes(opts.outcomes);
  const base = { name: file.name ?? path, startAt, timezone, channels };

  const problems = definitionProblems(file.definition);
  if (problems.length) {
    return { ...base, problems: problems.map((p) => problemLine(file.wrapped ? { ...p, field: p.field ? `definition.${p.field}` : 'definition' } : p)) };
  }
  const result = simulate({
    definition: file.definition as FlowDefinition, contact, timezone, channels, startAt,
    ...(script.trigger ? { trigger: script.trigger } : {}), events: script.events,
    ...(outcomes ? { messageOutcomes: (send: SimulatedSend): SimulatedOutcome => outcomes.get(send.channel_type ?? '') ?? 'delivered' } : {}),
  });
  return { ...base, result };
}

async function readContact(path: string): Promise<Record<string, unknown>> {
  const json = await readJsonFile(path, 'contact file');
  // A contact as GET /v1/contacts/{id} shows it carries its values under `fields`.
  const contact = isObj(json) && isObj(json.fields) && typeof json.list_id === 'string' ? { id: json.id, ...json.fields } : json;
  if (!isObj(contact)) throw new InputError(`${path}: the contact must be a JSON object of its fields`);
  return contact;
}

/** The API's `events` array, or the body's `{trigger?, events?}`. */
export function parseEvents(path: string, json: unknown): { trigger?: { name: string; data?: Record<string, unknown> }; events: SimulatedEvent[] } {
  const list = Array.isArray(json) ? json : isObj(json) ? (json.events ?? []) : undefined;
  if (!Array.isArray(list)) throw new InputError(`${path}: must be an array of events {name, after_seconds, data?} or {trigger?, events?}`);
  const events = list.map((e, i): SimulatedEvent => {
    const at = `${path}: events[${i}]`;
    if (!isObj(e) || typeof e.name !== 'string' || e.name === '') throw new InputError(`${at}: needs a name`);
    if (typeof e.after_seconds !== 'number' || !(e.after_seconds >= 0 && e.after_seconds <= MAX_AFTER_SECONDS)) {
      throw new InputError(`${at}.after_seconds: must be a number of seconds from 0 to ${MAX_AFTER_SECONDS} (400 days)`);
    }
    if (e.data !== undefined && !isObj(e.data)) throw new InputError(`${at}.data: must be an object`);
    return { name: e.name, after_seconds: e.after_seconds, ...(e.data ? { data: e.data } : {}) };
  });
  const trigger = isObj(json) ? json.trigger : undefined;
  if (trigger === undefined) return { events };
  if (!isObj(trigger) || typeof trigger.name !== 'string' || (trigger.data !== undefined && !isObj(trigger.data))) {
    throw new InputError(`${path}: trigger must be {name, data?}`);
  }
  return { trigger: { name: trigger.name, ...(isObj(trigger.data) ? { data: trigger.data } : {}) }, events };
}

function parseInstant(value: string): Date {
  // An instant needs its offset: a bare local time would mean whatever the CI machine's zone is.
  const d = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new InputError(`--start-at "${value}" is not an ISO 8601 instant with an offset (e.g. 2026-03-02T14:00:00Z)`);
  return d;
}

/** `email=0.0004,sms=0.02`: the kinds the account can send on and their cost per message. */
export function parseChannels(value: string): ChannelCost[] {
  const channels = value.split(',').filter((s) => s.trim()).map((part) => {
    const [kind = '', cost = '0'] = part.split('=').map((s) => s.trim());
    if (!(CHANNEL_KINDS as readonly string[]).includes(kind)) throw new InputError(`--channels: "${kind}" is not a channel type (${CHANNEL_KINDS.join(', ')})`);
    const n = Number(cost);
    if (cost === '' || !Number.isFinite(n) || n < 0) throw new InputError(`--channels: the cost of ${kind} must be a number ≥ 0, not "${cost}"`);
    return { kind, cost: n };
  });
  if (channels.length === 0) throw new InputError('--channels: give at least one kind=cost');
  return channels;
}

const OUTCOMES: readonly (MessageOutcome | 'timeout')[] = ['delivered', 'opened', 'clicked', 'failed', 'bounced', 'suppressed', 'complained', 'no_address', 'timeout'];

/** `push=no_address,sms=failed`: what happens to a send the run waits on, by channel type ('timeout': no answer). */
export function parseOutcomes(value: string): Map<string, MessageOutcome | 'timeout'> {
  const map = new Map<string, MessageOutcome | 'timeout'>();
  for (const part of value.split(',').filter((s) => s.trim())) {
    const [kind = '', status = ''] = part.split('=').map((s) => s.trim());
    if (!(CHANNEL_KINDS as readonly string[]).includes(kind)) throw new InputError(`--outcomes: "${kind}" is not a channel type (${CHANNEL_KINDS.join(', ')})`);
    const outcome = OUTCOMES.find((o) => o === status);
    if (!outcome) throw new InputError(`--outcomes: "${status}" is not an outcome (${OUTCOMES.join(', ')})`);
    map.set(kind, outcome);
  }
  return map;
}


/** The timeline as a table: one line a step (at, time since the start, node, type, outcome, channel, template). */
export function timelineText(o: SimulateOutcome): string {
  const r = o.result;
  if (!r) return '';
  const head = `${o.name}: simulated from ${o.startAt.toISOString()} in ${o.timezone}; channels by cost: ${o.channels.map((c) => `${c.kind} ${c.cost}`).join(', ')}\n`;
  if (r.timeline.length === 0) return `${head}the contact would not enter the flow\n`;
  const start = o.startAt.getTime();
  const rows = [['at', 'after', 'node', 'type', 'outcome', 'channel', 'template'], ...r.timeline.map((t: TimelineEntry) => [
    t.at.toISOString(), `+${since((t.at.getTime() - start) / 1000)}`, t.node_id, t.type, t.outcome ?? '', t.channel_type ?? '', t.template_id ?? '',
  ])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const table = rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd() + '\n').join('');
  const f = r.final;
  const end = f.status === 'waiting' || f.status === 'active' ? `still ${f.status} at ${f.node ?? '?'} (nothing in the script wakes it)` : f.status;
  return `${head}${table}final: ${end}; ${r.sends.length} message${r.sends.length === 1 ? '' : 's'} would be sent\n`;
}

/** 0s, 30s, 5m, 2h 5m, 3d 4h: the two largest units. */
function since(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const parts = [[Math.floor(s / 86_400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'], [s % 60, 's']] as const;
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  return parts.slice(first, first + 2).filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join(' ');
}

/** What the API answers (`{timeline, sends, final: {status, node}}`), for `--json`. */
export function timelineJson(o: SimulateOutcome): unknown {
  const r = o.result;
  if (!r) return { problems: o.problems ?? [] };
  return {
    start_at: o.startAt, timezone: o.timezone, channels: o.channels,
    timeline: r.timeline, sends: r.sends, final: { status: r.final.status, node: r.final.node },
  };
}
