import { useEffect, useState, type FormEvent } from 'react';
import { searchContacts } from '../contacts/api';
import type { ContactList } from '../contacts/types';
import { Badge, Button, ErrorBanner, Input } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { usePolling } from '../ui/hooks';
import { getRuns } from './api';
import { kindOf } from './catalog';
import type { FlowRun, NodeType, RunStep } from './types';

const RUNS_EVERY_MS = 5_000;
const LATEST = 50;

/** What the list shows: the latest runs of the flow, or one contact's. */
type Query = { kind: 'latest' } | { kind: 'contact'; contactId: string; asTyped: string };

const STATUS_TONE: Record<FlowRun['status'], 'info' | 'warning' | 'success' | 'neutral' | 'danger'> = {
  active: 'info', waiting: 'warning', done: 'success', exited: 'neutral', failed: 'danger',
};

/**
 * The runs of a published flow: the latest 50, or a contact's (by contact id, or by the value of
 * the list's key field, which is what a bank's operator has at hand). Selecting a run lists its
 * path step by step, and the page draws that path on the canvas. Polled every 5 s, so a waiting
 * run moves on while the panel is open.
 */
export function RunsPanel({ flowId, list, selected, onSelect, onSelectNode, templateName }: {
  flowId: string;
  list: ContactList | undefined;
  /** The run whose path is shown (the page draws it on the canvas too). */
  selected: FlowRun | undefined;
  onSelect: (run: FlowRun | undefined) => void;
  onSelectNode: (nodeId: string) => void;
  templateName: (id: string) => string | undefined;
}) {
  // Back on the tab with a run still selected: its contact's runs, so the selection stays in the list.
  const [typed, setTyped] = useState(selected?.contact_id ?? '');
  const [query, setQuery] = useState<Query>(() => (selected ? { kind: 'contact', contactId: selected.contact_id, asTyped: selected.contact_id } : { kind: 'latest' }));
  const [notFound, setNotFound] = useState<string>();
  const [searching, setSearching] = useState(false);

  // A failed poll is shown under the list; the next tick tries again and the last list stays meanwhile.
  const { data: runs, error, setData: setRuns, setError } = usePolling(
    (signal) => getRuns(flowId, query.kind === 'contact' ? { contact_id: query.contactId } : { limit: LATEST }, signal),
    RUNS_EVERY_MS, true, [flowId, query],
  );

  // The selected run follows the list: its newer state when polled, nothing once it is out of the list.
  useEffect(() => {
    if (!selected || !runs) return;
    const now = runs.find((r) => r.id === selected.id);
    if (now !== selected) onSelect(now);
  }, [runs, selected, onSelect]);

  async function search(e: FormEvent) {
    e.preventDefault();
    const q = typed.trim();
    setNotFound(undefined);
    setError(undefined);
    onSelect(undefined);
    if (!q) {
      setQuery({ kind: 'latest' });
      return;
    }
    setRuns(undefined);
    setSearching(true);
    try {
      const contactId = await resolveContact(q, list);
      if (contactId === undefined) {
        setNotFound(q);
        setRuns([]);
      } else setQuery({ kind: 'contact', contactId, asTyped: q });
    } catch (err) {
      setError(err);
    } finally {
      setSearching(false);
    }
  }

  function clear() {
    setTyped('');
    setNotFound(undefined);
    onSelect(undefined);
    setQuery({ kind: 'latest' });
  }

  const keyLabel = list ? list.key_field : 'key';
  return (
    <div className="flow-form" data-testid="runs-panel">
      <div className="flow-form-title">
        <strong>Runs</strong>
        <p className="muted">Each contact's way through this flow. Select a run to see its path; the canvas marks the nodes it passed.</p>
      </div>
      <form className="toolbar" onSubmit={(e) => void search(e)} role="search">
        <Input
          value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={`Contact id or ${keyLabel}`} aria-label={`Contact id or ${keyLabel}`}
          className="flow-runs-search" data-testid="runs-contact"
        />
        <Button type="submit" className="btn-small" busy={searching} data-testid="runs-search">Search</Button>
        {query.kind === 'contact' || notFound ? <Button variant="ghost" className="btn-small" onClick={clear} data-testid="runs-clear">All</Button> : null}
      </form>
      <p className="muted flow-form-note" data-testid="runs-showing">
        {notFound ? <>No contact has the id or {keyLabel} “{notFound}”{list ? <> in list {list.name}</> : null}.</>
          : query.kind === 'contact' ? <>Runs of contact <code>{query.contactId}</code>{query.asTyped !== query.contactId && <> ({keyLabel} {query.asTyped})</>}</>
            : <>The latest {LATEST} runs, newest first.</>}
      </p>
      {runs === undefined && !error && <p className="muted">Loading…</p>}
      {runs?.length === 0 && !notFound && <p className="muted" data-testid="runs-empty">No runs{query.kind === 'contact' ? ' for this contact' : ' yet'}.</p>}
      {runs && runs.length > 0 && (
        <div className="table-wrap">
          <table className="table flow-runs-table" data-testid="runs-table">
            <thead>
              <tr><th>Status</th><th>Node</th><th title="Version">v</th><th>Entered</th><th>Ended</th></tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr
                  key={r.id} className={`clickable${selected?.id === r.id ? ' flow-run-selected' : ''}`} aria-selected={selected?.id === r.id}
                  onClick={() => onSelect(selected?.id === r.id ? undefined : r)} title={`Run ${r.id} · contact ${r.contact_id}`}
                  data-testid="run-row" data-run-id={r.id} data-contact-id={r.contact_id} data-status={r.status}
                >
                  <td><Badge tone={STATUS_TONE[r.status]}>{r.status}</Badge></td>
                  <td className="mono" data-testid="run-node">{r.node ?? '—'}</td>
                  <td>{r.version}</td>
                  <td title={formatDateTime(r.entered_at)}>{shortDateTime(r.entered_at)}</td>
                  <td title={formatDateTime(r.ended_at)}>{r.ended_at ? shortDateTime(r.ended_at) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorBanner error={error} testId="runs-error" />
      {selected && <RunDetail run={selected} onSelectNode={onSelectNode} templateName={templateName} />}
    </div>
  );
}

/** A run's facts and its path: one line a step, in the order the engine took them. */
function RunDetail({ run, onSelectNode, templateName }: {
  run: FlowRun; onSelectNode: (nodeId: string) => void; templateName: (id: string) => string | undefined;
}) {
  const where = run.status === 'waiting' || run.status === 'active' ? 'at' : 'ended at';
  return (
    <div className="flow-form-group" data-testid="run-detail" data-run-id={run.id}>
      <div className="row-between">
        <strong className="mono">{run.id}</strong>
        <Badge tone={STATUS_TONE[run.status]}>{run.status}</Badge>
      </div>
      <div className="muted flow-run-facts">
        Contact <code data-testid="run-contact">{run.contact_id}</code> · version {run.version}
        {run.node && <> · {where} <code>{run.node}</code></>}
        <br />Entered {formatDateTime(run.entered_at)}
        {run.ended_at && <> · ended {formatDateTime(run.ended_at)}</>}
        {run.status === 'waiting' && run.due_at && <> · wakes {formatDateTime(run.due_at)} unless something comes first</>}
      </div>
      {run.error && <div className="banner banner-error" data-testid="run-error">{run.error}</div>}
      {run.path.length === 0 ? <p className="muted">No step yet: the worker has not taken it.</p> : (
        <ol className="timeline flow-sim-timeline" data-testid="run-path">
          {run.path.map((s, i) => (
            <li key={i} data-testid="run-step" data-node-id={s.node_id} data-type={s.type} data-outcome={s.outcome ?? ''}>
              <div className="timeline-head">
                <span className="badge badge-info">#{i + 1}</span>
                <button type="button" className="flow-link mono" onClick={() => onSelectNode(s.node_id)}>{s.node_id}</button>
                <span className="muted">{s.type === 'goal' ? 'goal reached' : kindOf(s.type as NodeType).label}</span>
                {s.outcome && <span className="badge badge-neutral" data-testid="run-step-outcome">{s.outcome}</span>}
              </div>
              <div className="muted flow-sim-when">
                {formatDateTime(s.at)}{stepDetail(s, templateName)}
              </div>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** What a step's detail adds, in words (the channel, what it waits for, the loop's pass, the error). */
function stepDetail(s: RunStep, templateName: (id: string) => string | undefined): string {
  const parts: string[] = [];
  if (s.channel_type) parts.push(`by ${s.channel_type}`);
  if (s.template_id) parts.push(templateName(s.template_id) ?? `template ${s.template_id}`);
  if (typeof s.event === 'string') parts.push(`event ${s.event}`);
  if (typeof s.until === 'string') parts.push(`until ${formatDateTime(s.until)}`);
  if (typeof s.pass === 'number') parts.push(`pass ${s.pass}`);
  if (typeof s.error === 'string') parts.push(s.error);
  return parts.map((p) => ` · ${p}`).join('');
}

/** A contact id as typed, or the contact whose key field has that value in the flow's list. */
async function resolveContact(q: string, list: ContactList | undefined): Promise<string | undefined> {
  // Contact ids are `ct_` and 26 base-32 characters (src/core/ids.ts).
  if (/^ct_[0-9A-Za-z]{20,40}$/.test(q) || !list) return q;
  const found = await searchContacts(list.id, { filter: { field: list.key_field, op: 'eq', value: q }, limit: 1 });
  return found.contacts[0]?.id;
}

/** Today: the time; another day: the date and the time (the full instant is in the title). */
function shortDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}
