import type { WaitNode } from '../../definition/types.js';
import { FlowRuntimeError } from '../errors.js';
import { dateFieldInstant, nextLocalTime } from '../local-time.js';
import { resolveField } from '../paths.js';
import type { StepContext, StepResult } from '../step-types.js';
import type { Wake } from '../types.js';
import { scopeOf } from './scope.js';

/**
 * `wait`: `{seconds}`, `{until_field, offset_days?, at?}` or `{at: "HH:MM"}` in the run's time
 * zone. A moment already reached goes on at once; so does a date field the contact lacks
 * (outcome `no_date`: waiting for a date that will never come would strand the run).
 * `until_field` reads like a filter field: `due_date`, `contact.due_date` or `event.data.due_date`.
 */
export function waitUntil(ctx: StepContext, node: WaitNode): Date | 'no_date' {
  if (node.seconds !== undefined) return new Date(ctx.now.getTime() + node.seconds * 1000);
  if (node.until_field !== undefined) {
    const value = resolveField(node.until_field, scopeOf(ctx));
    return dateFieldInstant(value, node.offset_days ?? 0, node.at, ctx.timezone) ?? 'no_date';
  }
  if (node.at !== undefined) {
    const at = nextLocalTime(ctx.now, node.at, ctx.timezone);
    if (!at) throw new FlowRuntimeError(`node "${node.id}": "at" must be HH:MM`);
    return at;
  }
  throw new FlowRuntimeError(`node "${node.id}": wait needs seconds, until_field or at`);
}

export function executeWait(ctx: StepContext, node: WaitNode): StepResult {
  const until = waitUntil(ctx, node);
  if (until === 'no_date') return { kind: 'go', next: node.next, outcome: 'no_date', last: { outcome: 'no_date' } };
  if (until.getTime() <= ctx.now.getTime()) return { kind: 'go', next: node.next, outcome: 'timer', last: { outcome: 'timer' } };
  return {
    kind: 'wait', wait: { kind: 'timer', node: node.id }, dueAt: until, outcome: 'waiting',
    trace: { detail: { until: until.toISOString() } },
  };
}

/** Only the timer ends a wait (advance has already checked that it is due). */
export function resumeWait(_ctx: StepContext, node: WaitNode, wake: Wake): StepResult | null {
  if (wake.kind !== 'timer') return null;
  return { kind: 'go', next: node.next, outcome: 'timer', last: { outcome: 'timer' } };
}
