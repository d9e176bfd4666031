import type { FlowNode } from '../definition/types.js';
import { FlowRuntimeError } from './errors.js';
import { goalMatches } from './match.js';
import { isEnded, nodeById, startNode } from './run.js';
import { executeNode, resumeNode } from './step.js';
import type { StepContext, StepResult } from './step-types.js';
import type { AdvanceInput, AdvanceResult, Effect, RunState, TraceEntry } from './types.js';

export const DEFAULT_MAX_STEPS = 1000;

/**
 * The engine: from a run, its definition, the contact, what woke it and the time, decide its next
 * steps — until it must wait (a timer, an event, a message outcome, an http answer) or ends.
 * Pure: the same input gives the same output, so a replayed call asks for the same effects with
 * the same keys and the worker's idempotency drops the second copy.
 *
 * - a goal event ends the run ('exited') wherever it is;
 * - a waiting run resumes only on what it waits for (a timer only once due); any other wake
 *   returns it unchanged, with no step;
 * - an active run executes from `run.node` (a 'start' wake also records its event);
 * - every step bumps `iteration` and leaves one TraceEntry;
 * - a definition problem met on the way (dangling edge, malformed filter) fails the run, and so
 *   does running more than `maxSteps` steps in one call (a loop without a wait).
 */
export function advance(input: AdvanceInput): AdvanceResult {
  const { definition, wake, now } = input;
  if (isEnded(input.run)) return { run: input.run, effects: [], trace: [] };
  const maxSteps = input.maxSteps ?? DEFAULT_MAX_STEPS;
  let run: RunState = { ...input.run, vars: { ...input.run.vars } };
  const contact = { ...input.contact };
  const effects: Effect[] = [];
  const trace: TraceEntry[] = [];
  let steps = 0;

  const context = (node: FlowNode): StepContext => {
    const iteration = run.iteration + 1;
    return {
      run, definition, contact, now, timezone: input.timezone, channels: input.channels,
      iteration, key: `${run.id}:${node.id}:${iteration}`,
    };
  };
  const apply = (node: FlowNode, ctx: StepContext, result: StepResult): void => {
    steps += 1;
    trace.push({ at: now, iteration: ctx.iteration, node_id: node.id, type: node.type, outcome: result.outcome, ...result.trace });
    effects.push(...(result.effects ?? []));
    Object.assign(contact, result.contact);
    const vars = { ...run.vars, ...result.vars, ...(result.last ? { last: result.last } : {}) };
    const base = { ...run, iteration: ctx.iteration, vars };
    if (result.kind === 'wait') run = { ...base, node: node.id, status: 'waiting', wait: result.wait, dueAt: result.dueAt };
    else if (result.kind === 'end' || result.next === undefined) run = { ...base, node: null, status: 'done', wait: null, dueAt: null };
    else run = { ...base, node: result.next, status: 'active', wait: null, dueAt: null };
  };
  const fail = (error: string, nodeId: string): void => {
    const iteration = run.iteration + 1;
    trace.push({ at: now, iteration, node_id: nodeId, type: 'error', outcome: 'failed', detail: { error } });
    run = { ...run, iteration, node: null, status: 'failed', wait: null, dueAt: null, error };
  };
  const unchanged = (): AdvanceResult => ({ run: input.run, effects: [], trace: [] });

  try {
    if (wake.kind === 'event' && goalMatches(definition, wake.event)) {
      const iteration = run.iteration + 1;
      const at = run.node ?? startNode(definition);
      trace.push({ at: now, iteration, node_id: at, type: 'goal', outcome: 'exited', detail: { event: wake.event.name } });
      run = { ...run, iteration, node: null, status: 'exited', wait: null, dueAt: null, vars: { ...run.vars, event: wake.event } };
      return { run, effects, trace };
    }
    if (run.status === 'waiting') {
      if (run.node === null || wake.kind === 'start') return unchanged();
      if (wake.kind === 'timer' && (run.dueAt === null || now.getTime() < run.dueAt.getTime())) return unchanged();
      const node = nodeById(definition, run.node);
      const ctx = context(node);
      const result = resumeNode(ctx, node, wake);
      if (!result) return unchanged();
      apply(node, ctx, result);
    } else {
      if (run.node === null) run = { ...run, node: startNode(definition) };
      if (wake.kind === 'start' && wake.event) run = { ...run, vars: { ...run.vars, event: wake.event } };
    }
    while (run.status === 'active' && run.node !== null) {
      if (steps >= maxSteps) {
        fail(`max_steps: more than ${maxSteps} steps without waiting`, run.node);
        break;
      }
      const node = nodeById(definition, run.node);
      const ctx = context(node);
      apply(node, ctx, executeNode(ctx, node));
    }
  } catch (err) {
    if (!(err instanceof FlowRuntimeError)) throw err;
    fail(err.message, run.node ?? '');
  }
  return { run, effects, trace };
}
