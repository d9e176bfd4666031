import type { ChannelKind, Category } from '../../channels/port.js';

/**
 * The flow definition (API.md, "Flow definition"): the core every flow understands. Node types
 * may add options; `label` and `position` are the designer's and ignored by the engine.
 */
export type NodeId = string;

export type Entry =
  | { type: 'event'; event: string }
  | { type: 'segment'; segment_id: string }
  | {
      type: 'broadcast';
      segment_id: string;
      at?: string;
      cron?: string;
      timezone?: string;
      approval?: { sample: number | string; approver_role?: 'approver' };
    }
  | { type: 'date_field'; field: string; offset_days: number; at?: string }
  | { type: 'form'; form_id: string };

export type EntryRule = 'once' | 'every_time' | { once_per_days: number };

/** A filter of the segment DSL; `event.<path>` and `last.<key>` reach the event and the previous step. */
export type FlowFilter = Record<string, unknown>;

interface Base {
  id: NodeId;
  label?: string;
  position?: { x: number; y: number };
}

export interface SendNode extends Base {
  type: 'send';
  channel_type?: ChannelKind | string;
  channel_id?: string;
  template_id: string;
  category?: Category;
  next?: NodeId;
}
export interface SendFallbackNode extends Base {
  type: 'send_fallback';
  channels: (ChannelKind | string)[] | 'by_cost';
  templates: Record<string, string>;
  confirm_within_seconds: number;
  category?: Category;
  next: { delivered?: NodeId; exhausted?: NodeId };
}
export interface WaitNode extends Base {
  type: 'wait';
  seconds?: number;
  until_field?: string;
  offset_days?: number;
  at?: string;
  next?: NodeId;
}
export interface WaitEventNode extends Base {
  type: 'wait_event';
  event: string;
  match?: Record<string, unknown>;
  correlate?: string;
  timeout_seconds: number;
  next: { event?: NodeId; timeout?: NodeId };
}
export interface BranchNode extends Base {
  type: 'branch';
  branches: { filter: FlowFilter; next: NodeId }[];
  default?: NodeId;
}
export interface ScoreSplitNode extends Base {
  type: 'score_split';
  path: string;
  detractor?: NodeId;
  passive?: NodeId;
  promoter?: NodeId;
  invalid?: NodeId;
}
export interface RandomSplitNode extends Base {
  type: 'random_split';
  branches: { percent: number; next: NodeId }[];
}
export interface UpdateContactNode extends Base {
  type: 'update_contact';
  set: Record<string, unknown>;
  next?: NodeId;
}
export interface HttpNode extends Base {
  type: 'http';
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeout_seconds?: number;
  success_when?: { status?: number[]; path?: string; equals?: unknown };
  next: { success?: NodeId; failure?: NodeId };
}
export interface ListNode extends Base {
  type: 'list';
  add?: string;
  remove?: string;
  next?: NodeId;
}
export interface SubscriptionNode extends Base {
  type: 'subscription';
  category: Category;
  consent: boolean;
  next?: NodeId;
}
export interface EmitNode extends Base {
  type: 'emit';
  event: string;
  data?: Record<string, unknown>;
  next?: NodeId;
}
export interface LoopNode extends Base {
  type: 'loop';
  max: number;
  next: NodeId;
  done?: NodeId;
}
export interface ExitNode extends Base {
  type: 'exit';
}

export type FlowNode =
  | SendNode | SendFallbackNode | WaitNode | WaitEventNode | BranchNode | ScoreSplitNode | RandomSplitNode
  | UpdateContactNode | HttpNode | ListNode | SubscriptionNode | EmitNode | LoopNode | ExitNode;

export type NodeType = FlowNode['type'];

export interface FlowDefinition {
  entry: Entry;
  goal?: { event: string; match?: Record<string, unknown> };
  entry_rule?: EntryRule;
  start?: NodeId;
  nodes: FlowNode[];
}

/** Nodes during which a run waits (a cycle must pass through one). */
export const WAITING_TYPES: ReadonlySet<NodeType> = new Set(['wait', 'wait_event', 'send_fallback']);

/** One problem of a definition, as AppError `details` carry it (validate.ts). A type, not an interface, so it fits ErrorDetail's index signature. */
export type DefinitionProblem = {
  /** Path in the definition as sent: `nodes[3].next.timeout`, `entry.event`, `nodes[2]`. */
  field: string;
  /** The node the problem belongs to, when it belongs to one (the designer marks it). */
  node_id?: NodeId;
  message: string;
};

/** An edge of the graph: the outcome that takes it, where it goes, and where it is written in the node. */
export interface Edge {
  /**
   * The edge's name: `delivered`, `timeout`, `branch_0`, `default`, `promoter`, `success`, `done`…
   * — the engine's outcome for nodes with several exits; `next` for single-exit nodes, whose
   * trace outcome says what happened instead (`sent`, `updated`, `timer`…). docs/flows.md.
   */
  outcome: string;
  to: NodeId;
  /** Path inside the node: `next`, `next.timeout`, `branches[0].next`, `default`, `promoter`. */
  field: string;
}
