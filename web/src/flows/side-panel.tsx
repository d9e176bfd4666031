import type { ReactNode } from 'react';
import type { Segment } from '../contacts/types';
import { EntryForm } from './entry-form';
import { ENTRY_ID, removeNode, renameNode, updateNode } from './graph';
import { NodeForm, type Pickers } from './node-form';
import type { useCanvas } from './use-canvas';

export type SideTab = 'node' | 'simulate' | 'runs' | 'approvals';

/**
 * The panel right of the canvas: the selected node's form (or the entry's), the simulation, the
 * flow's runs and the broadcasts held for approval. The last three are rendered by the page (they
 * need the flow) and passed in; the runs and approvals tabs show only when passed (a published flow).
 */
export function SidePanel({ canvas, pickers, segments, readOnly, tab, onTab, simulate, runs, approvals }: {
  canvas: ReturnType<typeof useCanvas>;
  pickers: Pickers;
  segments: readonly Segment[];
  readOnly: boolean;
  tab: SideTab;
  onTab: (tab: SideTab) => void;
  simulate?: ReactNode;
  runs?: ReactNode;
  /** The approvals panel and how many wait for release (counted on the tab). */
  approvals?: { panel: ReactNode; pending: number };
}) {
  const { def, selectedId, edit } = canvas;
  const node = def.nodes.find((n) => n.id === selectedId);
  const takenIds = new Set(def.nodes.map((n) => n.id));
  let body: ReactNode;
  if (tab === 'simulate' && simulate) {
    body = simulate;
  } else if (tab === 'runs' && runs) {
    body = runs;
  } else if (tab === 'approvals' && approvals) {
    body = approvals.panel;
  } else if (selectedId === ENTRY_ID) {
    body = <EntryForm def={def} onChange={(d) => edit(() => d)} segments={segments} fields={pickers.fields} readOnly={readOnly} />;
  } else if (node) {
    body = (
      <NodeForm
        key={node.id} node={node} pickers={pickers} readOnly={readOnly} takenIds={takenIds}
        onChange={(n) => edit((d) => updateNode(d, node.id, n))}
        onRename={(to) => edit((d) => renameNode(d, node.id, to), to)}
        onDelete={() => edit((d) => removeNode(d, node.id))}
      />
    );
  } else {
    body = (
      <div className="flow-form muted" data-testid="side-empty">
        <p>Select a node to edit its options, or the entry to change how contacts come in.</p>
        {!readOnly && (
          <p>
            Drag node types from the palette onto the canvas, then drag from an outcome (the dots under a node) to the
            next node. Select a node or a connection and press Delete to remove it.
          </p>
        )}
        <details className="flow-json-view">
          <summary>The definition as JSON</summary>
          <pre data-testid="definition-json">{JSON.stringify(def, null, 2)}</pre>
        </details>
      </div>
    );
  }
  return (
    <aside className="flow-side" aria-label="Details">
      {simulate && (
        <div className="segmented flow-side-tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'node'} className={tab === 'node' ? 'active' : ''} onClick={() => onTab('node')} data-testid="side-tab-node">
            {selectedId === ENTRY_ID ? 'Entry' : node ? `Node ${node.id}` : 'Node'}
          </button>
          <button type="button" role="tab" aria-selected={tab === 'simulate'} className={tab === 'simulate' ? 'active' : ''} onClick={() => onTab('simulate')} data-testid="side-tab-simulate">
            Simulate
          </button>
          {runs && (
            <button type="button" role="tab" aria-selected={tab === 'runs'} className={tab === 'runs' ? 'active' : ''} onClick={() => onTab('runs')} data-testid="side-tab-runs">
              Runs
            </button>
          )}
          {approvals && (
            <button type="button" role="tab" aria-selected={tab === 'approvals'} className={tab === 'approvals' ? 'active' : ''} onClick={() => onTab('approvals')} data-testid="side-tab-approvals">
              Approvals{approvals.pending > 0 && <span className="badge badge-warning flow-tab-count" data-testid="approvals-pending">{approvals.pending}</span>}
            </button>
          )}
        </div>
      )}
      <div className="flow-side-body">{body}</div>
    </aside>
  );
}
