import type { FlowDefinition, NodeId } from '../definition/types.js';
import type { ChannelCost, Effect, RunState, RunVars, TraceEntry, WaitState } from './types.js';

/** What a node handler sees for one step. Handlers are pure: they return, never mutate. */
export interface StepContext {
  /** The run as it is before this step. */
  run: RunState;
  definition: FlowDefinition;
  /** The contact as this call sees it (with the literal updates of earlier steps in the call). */
  contact: Record<string, unknown>;
  now: Date;
  timezone: string;
  channels: ChannelCost[];
  /** This step's iteration (run.iteration + 1) and the idempotency key of its effect. */
  iteration: number;
  key: string;
}

type TraceExtra = Partial<Pick<TraceEntry, 'channel_type' | 'template_id' | 'key' | 'detail'>>;

interface Common {
  /** The step's outcome in the trace ('sent', 'waiting', 'timeout', 'promoter', …). */
  outcome: string;
  effects?: Effect[];
  /** Replaces vars.last (action and wait nodes; routing nodes leave it). */
  last?: Record<string, unknown>;
  /** Merged into vars (a key set to undefined clears it). */
  vars?: Partial<RunVars>;
  /** Literal contact fields set by this step, so later steps of the same call see them. */
  contact?: Record<string, unknown>;
  trace?: TraceExtra;
}

export type StepResult =
  /** Go on to `next`; undefined = the end of the path (run done). */
  | (Common & { kind: 'go'; next: NodeId | undefined })
  | (Common & { kind: 'wait'; wait: WaitState; dueAt: Date | null })
  | (Common & { kind: 'end'; status: 'done' });
