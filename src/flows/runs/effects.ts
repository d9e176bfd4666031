import type { AppDeps } from '../../http/deps.js';
import type { Queryable } from '../../db/index.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { safeFetch } from '../../core/ssrf.js';
import type { ChannelKind } from '../../channels/port.js';
import { resolveChannel } from '../../channels/service.js';
import { activeFields, getList } from '../../contacts/index.js';
import { patchContact, upsertBatch } from '../../contacts/contacts.js';
import { getTemplate, renderLocale, renderTemplate, type TemplateRow } from '../../templates/index.js';
import { checkPolicy, loadAccountPolicy } from '../../messaging/policy/index.js';
import type { PolicyView } from '../../accounts/policy.js';
import type { ChannelRow } from '../../channels/sql.js';
import { addressFor, type AccountInfo, type Recipient } from '../../messaging/compose.js';
import { decideBatch } from '../../messaging/broadcast/batch-policy.js';
import type { PolicyDecision } from '../../messaging/policy/decide.js';
import type { RenderedContent } from '../../channels/port.js';
import { prepareMessage, unsubscribeFor, type PreparedMessage } from '../../messaging/prepare.js';
import type { Effect, EventData, RunState, Wake } from '../engine/types.js';
import { readPath } from '../engine/paths.js';
import { signPayload, SIGNATURE_HEADER } from '../../channels/webhook/signature.js';
import { signingSecret } from '../../accounts/signing.js';
import { EVENTS_CHANNEL } from '../notify.js';

type SendEffect = Extract<Effect, { type: 'send' }>;
type HttpEffect = Extract<Effect, { type: 'http' }>;

/** What the effects of one run need to know, loaded once per run. */
export interface RunEnv {
  deps: AppDeps;
  account: AccountInfo;
  contactId: string;
  listId: string;
  listCountry: string | null;
  fields: Record<string, unknown>;
  templates: Map<string, Promise<TemplateRow | undefined>>;
  /** Shared by the runs of one batch: the channel a send resolves to, the account's policy. */
  channels: Map<string, Promise<ChannelRow>>;
  policies: Map<string, Promise<PolicyView>>;
}

/**
 * A flow's send, made ready for the outbox exactly like an API send (channel, address, render,
 * policy gate, tracking), keyed by its effect key so a replayed step finds it already written.
 * When the step waits for the outcome and there is nothing to send (no address, suppressed, no
 * channel), the outcome is known at once and comes back as a wake.
 */
export async function prepareFlowSend(env: RunEnv, run: RunState, e: SendEffect): Promise<{ prepared?: PreparedMessage; draft?: SendDraft; wake?: Wake }> {
  const { deps, account } = env;
  const fail = (status: string) => ({ wake: e.await_outcome ? ({ kind: 'message', key: e.key, status, channel_type: e.channel_type } as Wake) : undefined });
  let channel;
  try {
    const ck = `${account.id}/${e.channel_id ?? ''}/${e.channel_type ?? ''}`;
    let c = env.channels.get(ck);
    if (!c) env.channels.set(ck, (c = resolveChannel(deps.pool, account.id, { channel_id: e.channel_id, channel_type: e.channel_type }, deps.sandbox)));
    channel = await c;
  } catch (err) {
    if (err instanceof AppError) return fail('failed');
    throw err;
  }
  const kind = channel.kind as ChannelKind;
  let recipient;
  try {
    recipient = addressFor(account, env.contactId, env.fields, undefined, kind, env.listCountry);
  } catch (err) {
    if (err instanceof AppError) return fail('no_address');
    throw err;
  }
  let t = env.templates.get(e.template_id);
  if (!t) env.templates.set(e.template_id, (t = getTemplate(deps.pool, account.id, e.template_id)));
  const template = await t;
  if (!template) return fail('failed');
  const unsubscribe = unsubscribeFor(recipient, deps.config.publicUrl);
  let content;
  try {
    content = await renderTemplate({ channel_type: kind, subject: template.subject, body: template.body }, {
      contact: recipient.fields, data: e.data, account: { name: account.name }, unsubscribe_url: unsubscribe.links.unsubscribe,
      ...renderLocale(recipient.fields, recipient.listCountry, account),
    });
  } catch (err) {
    if (err instanceof AppError) return fail('failed');
    throw err;
  }
  const draft: SendDraft = { env, run, effect: e, channel, recipient, content, template, unsubscribe };
  // A plain send goes on without waiting for its message: its policy decision can be made with the
  // rest of the batch (one suppression query for all). A fallback needs its outcome now.
  if (!e.await_outcome) return { draft };
  const decision = await checkPolicy(deps.pool, {
    accountId: account.id, category: e.category, channelKind: kind, contact: recipient.fields, contactId: env.contactId,
    address: recipient.match, now: deps.clock.now(), policy: await policyOf(env),
  });
  const prepared = finishSend(draft, decision);
  const wake = decision.decision === 'suppress'
    ? ({ kind: 'message', key: e.key, messageId: prepared.message.id, status: 'suppressed', channel_type: kind } as Wake)
    : undefined;
  return { prepared, wake };
}

/** A send rendered and addressed, waiting for its policy decision. */
export interface SendDraft {
  env: RunEnv;
  run: RunState;
  effect: SendEffect;
  channel: ChannelRow;
  recipient: Recipient;
  content: RenderedContent;
  template: TemplateRow;
  unsubscribe: ReturnType<typeof unsubscribeFor>;
}

function policyOf(env: RunEnv): Promise<PolicyView> {
  let policy = env.policies.get(env.account.id);
  if (!policy) env.policies.set(env.account.id, (policy = loadAccountPolicy(env.deps.pool, env.account.id)));
  return policy;
}

/** The message of a draft once the gate decided. */
export function finishSend(d: SendDraft, decision: PolicyDecision): PreparedMessage {
  const { env, run, effect: e, template } = d;
  return prepareMessage({
    accountId: env.account.id, id: newId('msg'), channel: d.channel, recipient: d.recipient, content: d.content, templateId: template.id,
    templateName: template.name, decision, category: e.category, data: e.data, attachments: [], unsubscribe: d.unsubscribe,
    publicUrl: env.deps.config.publicUrl,
    source: { kind: 'flow', run_id: run.id, flow_id: run.flowId, node: e.node, key: e.key, await: e.await_outcome, campaign: template.name },
  });
}

/** The batch's plain sends gated together: one suppression (and caps) query per account, category and channel kind. */
export async function finishDrafts(drafts: SendDraft[]): Promise<PreparedMessage[]> {
  const groups = new Map<string, SendDraft[]>();
  for (const d of drafts) {
    const k = `${d.env.account.id}/${d.effect.category}/${d.channel.kind}`;
    const g = groups.get(k);
    if (g) g.push(d);
    else groups.set(k, [d]);
  }
  const out: PreparedMessage[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const decisions = await decideBatch(first.env.deps.pool, {
      accountId: first.env.account.id, category: first.effect.category, channelKind: first.channel.kind as ChannelKind,
      now: first.env.deps.clock.now(), policy: await policyOf(first.env),
    }, group.map((d) => d.recipient));
    group.forEach((d, i) => out.push(finishSend(d, decisions[i]!)));
  }
  return out;
}

/** Calls the node's HTTP API (SSRF-guarded at connect time, the effect key as Idempotency-Key) and says how it went. */
export async function performHttp(env: RunEnv, e: HttpEffect): Promise<Wake> {
  try {
    const body = e.body !== undefined && e.method !== 'GET' ? JSON.stringify(e.body) : '';
    // Signed like webhooks, with the account's signing secret (GET /v1/settings/signing_secret),
    // so the bank's API can tell Conversa's calls from anyone else's.
    const signature = signPayload(body, await signingSecret(env.deps.pool, env.account.id), env.deps.clock.now());
    const res = await safeFetch(e.url, {
      method: e.method,
      headers: { 'content-type': 'application/json', 'idempotency-key': e.key, ...(e.headers ?? {}), [SIGNATURE_HEADER]: signature },
      ...(body ? { body } : {}),
      timeoutMs: (e.timeout_seconds ?? 10) * 1000,
    }, { allow: env.deps.config.ssrfAllow });
    const text = await res.text();
    let json: unknown = text;
    try { json = JSON.parse(text); } catch { /* not JSON: branch on the status */ }
    const when = e.success_when;
    let ok = when?.status ? when.status.includes(res.status) : res.status >= 200 && res.status < 300;
    if (ok && when?.path !== undefined) ok = JSON.stringify(readPath(json, when.path)) === JSON.stringify(when.equals);
    return { kind: 'action_result', key: e.key, outcome: ok ? 'success' : 'failure', result: { status: res.status, body: json } };
  } catch (err) {
    return { kind: 'action_result', key: e.key, outcome: 'failure', result: { error: err instanceof Error ? err.message : String(err) } };
  }
}

/** Renders Liquid values ("{{ event.data.score }}") of an update against the contact and the event. */
export async function renderValues(env: RunEnv, set: Record<string, unknown>, event: EventData | undefined): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(set)) {
    if (typeof v !== 'string' || !v.includes('{{')) { out[k] = v; continue; }
    const r = await renderTemplate({ channel_type: 'sms', body: v }, {
      contact: env.fields, data: { ...(event?.data ?? {}), event: event ? { name: event.name, data: event.data } : undefined }, account: { name: env.account.name },
    });
    out[k] = r.text;
  }
  return out;
}

/**
 * The effects that change Conversa's own data: contact fields, list membership, consent, events.
 * Each is idempotent (a replayed step sets the same values, upserts the same key, and an emitted
 * event carries the step's key as its idempotency key), so each may commit on its own.
 */
export async function applyLocalEffect(env: RunEnv, db: Queryable, run: RunState, e: Effect): Promise<string | undefined> {
  const { deps, account } = env;
  try {
    switch (e.type) {
      case 'update_contact': {
        const set = await renderValues(env, e.set, run.vars.event);
        await patchContact(deps.pool, account.id, env.contactId, set);
        Object.assign(env.fields, set);
        return undefined;
      }
      case 'subscription': {
        const key = e.category === 'marketing' ? 'consent_marketing' : 'consent_transactional';
        await patchContact(deps.pool, account.id, env.contactId, { [key]: e.consent });
        env.fields[key] = e.consent;
        return undefined;
      }
      case 'list': {
        const target = await getList(deps.pool, account.id, e.list_id);
        if (!target) return `list ${e.list_id} not found`;
        const keyValue = env.fields[target.key_field];
        if (keyValue === undefined || keyValue === null) return `the contact has no ${target.key_field} for list ${target.id}`;
        if (e.op === 'add') {
          // Only what the target list has (its own fields and the standard ones): lists differ.
          const known = new Set(activeFields(target).map((f) => f.key));
          const data = Object.fromEntries(Object.entries(env.fields).filter(([k]) => known.has(k)));
          const r = await upsertBatch(deps.pool, target, [data]);
          return r.rejected[0] ? `${r.rejected[0].field}: ${r.rejected[0].reason}` : undefined;
        }
        await db.query('UPDATE contacts SET erased_at = now(), data = \'{}\'::jsonb WHERE account_id = $1 AND list_id = $2 AND key_value = $3 AND erased_at IS NULL',
          [account.id, target.id, String(keyValue)]);
        return undefined;
      }
      case 'emit': {
        await db.query(
          `INSERT INTO events (account_id, id, name, list_id, contact_id, data, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT DO NOTHING`,
          [account.id, newId('evt'), e.event, env.listId, env.contactId, JSON.stringify(e.data), `flow:${e.key}`]);
        await db.query(`NOTIFY ${EVENTS_CHANNEL}`);
        return undefined;
      }
      default:
        return undefined;
    }
  } catch (err) {
    if (err instanceof AppError) return err.message;
    throw err;
  }
}

/** The contact fields an update_contact or subscription effect sets (Liquid rendered), or undefined for other effects. */
export async function contactPatchOf(env: RunEnv, run: RunState, e: Effect): Promise<Record<string, unknown> | undefined> {
  if (e.type === 'update_contact') return renderValues(env, e.set, run.vars.event);
  if (e.type === 'subscription') return { [e.category === 'marketing' ? 'consent_marketing' : 'consent_transactional']: e.consent };
  return undefined;
}
