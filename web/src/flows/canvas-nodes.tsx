import { createContext, useContext, useEffect } from 'react';
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react';
import { formatNumber } from '../ui/format';
import { kindOf, summarize, summarizeEntry } from './catalog';
import { START_HANDLE, type EntryGraphNode, type StepGraphNode } from './graph';

/** What the nodes read from the page around them. */
export interface CanvasInfo {
  templateName: (id: string) => string | undefined;
}

export const CanvasContext = createContext<CanvasInfo>({ templateName: () => undefined });

/**
 * One step of the flow: its type and id, a one-line summary, the live count, the server's
 * problems (red outline), one target handle on top and one source handle per outcome below.
 */
export function StepNode({ id, data, selected }: NodeProps<StepGraphNode>) {
  const { templateName } = useContext(CanvasContext);
  const { node, outcomes, errors, stats, visits, isStart } = data;
  const kind = kindOf(node.type);
  // Branches and splits gain and lose handles: React Flow measures handles once, so ask it again.
  const updateInternals = useUpdateNodeInternals();
  const handleKey = outcomes.map((o) => o.handle).join(',');
  useEffect(() => updateInternals(id), [id, handleKey, updateInternals]);

  const classes = ['flow-node', `flow-node-${node.type}`];
  if (errors.length > 0) classes.push('flow-node-invalid');
  if (selected) classes.push('flow-node-selected');
  if (visits) classes.push('flow-node-visited');
  return (
    <div className={classes.join(' ')} data-testid="flow-node" data-node-id={id} data-node-type={node.type}>
      <Handle type="target" position={Position.Top} id="in" className="flow-handle-in" data-testid={`handle-${id}-in`} />
      <div className="flow-node-head">
        <span className="flow-node-icon" aria-hidden>{kind.icon}</span>
        <span className="flow-node-title">{node.label || kind.label}</span>
        {stats && (
          <span
            className="flow-count" data-testid={`node-count-${id}`}
            title={`${stats.entered} entered · ${stats.waiting} waiting · ${stats.completed} completed · ${stats.failed} failed`}
          >
            {formatNumber(stats.entered)}
          </span>
        )}
      </div>
      <div className="flow-node-id mono">{id}{isStart ? ' · start' : ''}</div>
      <div className="flow-node-summary">{summarize(node, templateName)}</div>
      {stats && (stats.waiting > 0 || stats.failed > 0) && (
        <div className="flow-node-live">
          {stats.waiting > 0 && <span>{formatNumber(stats.waiting)} waiting</span>}
          {stats.failed > 0 && <span className="flow-node-failed">{formatNumber(stats.failed)} failed</span>}
        </div>
      )}
      {visits && <div className="flow-visit" data-testid={`node-visit-${id}`} title="Steps of the path shown: the simulation's, or the selected run's on the Runs tab">{visits.map((v) => `#${v}`).join(' ')}</div>}
      {errors.length > 0 && (
        <ul className="flow-node-errors" data-testid={`node-error-${id}`}>
          {errors.map((e, i) => <li key={i}>{e}</li>)}
        </ul>
      )}
      {outcomes.length > 0 && (
        <div className="flow-outcomes">
          {outcomes.map((o) => (
            <div key={o.handle} className={`flow-outcome ${o.target ? 'flow-outcome-connected' : ''}`}>
              <span className="flow-outcome-label">{o.label}</span>
              <Handle type="source" position={Position.Bottom} id={o.handle} data-testid={`handle-${id}-${o.handle}`} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/** Where runs come in: the definition's entry (and goal), with one handle to the start node. */
export function EntryNode({ data, selected }: NodeProps<EntryGraphNode>) {
  const classes = ['flow-node', 'flow-node-entry'];
  if (data.errors.length > 0) classes.push('flow-node-invalid');
  if (selected) classes.push('flow-node-selected');
  return (
    <div className={classes.join(' ')} data-testid="flow-entry">
      <div className="flow-node-head">
        <span className="flow-node-icon" aria-hidden>▶</span>
        <span className="flow-node-title">Entry</span>
      </div>
      <div className="flow-node-summary" data-testid="flow-entry-summary">{summarizeEntry(data.entry)}</div>
      {data.goal && <div className="flow-node-id">goal: {data.goal}</div>}
      {data.errors.length > 0 && (
        <ul className="flow-node-errors" data-testid="node-error-entry">
          {data.errors.map((e, i) => <li key={i}>{e}</li>)}
        </ul>
      )}
      <div className="flow-outcomes">
        <div className="flow-outcome flow-outcome-connected">
          <Handle type="source" position={Position.Bottom} id={START_HANDLE} data-testid="handle-entry-start" />
        </div>
      </div>
    </div>
  );
}

export const NODE_TYPES = { step: StepNode, entry: EntryNode };
