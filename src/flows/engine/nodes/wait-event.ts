import type { WaitEventNode } from '../../definition/types.js';
import { eventMatchesWait } from '../match.js';
import { readEventPath } from '../paths.js';
import type { StepContext, StepResult } from '../step-types.js';
import type { Wake } from '../types.js';

/**
 * `wait_event`: wait for an event of the contact, matching `match` and — with `correlate` — the
 * same value at that path as the event that started the run (the same transaction id), until
 * `timeout_seconds`. The awaited event becomes the run's `event` for the steps after it.
 */
export function executeWaitEvent(ctx: StepContext, node: WaitEventNode): StepResult {
  const correlation = node.correlate === undefined
    ? undefined
    : { path: node.correlate, value: readEventPath(ctx.run.vars.event, node.correlate) ?? null };
  return {
    kind: 'wait',
    wait: {
      kind: 'event', node: node.id, event: node.event,
      ...(node.match !== undefined ? { match: node.match } : {}),
      ...(correlation ? { correlation } : {}),
    },
    dueAt: new Date(ctx.now.getTime() + node.timeout_seconds * 1000),
    outcome: 'waiting',
    trace: { detail: { event: node.event } },
  };
}

export function resumeWaitEvent(ctx: StepContext, node: WaitEventNode, wake: Wake): StepResult | null {
  if (wake.kind === 'timer') return { kind: 'go', next: node.next.timeout, outcome: 'timeout', last: { outcome: 'timeout' } };
  if (wake.kind !== 'event' || !eventMatchesWait(ctx.run.wait, wake.event)) return null;
  return {
    kind: 'go', next: node.next.event, outcome: 'event',
    last: { outcome: 'event', event: wake.event.name }, vars: { event: wake.event },
    trace: { detail: { event: wake.event.name } },
  };
}
