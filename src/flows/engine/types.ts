import type { Category, ChannelKind } from '../../channels/port.js';
import type { FlowDefinition, NodeId } from '../definition/types.js';

/**
 * The engine's data: a run (one contact's way through one flow version), what wakes it, the side
 * effects it asks for and the steps it leaves behind. Everything here is plain JSON-able data
 * (Dates aside), so the worker stores it in `flow_runs` and the simulator keeps it in memory.
 */

/** An event as the engine sees it: `event.name`, `event.data.<path>`, `event.at` in filters. */
export interface EventData {
  name: string;
  data: Record<string, unknown>;
  at: Date;
}

/** What a waiting run waits for. `node` is the waiting node (also `run.node` while it waits). */
export type WaitState =
  | { kind: 'timer'; node: NodeId }
  | {
      kind: 'event';
      node: NodeId;
      event: string;
      match?: Record<string, unknown>;
      /** The triggering event's value at `path`; the awaited event must carry the same value there. */
      correlation?: { path: string; value: unknown };
    }
  /** A send_fallback attempt: the keys of this execution's sends (a late "delivered" of an earlier one counts too). */
  | { kind: 'message'; node: NodeId; keys: string[]; channel_type: string }
  /** An http call: the effect's key, which the worker's `action_result` wake names. */
  | { kind: 'action'; node: NodeId; action_key: string };

/** The progress of a send_fallback execution, kept between its attempts. */
export interface FallbackState {
  node: NodeId;
  /** The channel kinds in the order they are tried, fixed on entering the node. */
  order: string[];
  tried: string[];
  /** Keys of the sends so far. */
  keys: string[];
  current?: string;
}

export interface RunVars {
  /** The event that started or last resumed the run. */
  event?: EventData;
  /** The outcome of the last action or wait node (routing nodes leave it as it is). */
  last?: Record<string, unknown>;
  /** Passes through each loop node. */
  loops: Record<NodeId, number>;
  fallback?: FallbackState;
}

export type RunStatus = 'active' | 'waiting' | 'done' | 'exited' | 'failed';

export interface RunState {
  id: string;
  accountId: string;
  flowId: string;
  version: number;
  contactId: string;
  /** The node to execute next, or the node the run waits in; null once ended. */
  node: NodeId | null;
  status: RunStatus;
  /** When a timer wakes it (wait, wait_event timeout, fallback confirmation, http safety timeout). */
  dueAt: Date | null;
  wait: WaitState | null;
  /** Bumped on every step: (run id, node id, iteration) is the idempotency key of every side effect. */
  iteration: number;
  vars: RunVars;
  enteredAt: Date;
  /** Why a run failed (max steps, a broken edge…); never contains contact data. */
  error?: string;
}

/** Message statuses the worker reports for a send the run waits on (`no_address`: nothing to send to). */
export type MessageOutcome =
  | 'queued' | 'deferred' | 'sent' | 'delivered' | 'opened' | 'clicked'
  | 'failed' | 'bounced' | 'suppressed' | 'complained' | 'no_address';

export type Wake =
  | { kind: 'start'; event?: EventData }
  | { kind: 'timer' }
  | { kind: 'event'; event: EventData }
  /** `key` is the send effect's key (the worker keeps it in the message's `source`). */
  | { kind: 'message'; key: string; messageId?: string; status: MessageOutcome | string; channel_type?: string }
  | { kind: 'action_result'; key: string; outcome: 'success' | 'failure'; result?: unknown };

interface EffectBase {
  /** `${run.id}:${node}:${iteration}`: the same step replayed yields the same key. */
  key: string;
  node: NodeId;
}

export type Effect =
  | (EffectBase & {
      type: 'send';
      channel_type?: string;
      channel_id?: string;
      template_id: string;
      category: Category;
      /** The triggering event's data, for templates (`{{ data.amount }}`). */
      data: Record<string, unknown>;
      /** true for send_fallback: the worker must report this message's outcome as a 'message' wake. */
      await_outcome: boolean;
    })
  /** Plain `{{ path }}` tags are already resolved (interpolate.ts); what still holds Liquid, the worker renders. */
  | (EffectBase & { type: 'update_contact'; set: Record<string, unknown> })
  | (EffectBase & {
      type: 'http';
      method: string;
      url: string;
      body?: unknown;
      headers?: Record<string, string>;
      timeout_seconds?: number;
      success_when?: { status?: number[]; path?: string; equals?: unknown };
    })
  | (EffectBase & { type: 'list'; op: 'add' | 'remove'; list_id: string })
  | (EffectBase & { type: 'subscription'; category: Category; consent: boolean })
  /** `data` as update_contact's `set`: plain tags resolved, the rest for the worker. */
  | (EffectBase & { type: 'emit'; event: string; data: Record<string, unknown> });

/** One step of a run's path (a row of `flow_run_steps`). */
export interface TraceEntry {
  at: Date;
  iteration: number;
  node_id: NodeId;
  /** The node's type, or 'goal' for the step that pulled the run out. */
  type: string;
  outcome?: string;
  channel_type?: string;
  template_id?: string;
  /** The side effect's key when the step asked for one. */
  key?: string;
  detail?: Record<string, unknown>;
}

/** A channel kind the account can send on, with its cost per message (for `channels: "by_cost"`). */
export interface ChannelCost {
  kind: ChannelKind | string;
  cost: number;
}

export interface AdvanceInput {
  run: RunState;
  definition: FlowDefinition;
  /** The contact's fields (standard ones included). */
  contact: Record<string, unknown>;
  wake: Wake;
  now: Date;
  /** The contact's IANA time zone, else the account's. */
  timezone: string;
  channels: ChannelCost[];
  /** Steps allowed in this call before the run is failed (a runaway graph). Default 1000. */
  maxSteps?: number;
}

export interface AdvanceResult {
  run: RunState;
  effects: Effect[];
  trace: TraceEntry[];
}
