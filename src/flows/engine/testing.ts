import type { FlowDefinition, FlowNode } from '../definition/types.js';
import { advance } from './advance.js';
import { newRun } from './run.js';
import type { AdvanceResult, ChannelCost, EventData, RunState, Wake } from './types.js';

/**
 * Small builders for the engine's tests (and anyone exploring the engine in a REPL): a flow from
 * nodes, a started run, the next wake. Fixed instants only; nothing here reads the clock.
 */

/** Monday 2 March 2026, 09:00 in Bogotá (UTC−5, no DST). */
export const T0 = new Date('2026-03-02T14:00:00.000Z');
export const BOGOTA = 'America/Bogota';

export function flow(nodes: FlowNode[], extra: Partial<FlowDefinition> = {}): FlowDefinition {
  return { entry: { type: 'event', event: 'test.started' }, nodes, ...extra };
}

export function event(name: string, data: Record<string, unknown> = {}, at: Date = T0): EventData {
  return { name, data, at };
}

export const seconds = (from: Date, s: number): Date => new Date(from.getTime() + s * 1000);

export interface Drive {
  definition: FlowDefinition;
  contact?: Record<string, unknown>;
  timezone?: string;
  channels?: ChannelCost[];
  maxSteps?: number;
}

/** A new run with id `runId`, advanced by a start wake at `now`. */
export function start(d: Drive, opts: { runId?: string; event?: EventData; now?: Date } = {}): AdvanceResult {
  const now = opts.now ?? T0;
  const run = newRun({ id: opts.runId ?? 'run_1', accountId: 'acc_1', flowId: 'flw_1', version: 1, contactId: 'ctc_1', definition: d.definition, now });
  return wakeUp(d, run, { kind: 'start', ...(opts.event ? { event: opts.event } : {}) }, now);
}

export function wakeUp(d: Drive, run: RunState, wake: Wake, now: Date): AdvanceResult {
  return advance({
    run, definition: d.definition, contact: d.contact ?? {}, wake, now, timezone: d.timezone ?? BOGOTA,
    channels: d.channels ?? [], ...(d.maxSteps !== undefined ? { maxSteps: d.maxSteps } : {}),
  });
}

/** The trace as "node:outcome" strings, the shape most assertions want. */
export const path = (r: AdvanceResult): string[] => r.trace.map((t) => `${t.node_id}:${t.outcome ?? ''}`);
