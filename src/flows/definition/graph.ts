import { WAITING_TYPES, type DefinitionProblem, type Edge, type FlowNode, type NodeId, type NodeType } from './types.js';

/**
 * The graph side of a definition: edges, reachability, and cycles that never pause. Written to
 * survive malformed nodes (validate.ts runs it even when a node failed its schema, so one save
 * reports every problem), hence the `unknown` reads.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Outcome names of the node types whose `next` is an object, in the order the designer shows them. */
const OBJECT_NEXT: Partial<Record<NodeType, readonly string[]>> = {
  send_fallback: ['delivered', 'exhausted'],
  wait_event: ['event', 'timeout'],
  http: ['success', 'failure'],
};
const SCORE_OUTCOMES = ['detractor', 'passive', 'promoter', 'invalid'] as const;

/**
 * The edges out of a node: which outcome leads where, and where it is written. Outcome names are
 * the ones the engine puts in a trace and stats count (docs/flows.md, "Outcomes"): `next` for
 * single-exit nodes, the `next` keys for send_fallback / wait_event / http, `branch_<i>` and
 * `default` for branch, `branch_<i>` for random_split, the score bands, and `next` / `done` for loop.
 */
export function edgesOf(node: FlowNode): Edge[] {
  return rawEdges(node);
}

export function rawEdges(node: unknown): Edge[] {
  if (!isObj(node)) return [];
  const out: Edge[] = [];
  const add = (outcome: string, to: unknown, field: string): void => {
    if (typeof to === 'string') out.push({ outcome, to, field });
  };
  const type = node.type as NodeType;
  const keys = OBJECT_NEXT[type];
  if (keys) {
    const next = isObj(node.next) ? node.next : {};
    for (const k of keys) add(k, next[k], `next.${k}`);
  } else if (type === 'branch' || type === 'random_split') {
    const branches = Array.isArray(node.branches) ? node.branches : [];
    branches.forEach((b, i) => add(`branch_${i}`, isObj(b) ? b.next : undefined, `branches[${i}].next`));
    if (type === 'branch') add('default', node.default, 'default');
  } else if (type === 'score_split') {
    for (const k of SCORE_OUTCOMES) add(k, node[k], k);
  } else if (type === 'loop') {
    add('next', node.next, 'next');
    add('done', node.done, 'done');
  } else if (type !== 'exit') {
    add('next', node.next, 'next');
  }
  return out;
}

/** The graph of the nodes that have a usable id: first occurrence wins (duplicates are reported apart). */
export interface Graph {
  index: Map<NodeId, number>;
  nodes: readonly unknown[];
}

export function buildGraph(nodes: readonly unknown[]): Graph {
  const index = new Map<NodeId, number>();
  nodes.forEach((n, i) => {
    const id = isObj(n) ? n.id : undefined;
    if (typeof id === 'string' && !index.has(id)) index.set(id, i);
  });
  return { index, nodes };
}

const nodeField = (i: number, field?: string): string => `nodes[${i}]${field ? `.${field}` : ''}`;

/** Every `next` that names no node. */
export function danglingEdges(graph: Graph): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const [id, i] of graph.index) {
    for (const e of rawEdges(graph.nodes[i])) {
      if (!graph.index.has(e.to)) {
        problems.push({ field: nodeField(i, e.field), node_id: id, message: `points to "${e.to}", which is not a node of this flow` });
      }
    }
  }
  return problems;
}

/** Nodes no path from the start reaches: the designer left them behind, or an edge is missing. */
export function unreachableNodes(graph: Graph, start: NodeId): DefinitionProblem[] {
  if (!graph.index.has(start)) return [];
  const seen = new Set<NodeId>([start]);
  const queue: NodeId[] = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const e of rawEdges(graph.nodes[graph.index.get(id)!])) {
      if (graph.index.has(e.to) && !seen.has(e.to)) {
        seen.add(e.to);
        queue.push(e.to);
      }
    }
  }
  const problems: DefinitionProblem[] = [];
  for (const [id, i] of graph.index) {
    if (!seen.has(id)) problems.push({ field: nodeField(i), node_id: id, message: `is not reachable from the start node "${start}"` });
  }
  return problems;
}

/**
 * Cycles a run could go round without ever pausing: a DFS over the edges, leaving out the edges
 * out of waiting nodes (wait, wait_event, send_fallback) — a cycle that survives needs none of
 * them. A `loop` node bounds the passes but does not pause, so it is not enough: "call every 3
 * days" needs its wait inside the cycle. Each back edge closes one cycle; the problem names that
 * edge and the nodes on the cycle. Recursion is at most MAX_NODES (500) deep.
 */
export function cyclesWithoutWait(graph: Graph): DefinitionProblem[] {
  const state = new Map<NodeId, 'open' | 'done'>();
  const stack: NodeId[] = [];
  const problems: DefinitionProblem[] = [];
  const reported = new Set<string>();

  const visit = (id: NodeId): void => {
    state.set(id, 'open');
    stack.push(id);
    const i = graph.index.get(id)!;
    const node = graph.nodes[i];
    const waits = isObj(node) && WAITING_TYPES.has(node.type as NodeType);
    for (const e of waits ? [] : rawEdges(node)) {
      if (!graph.index.has(e.to)) continue;
      const s = state.get(e.to);
      if (s === undefined) visit(e.to);
      else if (s === 'open') {
        const cycle = stack.slice(stack.indexOf(e.to));
        const key = [...cycle].sort().join('\u0000');
        if (reported.has(key)) continue;
        reported.add(key);
        problems.push({
          field: nodeField(i, e.field),
          node_id: id,
          message: `closes the cycle ${[...cycle, e.to].join(' → ')}, which passes through no wait, wait_event or send_fallback node (a run would loop without pausing)`,
        });
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of graph.index.keys()) if (!state.has(id)) visit(id);
  return problems;
}
