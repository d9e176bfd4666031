/**
 * The Conversation Manager's shapes as the API sends them (API.md, "Conversation Manager"; the
 * definition mirrors src/flows/definition/types.ts, which the console cannot import: it is
 * compiled for the browser, without the server's types).
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

export type EntryType = Entry['type'];

export type EntryRule = 'once' | 'every_time' | { once_per_days: number };

/** A filter of the segment DSL; `event.<path>` and `last.<key>` reach the event and the previous step. */
export type FlowFilter = Record<string, unknown>;

export type Category = 'transactional' | 'marketing';

interface Base {
  id: NodeId;
  label?: string;
  position?: { x: number; y: number };
}

export interface SendNode extends Base {
  type: 'send';
  channel_type?: string;
  channel_id?: string;
  template_id: string;
  category?: Category;
  next?: NodeId;
}
export interface SendFallbackNode extends Base {
  type: 'send_fallback';
  channels: string[] | 'by_cost';
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
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export interface HttpNode extends Base {
  type: 'http';
  method: HttpMethod;
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

// ---- API answers ---------------------------------------------------------------------------

export interface Flow {
  id: string;
  name: string;
  list_id: string;
  status: 'draft' | 'active';
  draft: FlowDefinition;
  /** The latest published version; null until the first publish. */
  version: number | null;
  created_at: string;
  updated_at: string;
}

export interface FlowExample {
  slug: string;
  name: string;
  description: string;
  /** The fields the example reads from the list's contacts (keys, or field definitions). */
  list_fields: (string | { key: string; label?: string; type?: string })[];
  definition: FlowDefinition;
}

export interface FlowVersionSummary {
  version: number;
  published_at: string;
  published_by: string | null;
}

export interface FlowVersion {
  version: number;
  definition: FlowDefinition;
  published_at: string;
}

export interface NodeStats {
  entered: number;
  completed: number;
  waiting: number;
  failed: number;
  outcomes?: Record<string, number>;
}

export interface FlowStats {
  nodes: Record<NodeId, NodeStats>;
}

/** One step of a run or of a simulation. */
export interface TimelineEntry {
  at: string;
  node_id: NodeId;
  type: string;
  outcome?: string;
  channel_type?: string;
  template_id?: string;
}

export interface SimulateEvent {
  name: string;
  after_seconds: number;
  data?: Record<string, unknown>;
}

export interface SimulateRequest {
  contact?: Record<string, unknown>;
  contact_id?: string;
  start_at?: string;
  /** The event that starts the run (an event entry's), with its data. */
  trigger?: { name: string; data?: Record<string, unknown> };
  events: SimulateEvent[];
}

export interface SimulateResult {
  timeline: TimelineEntry[];
  /** Where the simulated run ended up: done, exited, failed, or still waiting at `node`. */
  final?: { status: string; node: NodeId | null };
}

/** A problem the server found in a definition (422 `invalid_definition` details). */
export interface DefinitionProblem {
  field: string;
  node_id?: string;
  message: string;
}

/** A broadcast held for approval: its control sample went out, the rest waits for an approver. */
export interface FlowApproval {
  id: string;
  version: number;
  status: 'pending' | 'released';
  sample_size: number;
  total: number;
  created_at: string;
  /** Who released it (the actor the audit log names), once released. */
  released_by: string | null;
  released_at: string | null;
}

/** One step of a real run's path (a row of flow_run_steps): the timeline entry and the step's detail. */
export interface RunStep extends TimelineEntry {
  /** wait: when it wakes; wait_event and goal: the event; loop: the pass; error: what failed. */
  until?: string;
  event?: string;
  pass?: number;
  error?: string;
  [detail: string]: unknown;
}

/** A contact's way through a flow (`GET /v1/flows/{id}/runs`). */
export interface FlowRun {
  id: string;
  contact_id: string;
  version: number;
  status: 'active' | 'waiting' | 'done' | 'exited' | 'failed';
  /** Where it is (active, waiting) or ended (done, exited, failed); null before its first step. */
  node: NodeId | null;
  entered_at: string;
  ended_at: string | null;
  /** When a waiting run wakes on its own (its timer). */
  due_at: string | null;
  error: string | null;
  path: RunStep[];
}
