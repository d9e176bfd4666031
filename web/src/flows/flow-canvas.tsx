import { useCallback, useEffect, useRef, type DragEvent } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, useNodesInitialized, useReactFlow, useStore, type IsValidConnection,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { NODE_KINDS } from './catalog';
import { NODE_TYPES } from './canvas-nodes';
import { canConnect, type GraphEdge, type GraphNode } from './graph';
import type { useCanvas } from './use-canvas';
import type { NodeType } from './types';

/** The drag payload's type: only palette items carry it, so other drops (files, text) are ignored. */
export const NODE_DRAG_TYPE = 'application/x-conversa-node';

const FIT_OPTIONS = { padding: 0.2, maxZoom: 1 };

const isNodeType = (v: string): v is NodeType => NODE_KINDS.some((k) => k.type === v);

/** The palette: drag a node type onto the canvas, or click it to place it in the middle of the view. */
export function Palette({ onAdd }: { onAdd: (type: NodeType) => void }) {
  const groups = [...new Set(NODE_KINDS.map((k) => k.group))];
  return (
    <nav className="flow-palette" aria-label="Node types" data-testid="palette">
      {groups.map((g) => (
        <div key={g} className="flow-palette-group">
          <div className="flow-palette-title">{g}</div>
          {NODE_KINDS.filter((k) => k.group === g).map((k) => (
            <button
              key={k.type} type="button" className="flow-palette-item" draggable title={k.hint}
              data-testid={`palette-${k.type}`}
              onDragStart={(e) => {
                e.dataTransfer.setData(NODE_DRAG_TYPE, k.type);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => onAdd(k.type)}
            >
              <span className="flow-node-icon" aria-hidden>{k.icon}</span>
              {k.label}
            </button>
          ))}
        </div>
      ))}
    </nav>
  );
}

type Canvas = ReturnType<typeof useCanvas>;

/**
 * The React Flow pane: draws the graph, reports changes to the canvas state, and turns a
 * palette drop into a node where it was dropped (`screenToFlowPosition` maps the pointer into
 * the flow's coordinates, whatever the pan and zoom).
 */
export function FlowCanvas({ canvas, nodes, edges, readOnly, onDropNode, onNodeClick }: {
  canvas: Canvas;
  nodes: GraphNode[];
  edges: GraphEdge[];
  readOnly: boolean;
  onDropNode: (type: NodeType, position: { x: number; y: number }) => void;
  onNodeClick?: () => void;
}) {
  const { screenToFlowPosition, fitView } = useReactFlow();

  // Fit the graph into view once, when both the nodes and the pane have been measured: React
  // Flow's own `fitView` prop can run before the pane has its size (a canvas mounted in place of
  // another) and then leaves the view where it was.
  const nodesMeasured = useNodesInitialized();
  const paneMeasured = useStore((s) => s.width > 0 && s.height > 0);
  const fitted = useRef(false);
  useEffect(() => {
    if (fitted.current || !nodesMeasured || !paneMeasured) return;
    fitted.current = true;
    void fitView(FIT_OPTIONS);
  }, [nodesMeasured, paneMeasured, fitView]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (readOnly || !e.dataTransfer.types.includes(NODE_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  }, [readOnly]);

  const onDrop = useCallback((e: DragEvent) => {
    const type = e.dataTransfer.getData(NODE_DRAG_TYPE);
    if (readOnly || !isNodeType(type)) return;
    e.preventDefault();
    const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
    // The pointer holds the node near its top middle, where the palette item was grabbed.
    onDropNode(type, { x: Math.round(p.x - 90), y: Math.round(p.y - 20) });
  }, [readOnly, screenToFlowPosition, onDropNode]);

  const isValidConnection: IsValidConnection = useCallback((c) => canConnect(c.source, c.target), []);

  return (
    <div className="flow-canvas" data-testid="flow-canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<GraphNode, GraphEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={canvas.onNodesChange}
        onEdgesChange={canvas.onEdgesChange}
        onConnect={canvas.onConnect}
        onNodeClick={onNodeClick}
        isValidConnection={isValidConnection}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={false}
        deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
        minZoom={0.2}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeStrokeWidth={3} />
      </ReactFlow>
    </div>
  );
}
