import type { EmitNode, ListNode, SubscriptionNode, UpdateContactNode } from '../../definition/types.js';
import { FlowRuntimeError } from '../errors.js';
import { hasLiquid, interpolateAll } from '../interpolate.js';
import type { StepContext, StepResult } from '../step-types.js';
import { scopeOf } from './scope.js';
import type { Effect } from '../types.js';

/** Actions the worker performs after the step is stored; the run goes on at once. */

/**
 * The values of a `set` that need no more rendering. The engine applies them to the contact it
 * holds, so a later step of the same call (or the simulator) sees them; values still holding
 * Liquid (filters, tags: see interpolate.ts) wait for the worker.
 */
export function literalValues(set: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(set).filter(([, v]) => !hasLiquid(v)));
}


/** The contact fields an effect sets, as far as the engine can know them (for the simulator). */
export function contactChanges(effect: Effect): Record<string, unknown> {
  if (effect.type === 'update_contact') return literalValues(effect.set);
  if (effect.type === 'subscription') return { [`consent_${effect.category}`]: effect.consent };
  return {};
}

export function executeUpdateContact(ctx: StepContext, node: UpdateContactNode): StepResult {
  const effect: Effect = { type: 'update_contact', key: ctx.key, node: node.id, set: interpolateAll(node.set, scopeOf(ctx)) };
  return {
    kind: 'go', next: node.next, outcome: 'updated', effects: [effect], contact: contactChanges(effect),
    last: { outcome: 'updated', fields: Object.keys(node.set) }, trace: { key: ctx.key },
  };
}

export function executeList(ctx: StepContext, node: ListNode): StepResult {
  const op = node.add !== undefined ? 'add' : 'remove';
  const listId = node.add ?? node.remove;
  if (listId === undefined) throw new FlowRuntimeError(`node "${node.id}": list needs add or remove`);
  const outcome = op === 'add' ? 'added' : 'removed';
  return {
    kind: 'go', next: node.next, outcome, effects: [{ type: 'list', key: ctx.key, node: node.id, op, list_id: listId }],
    last: { outcome, list_id: listId }, trace: { key: ctx.key },
  };
}

/** Sets the contact's consent_<category> standard field. */
export function executeSubscription(ctx: StepContext, node: SubscriptionNode): StepResult {
  const effect: Effect = { type: 'subscription', key: ctx.key, node: node.id, category: node.category, consent: node.consent };
  return {
    kind: 'go', next: node.next, outcome: node.consent ? 'subscribed' : 'unsubscribed', effects: [effect],
    contact: contactChanges(effect), last: { outcome: 'set', category: node.category, consent: node.consent }, trace: { key: ctx.key },
  };
}

export function executeEmit(ctx: StepContext, node: EmitNode): StepResult {
  return {
    kind: 'go', next: node.next, outcome: 'emitted',
    effects: [{ type: 'emit', key: ctx.key, node: node.id, event: node.event, data: interpolateAll(node.data ?? {}, scopeOf(ctx)) }],
    last: { outcome: 'emitted', event: node.event }, trace: { key: ctx.key },
  };
}
