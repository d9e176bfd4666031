import type { Category } from '../channels/port.js';
import type { FlowDefinition, NodeId } from './definition/types.js';
import { advance, contactChanges, isEnded, newRun } from './engine/index.js';
import type { AdvanceResult, ChannelCost, Effect, EventData, MessageOutcome, RunState, Wake } from './engine/index.js';

/**
 * The simulator (POST /v1/flows/{id}/simulate): the engine's own `advance` driven on a virtual
 * clock that jumps from one moment to the next — the run's timer, a scripted event, the outcome
 * of a simulated send or http call. Nothing is sent: sends are collected as "would be sent".
 * Deterministic: the same input gives the same timeline.
 *
 * Scripted events reach the run as the worker would deliver them: they resume it when it waits
 * for them (wait_event) or pull it out (goal); an event nobody waits for at that moment is lost,
 * as it would be in production. At one instant, outcomes of sends and calls come first, then
 * scripted events, then the run's timer.
 */

export interface SimulatedEvent {
  name: string;
  after_seconds: number;
  data?: Record<string, unknown>;
}

export interface SimulatedSend {
  at: Date;
  node_id: NodeId;
  key: string;
  channel_type?: string;
  channel_id?: string;
  template_id: string;
  category: Category;
  data: Record<string, unknown>;
}

/** A message's fate: a status now, a status later, or 'timeout' (no answer: the confirmation timer decides). */
export type SimulatedOutcome = MessageOutcome | 'timeout' | { status: MessageOutcome | 'timeout'; after_seconds?: number };
export type SimulatedHttpOutcome = { outcome: 'success' | 'failure'; result?: unknown; after_seconds?: number };

export interface SimulateInput {
  definition: FlowDefinition;
  contact: Record<string, unknown>;
  timezone: string;
  channels?: ChannelCost[];
  startAt: Date;
  /** The event that starts the run. Default for event entries: the entry's event with no data. */
  trigger?: { name: string; data?: Record<string, unknown> };
  events?: SimulatedEvent[];
  /** Outcomes of sends the run waits on (send_fallback). Default: delivered at once. */
  messageOutcomes?: (send: SimulatedSend) => SimulatedOutcome;
  /** Answers of http nodes. Default: success at once, no body. */
  httpOutcomes?: (effect: Extract<Effect, { type: 'http' }>) => SimulatedHttpOutcome;
  /** How far the virtual clock may go. Default 400 days. */
  horizonSeconds?: number;
  runId?: string;
  /** A guard on wakes, for flows that would wake forever within the horizon. Default 10,000. */
  maxWakes?: number;
}

export interface TimelineEntry {
  at: Date;
  node_id: NodeId;
  type: string;
  outcome?: string;
  channel_type?: string;
  template_id?: string;
}

export interface SimulateResult {
  timeline: TimelineEntry[];
  sends: SimulatedSend[];
  /** Every effect asked for (update_contact, http, list, emit…), with its virtual time. */
  effects: (Effect & { at: Date })[];
  final: RunState;
  /** The contact after the literal updates the flow made. */
  contact: Record<string, unknown>;
}

export const DEFAULT_HORIZON_SECONDS = 400 * 86_400;

/** Queue order at one instant: outcomes of what the run did, then scripted events. */
const OUTCOME = 0;
const SCRIPTED = 1;

interface Pending {
  at: number;
  priority: number;
  seq: number;
  wake: Wake;
}

export function simulate(input: SimulateInput): SimulateResult {
  const { definition, timezone } = input;
  const channels = input.channels ?? [];
  const start = input.startAt.getTime();
  const horizon = start + (input.horizonSeconds ?? DEFAULT_HORIZON_SECONDS) * 1000;
  const maxWakes = input.maxWakes ?? 10_000;
  let contact = { ...input.contact };
  const timeline: TimelineEntry[] = [];
  const sends: SimulatedSend[] = [];
  const effects: (Effect & { at: Date })[] = [];
  const queue: Pending[] = [];
  let seq = 0;
  const push = (at: number, priority: number, wake: Wake): void => {
    queue.push({ at, priority, seq: seq++, wake });
    queue.sort((a, b) => a.at - b.at || a.priority - b.priority || a.seq - b.seq);
  };

  for (const e of [...(input.events ?? [])].sort((a, b) => a.after_seconds - b.after_seconds)) {
    const at = start + e.after_seconds * 1000;
    push(at, SCRIPTED, { kind: 'event', event: { name: e.name, data: e.data ?? {}, at: new Date(at) } });
  }

  const record = (result: AdvanceResult, now: Date): void => {
    for (const t of result.trace) {
      timeline.push({
        at: t.at, node_id: t.node_id, type: t.type,
        ...(t.outcome !== undefined ? { outcome: t.outcome } : {}),
        ...(t.channel_type !== undefined ? { channel_type: t.channel_type } : {}),
        ...(t.template_id !== undefined ? { template_id: t.template_id } : {}),
      });
    }
    for (const effect of result.effects) {
      effects.push({ ...effect, at: now });
      contact = { ...contact, ...contactChanges(effect) };
      if (effect.type === 'send') {
        const send: SimulatedSend = {
          at: now, node_id: effect.node, key: effect.key, template_id: effect.template_id, category: effect.category, data: effect.data,
          ...(effect.channel_type !== undefined ? { channel_type: effect.channel_type } : {}),
          ...(effect.channel_id !== undefined ? { channel_id: effect.channel_id } : {}),
        };
        sends.push(send);
        if (effect.await_outcome) queueMessageOutcome(send, now.getTime());
      } else if (effect.type === 'http') {
        const answer = input.httpOutcomes?.(effect) ?? { outcome: 'success' };
        push(now.getTime() + (answer.after_seconds ?? 0) * 1000, OUTCOME, {
          kind: 'action_result', key: effect.key, outcome: answer.outcome,
          ...(answer.result !== undefined ? { result: answer.result } : {}),
        });
      }
    }
  };
  const queueMessageOutcome = (send: SimulatedSend, now: number): void => {
    const raw = input.messageOutcomes?.(send) ?? 'delivered';
    const { status, after_seconds: after = 0 } = typeof raw === 'string' ? { status: raw } : raw;
    if (status === 'timeout') return;
    push(now + after * 1000, OUTCOME, {
      kind: 'message', key: send.key, status, ...(send.channel_type !== undefined ? { channel_type: send.channel_type } : {}),
    });
  };

  const step = (wake: Wake, now: Date): void => {
    const result = advance({ run, definition, contact, wake, now, timezone, channels });
    run = result.run;
    record(result, now);
  };

  let run = newRun({
    id: input.runId ?? 'run_simulated', accountId: 'simulation', flowId: 'simulation', version: 0,
    contactId: typeof contact.id === 'string' ? contact.id : 'simulation', definition, now: input.startAt,
  });
  step({ kind: 'start', ...startEvent(input) }, input.startAt);

  for (let wakes = 0; wakes < maxWakes && !isEnded(run); wakes++) {
    const head = queue[0];
    const timer = run.status === 'waiting' && run.dueAt ? run.dueAt.getTime() : undefined;
    let at: number;
    let wake: Wake;
    if (head && (timer === undefined || head.at <= timer)) {
      queue.shift();
      ({ at, wake } = head);
    } else if (timer !== undefined) {
      at = timer;
      wake = { kind: 'timer' };
    } else break; // waits for something that will never come: the timeline ends here
    if (at > horizon) break;
    step(wake, new Date(at));
  }
  return { timeline, sends, effects, final: run, contact };
}

function startEvent(input: SimulateInput): { event?: EventData } {
  const entry = input.definition.entry;
  const trigger = input.trigger ?? (entry.type === 'event' ? { name: entry.event } : undefined);
  return trigger ? { event: { name: trigger.name, data: trigger.data ?? {}, at: input.startAt } } : {};
}
