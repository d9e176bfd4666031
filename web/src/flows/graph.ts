import type { Edge, Node } from '@xyflow/react';
import type { DefinitionProblem, Entry, FlowDefinition, FlowNode, NodeId, NodeStats, NodeType } from './types';

/**
 * The designer's one converter between a flow definition and what React Flow draws:
 * `toGraph` turns a definition into nodes and edges, `fromGraph` reads the definition back out of
 * them after React Flow changed them (moved, deleted, connected). The definition stays the truth;
 * the graph is a view of it. Pure: no React state, no I/O.
 *
 * Every node type has outcome handles; an edge goes from `<node>:<handle>` to the node that
 * outcome leads to, so each handle has at most one edge and the edge's id is the handle's.
 */

/** The entry's node on the canvas; not a valid definition node id (ids start with a letter), so it never collides. */
export const ENTRY_ID = '__entry';
export const START_HANDLE = 'start';

/** An outcome of a node: the handle it leaves from and the node it leads to (if connected). */
export interface Outcome {
  handle: string;
  label: string;
  target: NodeId | undefined;
}

/** What the canvas shows on a node besides the definition: the server's problems, live counts, a simulation's or a run's path. */
export interface Decorations {
  problems?: ProblemIndex;
  stats?: Record<NodeId, NodeStats>;
  /** Nodes a simulated contact (or a real run) passes through, with the step numbers at which it does. */
  visited?: Map<NodeId, number[]>;
}

export type StepData = {
  node: FlowNode;
  outcomes: Outcome[];
  isStart: boolean;
  errors: string[];
  stats?: NodeStats;
  visits?: number[];
};
export type EntryData = {
  entry: Entry;
  goal?: string;
  errors: string[];
};
export type StepGraphNode = Node<StepData, 'step'>;
export type EntryGraphNode = Node<EntryData, 'entry'>;
export type GraphNode = StepGraphNode | EntryGraphNode;
export type GraphEdge = Edge;

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

// ---- Outcomes ------------------------------------------------------------------------------

const orUndefined = (id: string | undefined): NodeId | undefined => (id ? id : undefined);

/** The outcomes of a node, in the order its handles are drawn (left to right). */
export function outcomesOf(node: FlowNode): Outcome[] {
  const one = (handle: string, label: string, target: string | undefined): Outcome => ({ handle, label, target: orUndefined(target) });
  switch (node.type) {
    case 'send':
    case 'wait':
    case 'update_contact':
    case 'list':
    case 'subscription':
    case 'emit':
      return [one('next', 'next', node.next)];
    case 'send_fallback':
      return [one('delivered', 'delivered', node.next.delivered), one('exhausted', 'exhausted', node.next.exhausted)];
    case 'wait_event':
      return [one('event', 'event', node.next.event), one('timeout', 'timeout', node.next.timeout)];
    case 'branch':
      return [...node.branches.map((b, i) => one(`branch-${i}`, `if ${i + 1}`, b.next)), one('default', 'else', node.default)];
    case 'score_split':
      return [
        one('detractor', 'detractor', node.detractor), one('passive', 'passive', node.passive),
        one('promoter', 'promoter', node.promoter), one('invalid', 'invalid', node.invalid),
      ];
    case 'random_split':
      return node.branches.map((b, i) => one(`branch-${i}`, `${b.percent}%`, b.next));
    case 'http':
      return [one('success', 'success', node.next.success), one('failure', 'failure', node.next.failure)];
    case 'loop':
      return [one('next', 'next', node.next), one('done', 'done', node.done)];
    case 'exit':
      return [];
  }
}

const branchIndex = (handle: string): number => {
  const m = /^branch-(\d+)$/.exec(handle);
  return m ? Number(m[1]) : -1;
};

/**
 * The node with one outcome pointed at `target` (undefined disconnects it). Outcomes the
 * definition requires (a branch's `next`, a loop's `next`) become '' when disconnected: the
 * server then names the node as having a dangling edge, and the designer shows it there.
 */
export function setOutcome(node: FlowNode, handle: string, target: NodeId | undefined): FlowNode {
  const t = target ?? undefined;
  switch (node.type) {
    case 'send':
    case 'wait':
    case 'update_contact':
    case 'list':
    case 'subscription':
    case 'emit':
      return handle === 'next' ? withOptional(node, 'next', t) : node;
    case 'send_fallback':
      return handle === 'delivered' || handle === 'exhausted' ? { ...node, next: withOptional(node.next, handle, t) } : node;
    case 'wait_event':
      return handle === 'event' || handle === 'timeout' ? { ...node, next: withOptional(node.next, handle, t) } : node;
    case 'http':
      return handle === 'success' || handle === 'failure' ? { ...node, next: withOptional(node.next, handle, t) } : node;
    case 'branch': {
      if (handle === 'default') return withOptional(node, 'default', t);
      const i = branchIndex(handle);
      if (i < 0 || i >= node.branches.length) return node;
      return { ...node, branches: node.branches.map((b, j) => (j === i ? { ...b, next: t ?? '' } : b)) };
    }
    case 'random_split': {
      const i = branchIndex(handle);
      if (i < 0 || i >= node.branches.length) return node;
      return { ...node, branches: node.branches.map((b, j) => (j === i ? { ...b, next: t ?? '' } : b)) };
    }
    case 'score_split':
      return handle === 'detractor' || handle === 'passive' || handle === 'promoter' || handle === 'invalid'
        ? withOptional(node, handle, t)
        : node;
    case 'loop':
      if (handle === 'next') return { ...node, next: t ?? '' };
      return handle === 'done' ? withOptional(node, 'done', t) : node;
    case 'exit':
      return node;
  }
}

/** A copy with `key` set, or removed when the value is undefined (so the JSON has no `"next": null`). */
function withOptional<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): T {
  const copy = { ...obj };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

/** Every outcome of the node disconnected. */
function clearOutcomes(node: FlowNode): FlowNode {
  return outcomesOf(node).reduce((n, o) => setOutcome(n, o.handle, undefined), node);
}

// ---- Definition → graph --------------------------------------------------------------------

/** The node a run starts at: `start`, else the first node. */
export function startOf(def: FlowDefinition): NodeId | undefined {
  return def.start ?? def.nodes[0]?.id;
}

/** Where a node without a stored position goes: a column under the entry. */
function fallbackPosition(index: number): { x: number; y: number } {
  return { x: 0, y: index * 150 };
}

function entryPosition(def: FlowDefinition): { x: number; y: number } {
  const start = startOf(def);
  const index = def.nodes.findIndex((n) => n.id === start);
  const at = index < 0 ? { x: 0, y: 0 } : (def.nodes[index]?.position ?? fallbackPosition(index));
  return { x: at.x, y: at.y - 140 };
}


export const edgeId = (source: string, handle: string) => `${source}:${handle}`;

export function toGraph(def: FlowDefinition, decorations: Decorations = {}): Graph {
  const ids = new Set(def.nodes.map((n) => n.id));
  const start = startOf(def);
  const { problems, stats, visited } = decorations;
  const entry: EntryGraphNode = {
    id: ENTRY_ID,
    type: 'entry',
    position: entryPosition(def),
    // The entry sits above the start node and follows it: the definition has no place to keep its own position.
    deletable: false,
    draggable: false,
    data: { entry: def.entry, goal: def.goal?.event, errors: problems?.entry ?? [] },
  };
  const nodes: GraphNode[] = [entry];
  const edges: GraphEdge[] = [];
  if (start && ids.has(start)) {
    edges.push({ id: edgeId(ENTRY_ID, START_HANDLE), source: ENTRY_ID, sourceHandle: START_HANDLE, target: start, targetHandle: 'in' });
  }
  def.nodes.forEach((node, index) => {
    const outcomes = outcomesOf(node);
    nodes.push({
      id: node.id,
      type: 'step',
      position: node.position ?? fallbackPosition(index),
      data: {
        node, outcomes, isStart: node.id === start,
        errors: problems?.byNode.get(node.id) ?? [],
        stats: stats?.[node.id],
        visits: visited?.get(node.id),
      },
    });
    for (const o of outcomes) {
      if (o.target === undefined || !ids.has(o.target)) continue;
      edges.push({
        id: edgeId(node.id, o.handle), source: node.id, sourceHandle: o.handle, target: o.target, targetHandle: 'in',
        label: outcomes.length > 1 ? o.label : undefined,
      });
    }
  });
  return { nodes, edges };
}

// ---- Graph → definition --------------------------------------------------------------------

/**
 * The definition the graph now shows: nodes in the graph's order at their (rounded) positions,
 * every outcome set from the edge that leaves its handle, `start` from the entry's edge. Nodes
 * the graph no longer has are gone, and so are the outcomes that led to them. `base` gives what
 * the graph does not carry (entry, goal, entry rule).
 */
export function fromGraph(nodes: readonly GraphNode[], edges: readonly GraphEdge[], base: FlowDefinition): FlowDefinition {
  const steps = nodes.filter((n): n is StepGraphNode => n.type === 'step');
  const present = new Set(steps.map((n) => n.id));
  const bySource = new Map<string, GraphEdge[]>();
  for (const e of edges) {
    if (!present.has(e.target)) continue;
    const list = bySource.get(e.source) ?? [];
    list.push(e);
    bySource.set(e.source, list);
  }
  const defNodes = steps.map((g) => {
    let node = clearOutcomes(g.data.node);
    for (const e of bySource.get(g.id) ?? []) if (e.sourceHandle) node = setOutcome(node, e.sourceHandle, e.target);
    return { ...node, position: { x: Math.round(g.position.x), y: Math.round(g.position.y) } };
  });
  const startEdge = bySource.get(ENTRY_ID)?.[0];
  const def: FlowDefinition = { ...base, nodes: defNodes };
  if (startEdge) def.start = startEdge.target;
  else delete def.start;
  return def;
}

/** The edges after connecting `source:handle` to `target`: a handle leads to one node, so an older edge is replaced. */
export function connectEdges(edges: readonly GraphEdge[], source: string, handle: string, target: string): GraphEdge[] {
  const id = edgeId(source, handle);
  return [...edges.filter((e) => e.id !== id), { id, source, sourceHandle: handle, target, targetHandle: 'in' }];
}

/** Whether a connection makes sense: not into the entry, not from a node to itself. */
export function canConnect(source: string | null, target: string | null): boolean {
  return !!source && !!target && target !== ENTRY_ID && source !== target;
}

// ---- Edits the side panel and the palette make ---------------------------------------------

const ID_RE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function isValidNodeId(id: string): boolean {
  return ID_RE.test(id);
}

/** The first free `<type>_<n>` id: readable in the JSON and in the server's messages. */
export function newNodeId(def: FlowDefinition, type: NodeType): NodeId {
  const taken = new Set(def.nodes.map((n) => n.id));
  for (let n = 1; ; n++) {
    const id = `${type}_${n}`;
    if (!taken.has(id)) return id;
  }
}

export function addNode(def: FlowDefinition, node: FlowNode): FlowDefinition {
  return { ...def, nodes: [...def.nodes, node] };
}

/** Replaces a node's options; its id and outcomes are the caller's. */
export function updateNode(def: FlowDefinition, id: NodeId, node: FlowNode): FlowDefinition {
  return { ...def, nodes: def.nodes.map((n) => (n.id === id ? node : n)) };
}

/** Removes a node and every outcome that led to it. */
export function removeNode(def: FlowDefinition, id: NodeId): FlowDefinition {
  const nodes = def.nodes
    .filter((n) => n.id !== id)
    .map((n) => outcomesOf(n).reduce((acc, o) => (o.target === id ? setOutcome(acc, o.handle, undefined) : acc), n));
  const next: FlowDefinition = { ...def, nodes };
  if (def.start === id) delete next.start;
  return next;
}

/** Renames a node and every reference to it (outcomes, start). The caller checks the new id. */
export function renameNode(def: FlowDefinition, from: NodeId, to: NodeId): FlowDefinition {
  const nodes = def.nodes.map((n) => {
    const renamed = n.id === from ? { ...n, id: to } : n;
    return outcomesOf(renamed).reduce((acc, o) => (o.target === from ? setOutcome(acc, o.handle, to) : acc), renamed);
  });
  return { ...def, nodes, ...(def.start === from ? { start: to } : {}) };
}

// ---- Problems ------------------------------------------------------------------------------

/** The server's problems, sorted by where the canvas shows them. */
export interface ProblemIndex {
  byNode: Map<NodeId, string[]>;
  entry: string[];
  /** Problems about no node in particular (or a node the definition no longer has). */
  general: DefinitionProblem[];
}

/**
 * Sorts the 422 details: by `node_id` when given, else by the `nodes[i]` the field names (read
 * against the definition that was sent), `entry…`/`goal…`/`entry_rule` on the entry node.
 */
export function indexProblems(problems: readonly DefinitionProblem[], sent: FlowDefinition): ProblemIndex {
  const index: ProblemIndex = { byNode: new Map(), entry: [], general: [] };
  const ids = new Set(sent.nodes.map((n) => n.id));
  for (const p of problems) {
    const field = p.field.replace(/^(body\.)?definition\./, '');
    const m = /^nodes\[(\d+)\]/.exec(field);
    const nodeId = p.node_id ?? (m ? sent.nodes[Number(m[1])]?.id : undefined);
    const where = field.replace(/^nodes\[\d+\]\.?/, '');
    const message = where ? `${where}: ${p.message}` : p.message;
    if (nodeId && ids.has(nodeId)) {
      index.byNode.set(nodeId, [...(index.byNode.get(nodeId) ?? []), message]);
    } else if (/^(entry|goal|entry_rule|start)\b/.test(field)) {
      index.entry.push(`${field}: ${p.message}`);
    } else {
      index.general.push(p);
    }
  }
  return index;
}

/**
 * The problems that still apply after edits: a node's problems go once the node's options or
 * outcomes change (its position does not count), the entry's once the entry, goal or rule do.
 * `sent` is the definition the problems were found in.
 */
export function pruneProblems(index: ProblemIndex, sent: FlowDefinition, now: FlowDefinition): ProblemIndex {
  const before = new Map(sent.nodes.map((n) => [n.id, withoutPosition(n)]));
  const byNode = new Map<NodeId, string[]>();
  for (const n of now.nodes) {
    const found = index.byNode.get(n.id);
    if (found && JSON.stringify(before.get(n.id)) === JSON.stringify(withoutPosition(n))) byNode.set(n.id, found);
  }
  const entryOf = (d: FlowDefinition) => JSON.stringify([d.entry, d.goal, d.entry_rule, d.start]);
  return { byNode, entry: entryOf(sent) === entryOf(now) ? index.entry : [], general: index.general };
}

function withoutPosition(node: FlowNode): Omit<FlowNode, 'position'> {
  const { position: _position, ...rest } = node;
  return rest;
}
