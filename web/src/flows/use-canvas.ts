import { useCallback, useMemo, useState } from 'react';
import {
  applyEdgeChanges, applyNodeChanges, MarkerType, type Connection, type EdgeChange, type NodeChange,
} from '@xyflow/react';
import {
  canConnect, connectEdges, fromGraph, toGraph, type Decorations, type GraphEdge, type GraphNode,
} from './graph';
import type { FlowDefinition, NodeId } from './types';

/** What React Flow keeps about a node that the definition does not: its measured size, selection, drag. */
type NodeMeta = Pick<GraphNode, 'measured' | 'selected' | 'dragging'>;

export interface CanvasState {
  def: FlowDefinition;
  nodeMeta: Record<string, NodeMeta>;
  selectedEdges: ReadonlySet<string>;
}

const EDGE_STYLE = { markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 } };

function compose(state: CanvasState, decorations?: Decorations): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const graph = toGraph(state.def, decorations);
  const nodes = graph.nodes.map((n) => ({ ...n, ...state.nodeMeta[n.id] }) as GraphNode);
  const edges = graph.edges.map((e) => ({ ...e, ...EDGE_STYLE, selected: state.selectedEdges.has(e.id) }));
  return { nodes, edges };
}

function selectOnly(s: CanvasState, id: NodeId): CanvasState {
  const nodeMeta: Record<string, NodeMeta> = {};
  for (const [k, m] of Object.entries(s.nodeMeta)) nodeMeta[k] = { ...m, selected: false };
  nodeMeta[id] = { ...nodeMeta[id], selected: true };
  return { ...s, nodeMeta, selectedEdges: new Set() };
}

function metaOf(nodes: readonly GraphNode[]): Record<string, NodeMeta> {
  const meta: Record<string, NodeMeta> = {};
  for (const n of nodes) meta[n.id] = { measured: n.measured, selected: n.selected, dragging: n.dragging };
  return meta;
}

/**
 * The designer's canvas state: the definition being edited plus what React Flow needs to
 * remember between renders. Every change React Flow reports (a drag, a delete, a connection)
 * is applied to the graph and read back into the definition with `fromGraph`, inside one
 * functional update, so changes reported in the same tick (a node and its edges deleted)
 * build on one another. With `readOnly` the definition never changes: only selection and
 * measurements do.
 */
export function useCanvas(initial: FlowDefinition, readOnly: boolean) {
  const [state, setState] = useState<CanvasState>(() => ({ def: initial, nodeMeta: {}, selectedEdges: new Set() }));

  const onNodesChange = useCallback((changes: NodeChange<GraphNode>[]) => {
    setState((s) => {
      const { nodes, edges } = compose(s);
      const next = applyNodeChanges(changes, nodes);
      const structural = !readOnly && changes.some((c) => c.type === 'position' || c.type === 'remove');
      return { ...s, nodeMeta: metaOf(next), def: structural ? fromGraph(next, edges, s.def) : s.def };
    });
  }, [readOnly]);

  const onEdgesChange = useCallback((changes: EdgeChange<GraphEdge>[]) => {
    setState((s) => {
      const { nodes, edges } = compose(s);
      const next = applyEdgeChanges(changes, edges);
      const selectedEdges = new Set(next.filter((e) => e.selected).map((e) => e.id));
      const removed = !readOnly && changes.some((c) => c.type === 'remove');
      return { ...s, selectedEdges, def: removed ? fromGraph(nodes, next, s.def) : s.def };
    });
  }, [readOnly]);

  const onConnect = useCallback((c: Connection) => {
    if (readOnly || !c.sourceHandle || !canConnect(c.source, c.target)) return;
    setState((s) => {
      const { nodes, edges } = compose(s);
      return { ...s, def: fromGraph(nodes, connectEdges(edges, c.source, c.sourceHandle ?? '', c.target), s.def) };
    });
  }, [readOnly]);

  /** An edit from the side panel or the palette; `select` makes that node the selected one. */
  const edit = useCallback((change: (def: FlowDefinition) => FlowDefinition, select?: NodeId) => {
    if (readOnly) return;
    setState((s) => {
      const def = change(s.def);
      return select === undefined ? { ...s, def } : selectOnly({ ...s, def }, select);
    });
  }, [readOnly]);

  /** Selects one node (from outside the canvas: the simulation's timeline). */
  const select = useCallback((id: NodeId) => setState((s) => selectOnly(s, id)), []);

  /** Replaces the definition (after a save the server's copy is the truth), keeping sizes and selection. */
  const reset = useCallback((def: FlowDefinition) => setState((s) => ({ ...s, def })), []);

  const selectedId = useMemo(
    () => Object.entries(state.nodeMeta).find(([, m]) => m.selected)?.[0],
    [state.nodeMeta],
  );

  return { def: state.def, state, selectedId, onNodesChange, onEdgesChange, onConnect, edit, select, reset };
}

/** The nodes and edges to draw, with the page's decorations. */
export function useGraph(state: CanvasState, decorations: Decorations) {
  return useMemo(() => compose(state, decorations), [state, decorations]);
}
