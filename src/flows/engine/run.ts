import type { FlowDefinition, FlowNode, NodeId } from '../definition/types.js';
import { FlowRuntimeError } from './errors.js';
import type { RunState } from './types.js';

/** The node a run starts on: `start`, else the first node. */
export function startNode(definition: FlowDefinition): NodeId {
  const id = definition.start ?? definition.nodes[0]?.id;
  if (id === undefined) throw new FlowRuntimeError('the flow has no nodes');
  return id;
}

/** A fresh run, positioned on the start node; advance it with a 'start' wake. */
export function newRun(input: {
  id: string; accountId: string; flowId: string; version: number; contactId: string; definition: FlowDefinition; now: Date;
}): RunState {
  return {
    id: input.id, accountId: input.accountId, flowId: input.flowId, version: input.version, contactId: input.contactId,
    node: startNode(input.definition), status: 'active', dueAt: null, wait: null, iteration: 0,
    vars: { loops: {} }, enteredAt: input.now,
  };
}

// Definitions are immutable once published; the worker reuses one object for many runs.
const indexes = new WeakMap<FlowDefinition, Map<NodeId, FlowNode>>();

export function nodeById(definition: FlowDefinition, id: NodeId): FlowNode {
  let index = indexes.get(definition);
  if (!index) {
    index = new Map(definition.nodes.map((n) => [n.id, n]));
    indexes.set(definition, index);
  }
  const node = index.get(id);
  if (!node) throw new FlowRuntimeError(`no node "${id.slice(0, 64)}" in the flow`);
  return node;
}

export const isEnded = (run: RunState): boolean => run.status === 'done' || run.status === 'exited' || run.status === 'failed';
