import type { FlowDefinition } from '../definition/types.js';
import { equals } from './filter-eval.js';
import { readEventPath } from './paths.js';
import type { EventData, WaitState } from './types.js';

/**
 * Which events concern a run: the one its wait_event awaits, or the flow's goal. The worker finds
 * candidate runs by index (contact, event name) and confirms with these; `advance` checks again.
 */

/** Every `{path: value}` of `match` holds in the event (paths as in readEventPath). */
export function eventMatches(match: Record<string, unknown> | undefined, event: EventData): boolean {
  if (!match) return true;
  return Object.entries(match).every(([path, value]) => {
    const actual = readEventPath(event, path);
    return actual !== undefined && actual !== null && equals(actual, value);
  });
}

/** The event a wait_event awaits: its name, its `match`, and the same correlation value. */
export function eventMatchesWait(wait: WaitState | null, event: EventData): boolean {
  if (!wait || wait.kind !== 'event' || wait.event !== event.name) return false;
  if (!eventMatches(wait.match, event)) return false;
  if (!wait.correlation) return true;
  const { path, value } = wait.correlation;
  // A trigger without the correlation value can only time out: matching "anything" would let
  // another transaction's answer resume this run.
  if (value === undefined || value === null) return false;
  const actual = readEventPath(event, path);
  return actual !== undefined && actual !== null && equals(actual, value);
}

export function goalMatches(definition: FlowDefinition, event: EventData): boolean {
  const goal = definition.goal;
  return !!goal && goal.event === event.name && eventMatches(goal.match, event);
}

/** The columns the worker indexes a waiting run by (`flow_runs.wait_event`, `.correlation`). */
export function waitIndex(wait: WaitState | null): { wait_event: string | null; correlation: string | null } {
  if (!wait || wait.kind !== 'event') return { wait_event: null, correlation: null };
  const v = wait.correlation?.value;
  return { wait_event: wait.event, correlation: v === undefined || v === null ? null : String(v) };
}
