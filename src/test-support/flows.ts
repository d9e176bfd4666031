import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.js';
import { fireDueEntries } from '../flows/entries/scheduler.js';
import { localDate } from '../contacts/segments/index.js';
import { RUNS_CHANNEL } from '../flows/notify.js';
import { waitFor } from './wait.js';

export { waitFor };

/**
 * Helpers for running the ready-made flows of examples/flows/ for real (test/flows-examples.test.ts):
 * an account per example, the example's placeholders swapped for the account's own templates,
 * segments, lists and local stand-ins of the bank's APIs, and a fast clock — a run waiting on a
 * timer is made due now instead of waiting days. Not a test file.
 */

// ---------------------------------------------------------------- the example files

export interface ExampleField {
  key: string;
  label?: string;
  type: string;
}

export interface FlowExampleFile {
  name: string;
  description: string;
  list_fields: ExampleField[];
  definition: ExampleDefinition;
}

/** The part of a definition these helpers read; the rest travels as is. */
export interface ExampleDefinition {
  entry: { type: string; segment_id?: string; [k: string]: unknown };
  nodes: ExampleNode[];
  [k: string]: unknown;
}

interface ExampleNode {
  id: string;
  type: string;
  channel_type?: string;
  template_id?: string;
  templates?: Record<string, string>;
  add?: string;
  remove?: string;
  url?: string;
  [k: string]: unknown;
}

const EXAMPLES_DIR = new URL('../../examples/flows/', import.meta.url);

/** examples/flows/<number>-*.json, e.g. readExample('04'). */
export async function readExample(number: string): Promise<FlowExampleFile> {
  const file = (await readdir(EXAMPLES_DIR)).find((f) => f.startsWith(`${number}-`) && f.endsWith('.json'));
  assert.ok(file, `examples/flows/${number}-*.json is missing`);
  return JSON.parse(await readFile(new URL(file, EXAMPLES_DIR), 'utf8')) as FlowExampleFile;
}

/** The placeholder ids an example names, which an account must supply before the flow can run. */
export interface Placeholders {
  /** template placeholder → the channel kind its node sends on */
  templates: Map<string, string>;
  segments: Set<string>;
  lists: Set<string>;
  /** origins (scheme + host) of the `http` nodes' URLs: the bank's APIs */
  origins: Set<string>;
}

export function placeholdersOf(def: ExampleDefinition): Placeholders {
  const p: Placeholders = { templates: new Map(), segments: new Set(), lists: new Set(), origins: new Set() };
  if (def.entry.segment_id) p.segments.add(def.entry.segment_id);
  for (const n of def.nodes) {
    if (n.template_id && n.channel_type) p.templates.set(n.template_id, n.channel_type);
    for (const [kind, id] of Object.entries(n.templates ?? {})) p.templates.set(id, kind);
    if (n.add) p.lists.add(n.add);
    if (n.remove) p.lists.add(n.remove);
    if (n.url) p.origins.add(new URL(n.url.replace(/\{\{[^}]*\}\}/g, 'x')).origin);
  }
  return p;
}

/**
 * The definition with every placeholder replaced: ids by exact string value (wherever they
 * appear, e.g. a `match` on the template id), URL origins by prefix. Fails when a placeholder the
 * example names has no replacement — a forgotten one would make the flow fail at run time instead.
 */
export function withIds(def: ExampleDefinition, ids: Record<string, string>, origins: Record<string, string> = {}): ExampleDefinition {
  const p = placeholdersOf(def);
  const missing = [...p.templates.keys(), ...p.segments, ...p.lists].filter((id) => !(id in ids));
  missing.push(...[...p.origins].filter((o) => !(o in origins)));
  assert.deepEqual(missing, [], 'every placeholder of the example has a replacement');
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (Object.hasOwn(ids, v)) return ids[v];
      const origin = Object.keys(origins).find((o) => v.startsWith(o));
      return origin === undefined ? v : origins[origin] + v.slice(origin.length);
    }
    if (Array.isArray(v)) return v.map(swap);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
    return v;
  };
  return swap(def) as ExampleDefinition;
}

// ---------------------------------------------------------------- an account per example

/** One example's own account: its channels, costs and sandbox messages are not the others'. */
export interface ExampleAccount {
  t: TestApp;
  accountId: string;
  key: string;
  timezone: string;
  call(method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A call that must answer `status`; returns the JSON body. */
  ok<T = any>(method: InjectOptions['method'], url: string, body?: unknown, status?: number | number[]): Promise<T>; // any: callers read API bodies ad hoc, as tests do
}

export async function exampleAccount(t: TestApp, name: string, timezone = 'America/Bogota'): Promise<ExampleAccount> {
  const acc = await t.newAccount(name);
  const call: ExampleAccount['call'] = (method, url, body, headers) => t.call(method, url, body, { key: acc.key, ...(headers ? { headers } : {}) });
  const ok: ExampleAccount['ok'] = async (method, url, body, status) => {
    const r = await call(method, url, body);
    const expected = status ?? (method === 'POST' ? [200, 201, 202] : [200]);
    assert.ok((Array.isArray(expected) ? expected : [expected]).includes(r.statusCode), `${method} ${url} → ${r.statusCode} ${r.body}`);
    return (r.body ? r.json() : undefined) as never;
  };
  const a: ExampleAccount = { t, accountId: acc.id, key: acc.key, timezone, call, ok };
  await ok('PATCH', '/v1/settings/policy', { timezone });
  return a;
}

/** A list keyed by `doc` with a name, the example's fields and any extra ones the scenario needs. */
export async function exampleList(a: ExampleAccount, name: string, fields: ExampleField[]): Promise<string> {
  const all = [{ key: 'doc', label: 'Documento', type: 'text' }, { key: 'name', label: 'Nombre', type: 'text' }, ...fields];
  return (await a.ok<{ id: string }>('POST', '/v1/lists', { name, key_field: 'doc', default_country: 'CO', fields: all })).id;
}

/** Upserts contacts into a list and returns their ids by `doc`. */
export async function addContacts(a: ExampleAccount, listId: string, contacts: Record<string, unknown>[]): Promise<Record<string, string>> {
  const r = await a.ok<{ inserted: number; updated: number; rejected: unknown[] }>('PUT', `/v1/lists/${listId}/contacts`, { contacts });
  assert.deepEqual(r.rejected, [], 'every contact is valid');
  const rows = await a.t.db.pool.query<{ id: string; key_value: string }>(
    'SELECT id, key_value FROM contacts WHERE account_id = $1 AND list_id = $2 AND erased_at IS NULL', [a.accountId, listId]);
  return Object.fromEntries(rows.rows.map((r) => [r.key_value, r.id]));
}

/**
 * Real templates for an example's template placeholders, one per placeholder with the channel
 * kind its node sends on. `texts` gives each its Liquid text: an email's subject and body, a push
 * title-less body, an SMS or a call's script. Every placeholder must have one.
 */
export async function exampleTemplates(a: ExampleAccount, def: ExampleDefinition, texts: Record<string, string>): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [placeholder, kind] of placeholdersOf(def).templates) {
    const text = texts[placeholder];
    assert.ok(text, `a text for template ${placeholder}`);
    const body = kind === 'email' ? { subject: text, body: `<p>${text}</p>` } : kind === 'push' ? { subject: 'Banco', body: text } : { body: text };
    ids[placeholder] = (await a.ok<{ id: string }>('POST', '/v1/templates', { name: placeholder, channel_type: kind, ...body })).id;
  }
  return ids;
}

/** Creates the flow on the list and publishes it (both must succeed: the example fits the list). */
export async function publishFlow(a: ExampleAccount, name: string, listId: string, definition: unknown): Promise<string> {
  const f = await a.call('POST', '/v1/flows', { name, list_id: listId, definition });
  assert.equal(f.statusCode, 201, f.body);
  const p = await a.call('POST', `/v1/flows/${f.json().id}/publish`);
  assert.equal(p.statusCode, 201, p.body);
  return f.json().id as string;
}

// ---------------------------------------------------------------- time and runs

export interface RunStep {
  node_id: string;
  type: string;
  outcome?: string;
  channel_type?: string;
  template_id?: string;
  [k: string]: unknown;
}

export interface RunView {
  id: string;
  contact_id: string;
  status: string;
  node: string | null;
  error: string | null;
  path: RunStep[];
}

export async function runsOf(a: ExampleAccount, flowId: string, contactId?: string): Promise<RunView[]> {
  const q = contactId ? `?contact_id=${encodeURIComponent(contactId)}&limit=500` : '?limit=500';
  return (await a.ok<{ runs: RunView[] }>('GET', `/v1/flows/${flowId}/runs${q}`)).runs;
}

/** The contact's one run of the flow, once it satisfies `pred` (the last state seen is in the error). */
export async function waitForRun(a: ExampleAccount, flowId: string, contactId: string, what: string, pred: (r: RunView) => boolean, ms = 20_000): Promise<RunView> {
  let last: RunView | undefined;
  try {
    return await waitFor(what, async () => {
      const runs = await runsOf(a, flowId, contactId);
      assert.ok(runs.length <= 1, `one run per contact, got ${runs.length}`);
      last = runs[0];
      return last && pred(last) ? last : undefined;
    }, ms);
  } catch (err) {
    // What the run waited for helps most: a fallback stuck on an SMS still "sent" lost its receipt.
    const msgs = (await messagesOf(a, contactId)).map((m) => `${m.channel_type}:${m.status}`).join(', ');
    throw new Error(`${(err as Error).message}; the run: ${last ? `${last.status} at ${last.node}: ${pathOf(last).join(' → ')}${last.error ? ` (${last.error})` : ''}` : 'none'}; its contact's messages: ${msgs || 'none'}`);
  }
}

/** `node:outcome` of each step, the way assertions read a path. */
export const pathOf = (r: RunView): string[] => r.path.map((s) => `${s.node_id}:${s.outcome ?? ''}`);

/** How many times the run has entered `node` and stopped there (a wait, wait_event, http, a fallback's attempt). */
const entries = (r: RunView, node: string): number =>
  r.path.filter((s) => s.node_id === node && (s.outcome === 'waiting' || (s.type === 'send_fallback' && s.outcome === 'sent'))).length;

/** A predicate: the run waits in `node` for the `times`-th time. */
export const waitingAt = (node: string, times = 1) => (r: RunView): boolean => r.status === 'waiting' && r.node === node && entries(r, node) >= times;

/** A predicate: the run has ended with this status. */
export const endedAs = (status: 'done' | 'exited' | 'failed') => (r: RunView): boolean => r.status === status;

/**
 * The fast clock: the run's timer (a wait, a wait_event's timeout, a fallback's confirmation
 * window) is reached now. The worker reads due_at from the row and treats the timer as due.
 * Returns the node the run was waiting in; fails if it was not waiting on a timer.
 */
export async function advanceTimers(t: TestApp, runId: string, accountId: string = t.accountId): Promise<string> {
  const r = await t.db.pool.query<{ node: string }>(
    `UPDATE flow_runs SET due_at = now() WHERE account_id = $1 AND id = $2 AND status = 'waiting' AND due_at IS NOT NULL RETURNING node`,
    [accountId, runId]);
  assert.equal(r.rowCount, 1, `run ${runId} waits on a timer`);
  await t.db.pool.query(`NOTIFY ${RUNS_CHANNEL}`);
  return r.rows[0]!.node;
}

/** Waits until the run waits in `node` (the `times`-th time), then moves its timer to now. */
export async function skipWait(a: ExampleAccount, flowId: string, contactId: string, node: string, times = 1): Promise<RunView> {
  const run = await waitForRun(a, flowId, contactId, `waiting in ${node} (${times})`, waitingAt(node, times));
  await advanceTimers(a.t, run.id, a.accountId);
  return run;
}

/** Fires a scheduled entry (broadcast, date field, segment) now instead of at its time. */
export async function fireEntryNow(a: ExampleAccount, flowId: string): Promise<void> {
  await a.t.db.pool.query('UPDATE flow_schedules SET next_at = now(), locked_until = NULL WHERE account_id = $1 AND flow_id = $2', [a.accountId, flowId]);
  await fireDueEntries(a.t.deps);
}

/** An event for a contact, as the bank's systems post it. */
export async function postEvent(a: ExampleAccount, name: string, contactId: string, data: Record<string, unknown> = {}): Promise<void> {
  await a.ok('POST', '/v1/events', { name, contact_id: contactId, data }, 202);
}

// ---------------------------------------------------------------- what went out

/** Today in the account's time zone plus `days`, as YYYY-MM-DD. */
export function localDay(timezone: string, days = 0): string {
  const d = new Date(`${localDate(new Date(), timezone)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export interface MessageView {
  id: string;
  status: string;
  channel_type: string;
  to: string;
  template_id: string | null;
  category: string;
  error: string | null;
}

/** The contact's messages, oldest first. */
export async function messagesOf(a: ExampleAccount, contactId: string): Promise<MessageView[]> {
  const r = await a.ok<{ messages: MessageView[] }>('GET', `/v1/messages?contact_id=${contactId}&limit=500`);
  return r.messages.reverse();
}

export interface SandboxView {
  message_id: string | null;
  channel_type: string;
  to: string;
  subject: string | null;
  text: string;
}

/** What the sandbox sinks received for this account, oldest first. */
export async function sandboxMessages(a: ExampleAccount, to?: string): Promise<SandboxView[]> {
  const r = await a.ok<SandboxView[]>('GET', `/v1/sandbox/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`);
  return r.reverse();
}

/** Waits until the sinks hold `n` messages for `to`. */
export async function waitForSandbox(a: ExampleAccount, to: string, n: number): Promise<SandboxView[]> {
  return waitFor(`${n} sandbox messages to ${to}`, async () => {
    const got = await sandboxMessages(a, to);
    return got.length >= n ? got : undefined;
  }, 20_000);
}

export async function contactOf(a: ExampleAccount, id: string): Promise<Record<string, unknown>> {
  return (await a.ok<{ fields: Record<string, unknown> }>('GET', `/v1/contacts/${id}`)).fields;
}

/** Events a flow emitted for the contact (`emit` nodes), oldest first. */
export async function emitted(a: ExampleAccount, contactId: string, name: string): Promise<Record<string, unknown>[]> {
  const r = await a.t.db.pool.query<{ data: Record<string, unknown> }>(
    'SELECT data FROM events WHERE account_id = $1 AND contact_id = $2 AND name = $3 ORDER BY received_at', [a.accountId, contactId, name]);
  return r.rows.map((x) => x.data);
}

// ---------------------------------------------------------------- channels beyond the sandbox

/** A web push channel (VAPID keys generated) at `cost` per message. */
export async function pushChannel(a: ExampleAccount, cost: number): Promise<string> {
  return (await a.ok<{ id: string }>('POST', '/v1/channels', { name: 'App', type: 'web_push', config: { vapid_subject: 'mailto:ops@banco.example' }, cost_per_message: cost })).id;
}

/** A browser's push subscription for the contact, at a local push service `endpoint`. */
export async function subscribeToPush(a: ExampleAccount, contactId: string, endpoint: string): Promise<void> {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
  await a.ok('POST', `/v1/contacts/${contactId}/push_subscriptions`, { endpoint, keys }, 201);
}

/** A voice channel whose provider is a local server (`url`), at `cost` per call. */
export async function voiceChannel(a: ExampleAccount, url: string, cost: number): Promise<string> {
  return (await a.ok<{ id: string }>('POST', '/v1/channels', { name: 'IVR', type: 'voice', config: { url, language: 'es-CO' }, cost_per_message: cost })).id;
}

/** The voice provider reports the call's fate on the callback URL it was given (a public route). */
export async function reportCall(t: TestApp, callbackUrl: string, body: { status?: string; digits?: string }): Promise<void> {
  const r = await t.app.inject({ method: 'POST', url: new URL(callbackUrl).pathname, payload: body });
  assert.equal(r.statusCode, 204, r.body);
}

/** A request a local stand-in server received, its body parsed as JSON when it is. */
export function jsonBody(r: { body: Buffer }): Record<string, unknown> {
  return JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
}
