import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { getList, getLists, getSegments } from '../contacts/api';
import { allFields, type ContactList, type Segment } from '../contacts/types';
import { getTemplates } from '../messaging/api';
import { ApiError } from '../ui/api';
import { Badge, Button, ErrorBanner, Input, Select, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync, usePolling } from '../ui/hooks';
import { PageHeader } from '../ui/layout';
import { Link } from '../ui/router';
import { getFlow, getStats, getVersion, getVersions, publishFlow, saveDraft, simulateFlow } from './api';
import { ApprovalsPanel, useApprovals } from './approvals-panel';
import { RunsPanel } from './runs-panel';
import { CanvasContext, type CanvasInfo } from './canvas-nodes';
import { defaultNode } from './catalog';
import { FlowCanvas, Palette } from './flow-canvas';
import { addNode, indexProblems, newNodeId, pruneProblems, type Decorations, type ProblemIndex } from './graph';
import type { Pickers } from './node-form';
import { SidePanel, type SideTab } from './side-panel';
import { sampleContact, SimulatePanel } from './simulate-panel';
import { sameJson } from './same-json';
import type { DefinitionProblem, Flow, FlowDefinition, FlowRun, NodeStats, NodeType, SimulateRequest, SimulateResult, TimelineEntry } from './types';
import { useCanvas, useGraph } from './use-canvas';
import './flows.css';

const STATS_EVERY_MS = 2_000;

/** The flow designer: loads the flow and what its pickers offer, then hands them to the editor. */
export function FlowDesignerPage({ id }: { id: string }) {
  const flow = useAsync((signal) => getFlow(id, signal), [id]);
  const templates = useAsync((signal) => getTemplates(signal), []);
  const lists = useAsync((signal) => getLists(signal), []);
  const listId = flow.data?.list_id;
  const list = useAsync((signal) => (listId ? getList(listId, signal) : Promise.resolve(undefined)), [listId]);
  const segments = useAsync((signal) => (listId ? getSegments(listId, signal) : Promise.resolve([])), [listId]);

  const pickers = useMemo<Pickers>(() => ({
    templates: templates.data ?? [],
    lists: lists.data ?? [],
    fields: list.data ? allFields(list.data) : [],
  }), [templates.data, lists.data, list.data]);
  const canvasInfo = useMemo<CanvasInfo>(() => {
    const names = new Map((templates.data ?? []).map((t) => [t.id, t.name]));
    return { templateName: (tid) => names.get(tid) };
  }, [templates.data]);

  if (!flow.data) {
    return flow.error ? <ErrorBanner error={flow.error} /> : <Spinner />;
  }
  return (
    <CanvasContext.Provider value={canvasInfo}>
      <Designer key={flow.data.id} initial={flow.data} pickers={pickers} segments={segments.data ?? []} list={list.data} />
    </CanvasContext.Provider>
  );
}

type Viewing = 'draft' | number;

function Designer({ initial, pickers, segments, list }: {
  initial: Flow; pickers: Pickers; segments: readonly Segment[]; list: ContactList | undefined;
}) {
  const [flow, setFlow] = useState(initial);
  const [saved, setSaved] = useState<FlowDefinition>(initial.draft);
  const [name, setName] = useState(initial.name);
  const canvas = useCanvas(initial.draft, false);
  /** The server's problems and the definition they were found in (edits since then clear a node's). */
  const [problems, setProblems] = useState<{ index: ProblemIndex; sent: FlowDefinition }>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState<'save' | 'publish'>();
  const [viewing, setViewing] = useState<Viewing>('draft');
  const [tab, setTab] = useState<SideTab>('node');
  const [simulation, setSimulation] = useState<SimulateResult>();
  /** The run selected in the Runs tab: its path is drawn on the canvas while that tab is open. */
  const [run, setRun] = useState<FlowRun>();
  const stats = useLiveStats(flow.id, flow.version !== null);
  const approvals = useApprovals(flow.id, flow.version !== null);
  const pendingApprovals = approvals.approvals?.filter((a) => a.status === 'pending').length ?? 0;
  const versions = useAsync((signal) => getVersions(flow.id, signal), [flow.id, flow.version]);

  const dirty = name !== flow.name || !sameJson(canvas.def, saved);
  useLeaveWarning(dirty);

  /** Saves the draft; on a 422 the problems go onto the nodes they name. Returns whether it saved. */
  const save = useCallback(async (): Promise<boolean> => {
    const sent = canvas.def;
    setBusy('save');
    setError(undefined);
    setNotice(undefined);
    try {
      const f = await saveDraft(flow.id, { definition: sent, ...(name !== flow.name ? { name } : {}) });
      setFlow(f);
      setSaved(f.draft);
      setProblems(undefined);
      setNotice('Draft saved.');
      return true;
    } catch (err) {
      showProblems(err, sent, setProblems, setError);
      return false;
    } finally {
      setBusy(undefined);
    }
  }, [canvas.def, flow.id, flow.name, name]);

  async function publish() {
    if (dirty && !(await save())) return;
    setBusy('publish');
    setError(undefined);
    try {
      const v = await publishFlow(flow.id);
      setFlow((f) => ({ ...f, version: v.version, status: 'active' }));
      setProblems(undefined);
      setNotice(`Published version ${v.version}. New runs follow it; running contacts stay on theirs.`);
    } catch (err) {
      showProblems(err, canvas.def, setProblems, setError);
    } finally {
      setBusy(undefined);
    }
  }

  async function simulate(body: SimulateRequest) {
    // The server simulates the saved draft: save first, so what is simulated is what is drawn.
    if (dirty && !(await save())) throw new Error('The draft has problems (marked on the nodes): fix them, then simulate.');
    setSimulation(await simulateFlow(flow.id, body));
  }

  const onDropNode = useCallback((type: NodeType, position: { x: number; y: number }) => {
    const id = newNodeId(canvas.def, type);
    canvas.edit((d) => addNode(d, defaultNode(type, id, position)), id);
    setTab('node');
  }, [canvas]);

  // The canvas marks one path: the selected run's on the Runs tab, else the last simulation's.
  const shownPath = tab === 'runs' ? run?.path : simulation?.timeline;
  const visited = useMemo(() => shownPath && stepNumbers(shownPath), [shownPath]);
  const liveProblems = useMemo(() => problems && pruneProblems(problems.index, problems.sent, canvas.def), [problems, canvas.def]);
  const decorations = useMemo<Decorations>(() => ({ problems: liveProblems, stats, visited }), [liveProblems, stats, visited]);
  const graph = useGraph(canvas.state, decorations);

  const versionOptions = [
    { value: 'draft', label: dirty ? 'Draft (unsaved changes)' : 'Draft' },
    ...(versions.data ?? []).map((v) => ({ value: String(v.version), label: `Version ${v.version} · ${formatDateTime(v.published_at)}` })),
  ];

  return (
    <div className="flow-page">
      <PageHeader
        breadcrumb={<><Link to="/flows">Flows</Link>{list && <span className="muted"> · list {list.name}</span>}</>}
        title={
          <span className="flow-title">
            <Input value={name} onChange={(e) => setName(e.target.value)} className="flow-name-input" aria-label="Flow name" data-testid="flow-name" disabled={viewing !== 'draft'} />
            <Badge tone={flow.status === 'active' ? 'success' : 'neutral'}>{flow.status}</Badge>
            {flow.version !== null && <Badge tone="info">v{flow.version} live</Badge>}
          </span>
        }
        actions={
          <>
            <Select options={versionOptions} value={String(viewing)} aria-label="Version" data-testid="version-select"
              onChange={(e) => setViewing(e.target.value === 'draft' ? 'draft' : Number(e.target.value))} className="flow-version-select" />
            {viewing === 'draft' && (
              <>
                <Button onClick={() => void save()} busy={busy === 'save'} disabled={!dirty || busy !== undefined} data-testid="flow-save">Save draft</Button>
                <Button variant="primary" onClick={() => void publish()} busy={busy === 'publish'} disabled={busy !== undefined} data-testid="flow-publish">Publish</Button>
              </>
            )}
          </>
        }
      />
      {notice && !error && <div className="banner banner-success flow-banner" data-testid="flow-notice">{notice}</div>}
      <ErrorBanner error={error} testId="flow-error" />
      {liveProblems && liveProblems.general.length > 0 && (
        <div className="banner banner-error flow-banner" data-testid="flow-problems">
          <ul>{liveProblems.general.map((p, i) => <li key={i}><code>{p.field || 'definition'}</code> {p.message}</li>)}</ul>
        </div>
      )}
      {viewing === 'draft' ? (
        <div className={`flow-designer${tab === 'runs' && flow.version !== null ? ' flow-designer-wide-side' : ''}`}>
          <Palette onAdd={(type) => onDropNode(type, belowLowest(canvas.def))} />
          <ReactFlowProvider>
            <FlowCanvas canvas={canvas} nodes={graph.nodes} edges={graph.edges} readOnly={false} onDropNode={onDropNode} onNodeClick={() => setTab('node')} />
          </ReactFlowProvider>
          <SidePanel
            canvas={canvas} pickers={pickers} segments={segments} readOnly={false} tab={tab} onTab={setTab}
            simulate={
              <SimulatePanel
                key={list?.id ?? 'loading'} initialContact={sampleContact(list)} run={simulate} result={simulation} entryEvent={canvas.def.entry.type === 'event' ? canvas.def.entry.event : undefined} templateName={(tid) => pickers.templates.find((t) => t.id === tid)?.name}
                onSelectNode={canvas.select} />
            }
            runs={flow.version === null ? undefined : <RunsPanel
              flowId={flow.id} list={list} selected={run} onSelect={setRun} onSelectNode={canvas.select}
              templateName={(tid) => pickers.templates.find((t) => t.id === tid)?.name} />}
            approvals={flow.version === null ? undefined : {
              pending: pendingApprovals,
              panel: <ApprovalsPanel flowId={flow.id} approvals={approvals.approvals} error={approvals.error} onReleased={approvals.refresh} />,
            }}
          />
        </div>
      ) : (
        <VersionView key={viewing} flowId={flow.id} version={viewing} pickers={pickers} segments={segments} stats={stats} />
      )}
    </div>
  );
}

/** A published version, read-only: the same canvas and forms, nothing editable. */
function VersionView({ flowId, version, pickers, segments, stats }: {
  flowId: string; version: number; pickers: Pickers; segments: readonly Segment[]; stats: Record<string, NodeStats> | undefined;
}) {
  const loaded = useAsync((signal) => getVersion(flowId, version, signal), [flowId, version]);
  if (!loaded.data) return loaded.error ? <ErrorBanner error={loaded.error} /> : <Spinner />;
  return (
    <>
      <div className="banner banner-warning flow-banner" data-testid="version-readonly">
        Version {loaded.data.version}, published {formatDateTime(loaded.data.published_at)}: read-only. Choose “Draft” to edit.
      </div>
      <ReadOnlyCanvas def={loaded.data.definition} pickers={pickers} segments={segments} stats={stats} />
    </>
  );
}

function ReadOnlyCanvas({ def, pickers, segments, stats }: {
  def: FlowDefinition; pickers: Pickers; segments: readonly Segment[]; stats: Record<string, NodeStats> | undefined;
}) {
  const canvas = useCanvas(def, true);
  const decorations = useMemo<Decorations>(() => ({ stats }), [stats]);
  const graph = useGraph(canvas.state, decorations);
  return (
    <div className="flow-designer flow-designer-readonly">
      <ReactFlowProvider>
        <FlowCanvas canvas={canvas} nodes={graph.nodes} edges={graph.edges} readOnly onDropNode={() => undefined} />
      </ReactFlowProvider>
      <SidePanel canvas={canvas} pickers={pickers} segments={segments} readOnly tab="node" onTab={() => undefined} />
    </div>
  );
}

/** The step numbers at which a path passes each node (#1 #4 on a node visited twice). */
function stepNumbers(path: readonly TimelineEntry[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  path.forEach((t, i) => map.set(t.node_id, [...(map.get(t.node_id) ?? []), i + 1]));
  return map;
}

/** A 422 `invalid_definition` marks the nodes it names; anything else is a plain error. */
function showProblems(
  err: unknown, sent: FlowDefinition,
  setProblems: (p: { index: ProblemIndex; sent: FlowDefinition }) => void, setError: (e: unknown) => void,
) {
  if (err instanceof ApiError && err.code === 'invalid_definition' && err.details.length > 0) {
    // The API's details carry `node_id` besides `field` and `message` (ErrorDetail names only the two it always has).
    const index = indexProblems(err.details as DefinitionProblem[], sent);
    setProblems({ index, sent });
    const marked = err.details.length - index.general.length;
    setError(new Error(marked > 0
      ? `Not saved: ${marked} problem${marked === 1 ? ' is' : 's are'} marked on the canvas.`
      : err.message));
    return;
  }
  setError(err);
}

/** Where a clicked palette item lands: under the lowest node, so it never hides another. */
function belowLowest(def: FlowDefinition): { x: number; y: number } {
  const placed = def.nodes.map((n) => n.position).filter((p): p is { x: number; y: number } => p !== undefined);
  if (placed.length === 0) return { x: 0, y: 0 };
  return { x: Math.min(...placed.map((p) => p.x)), y: Math.max(...placed.map((p) => p.y)) + 150 };
}

/** `/stats` every 2 s while the flow has a published version (a draft has no runs). */
function useLiveStats(flowId: string, live: boolean): Record<string, NodeStats> | undefined {
  // A missed poll is retried on the next tick; the badges keep the last counts meanwhile.
  return usePolling((signal) => getStats(flowId, signal), STATS_EVERY_MS, live, [flowId]).data?.nodes;
}

/** The browser's "leave the page?" prompt while there are unsaved changes. */
function useLeaveWarning(active: boolean) {
  const activeRef = useRef(active);
  activeRef.current = active;
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (activeRef.current) e.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, []);
}
