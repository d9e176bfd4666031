import type { SendFallbackNode } from '../../definition/types.js';
import type { StepContext, StepResult } from '../step-types.js';
import type { ChannelCost, FallbackState, Wake } from '../types.js';
import { defaultCategory, sendData } from './send.js';

/**
 * `send_fallback`: one channel after another until one confirms delivery.
 *
 * Each attempt is its own step (so its own key): send on the next channel and wait for that
 * message's outcome or `confirm_within_seconds`. delivered (or opened/clicked, which imply it) →
 * `next.delivered`; failed, bounced, suppressed, complained, no_address or the timeout → the next
 * channel; none left → `next.exhausted`. `sent` alone confirms nothing and changes nothing.
 * A late "delivered" for an earlier attempt still counts: the contact got the message.
 */

const DELIVERED = new Set(['delivered', 'opened', 'clicked']);
const FAILED = new Set(['failed', 'bounced', 'suppressed', 'complained', 'no_address']);

/**
 * The kinds to try, in order: by hand, or the account's channels cheapest first (ties keep the
 * account's order); only kinds with a template in `templates`, each once.
 */
export function channelOrder(node: Pick<SendFallbackNode, 'channels' | 'templates'>, channels: ChannelCost[]): string[] {
  const kinds = node.channels === 'by_cost'
    ? channels.map((c, i) => ({ c, i })).sort((a, b) => a.c.cost - b.c.cost || a.i - b.i).map(({ c }) => c.kind)
    : node.channels;
  const hasTemplate = (k: string): boolean => typeof node.templates[k] === 'string';
  return [...new Set(kinds)].filter(hasTemplate);
}

export function executeFallback(ctx: StepContext, node: SendFallbackNode): StepResult {
  const prior = ctx.run.vars.fallback;
  // Continuing this execution after a failed attempt, or entering the node afresh.
  const state: FallbackState = prior && prior.node === node.id
    ? prior
    : { node: node.id, order: channelOrder(node, ctx.channels), tried: [], keys: [] };
  const kind = state.order.find((k) => !state.tried.includes(k));
  const templateId = kind === undefined ? undefined : node.templates[kind];
  if (kind === undefined || templateId === undefined) {
    return {
      kind: 'go', next: node.next.exhausted, outcome: 'exhausted',
      last: { outcome: 'exhausted', tried: state.tried }, vars: { fallback: undefined },
      trace: { detail: { tried: state.tried } },
    };
  }
  const next: FallbackState = { ...state, tried: [...state.tried, kind], keys: [...state.keys, ctx.key], current: kind };
  return {
    kind: 'wait',
    wait: { kind: 'message', node: node.id, keys: next.keys, channel_type: kind },
    dueAt: new Date(ctx.now.getTime() + node.confirm_within_seconds * 1000),
    outcome: 'sent',
    effects: [{
      type: 'send', key: ctx.key, node: node.id, channel_type: kind, template_id: templateId,
      category: node.category ?? defaultCategory(ctx.definition), data: sendData(ctx), await_outcome: true,
    }],
    vars: { fallback: next },
    trace: { channel_type: kind, template_id: templateId, key: ctx.key, detail: { attempt: next.tried.length } },
  };
}

/** A message outcome or the confirmation timer; null when the wake changes nothing. */
export function resumeFallback(ctx: StepContext, node: SendFallbackNode, wake: Wake): StepResult | null {
  const wait = ctx.run.wait;
  if (!wait || wait.kind !== 'message') return null;
  const current = wait.keys[wait.keys.length - 1];
  let status: string;
  let channel = wait.channel_type;
  if (wake.kind === 'timer') status = 'timeout';
  else if (wake.kind === 'message' && wait.keys.includes(wake.key)) {
    if (DELIVERED.has(wake.status)) {
      status = 'delivered';
      channel = wake.channel_type ?? channelOfKey(ctx, wake.key) ?? channel;
    } else if (FAILED.has(wake.status) && wake.key === current) status = wake.status;
    else return null;
  } else return null;

  const trace = { channel_type: channel, ...(wake.kind === 'message' ? { key: wake.key } : {}) };
  if (status === 'delivered') {
    return {
      kind: 'go', next: node.next.delivered, outcome: 'delivered', trace,
      last: { outcome: 'delivered', status: 'delivered', channel_type: channel }, vars: { fallback: undefined },
    };
  }
  // Back into the node: its next step tries the next channel (or finds none and is exhausted).
  return { kind: 'go', next: node.id, outcome: status, trace, last: { outcome: status, status, channel_type: channel } };
}

function channelOfKey(ctx: StepContext, key: string): string | undefined {
  const f = ctx.run.vars.fallback;
  const i = f ? f.keys.indexOf(key) : -1;
  return i >= 0 ? f?.tried[i] : undefined;
}
