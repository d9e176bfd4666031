import { useState, type ReactNode } from 'react';
import type { ContactList, FieldDef } from '../contacts/types';
import type { Template } from '../messaging/types';
import { CHANNEL_KINDS } from '../messaging/types';
import { Button, Field, Input, Select } from '../ui/controls';
import { kindOf } from './catalog';
import { DurationInput, isObject, JsonInput, NumberInput, TemplateSelect } from './form-controls';
import { isValidNodeId } from './graph';
import type {
  BranchNode, Category, FlowNode, HttpMethod, HttpNode, RandomSplitNode, SendFallbackNode, WaitNode,
} from './types';

export interface Pickers {
  templates: readonly Template[];
  lists: readonly ContactList[];
  /** The fields of the flow's list (for waits until a date field). */
  fields: readonly FieldDef[];
}

const CHANNEL_OPTIONS = CHANNEL_KINDS.map((k) => ({ value: k, label: k }));
const CATEGORY_OPTIONS = [
  { value: '', label: 'Default for the entry' },
  { value: 'transactional', label: 'Transactional' },
  { value: 'marketing', label: 'Marketing' },
];
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** An object without the keys whose value is undefined, typed as the node it was. */
function clean<T extends object>(obj: T): T {
  const out = { ...obj };
  for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * The side panel's form for one node: its id and label, then the options of its type. Each
 * change hands the whole new node to `onChange`; the id is renamed through `onRename` (the
 * page renames every reference too).
 */
export function NodeForm({ node, onChange, onRename, onDelete, pickers, readOnly, takenIds }: {
  node: FlowNode;
  onChange: (node: FlowNode) => void;
  onRename: (id: string) => void;
  onDelete: () => void;
  pickers: Pickers;
  readOnly: boolean;
  takenIds: ReadonlySet<string>;
}) {
  const kind = kindOf(node.type);
  return (
    <div className="flow-form" data-testid="node-form" data-node-id={node.id}>
      <div className="flow-form-title">
        <span aria-hidden>{kind.icon}</span> <strong>{kind.label}</strong>
        <p className="muted">{kind.hint}</p>
      </div>
      <fieldset disabled={readOnly} className="flow-form-fields">
        <IdInput id={node.id} onRename={onRename} takenIds={takenIds} />
        <Field label="Label" hint="Shown on the canvas instead of the type">
          <Input value={node.label ?? ''} onChange={(e) => onChange(clean({ ...node, label: e.target.value || undefined }))} data-testid="node-label" />
        </Field>
        <Options node={node} onChange={onChange} pickers={pickers} />
      </fieldset>
      {!readOnly && (
        <div className="form-actions">
          <Button variant="danger" className="btn-small" onClick={onDelete} data-testid="node-delete">Delete node</Button>
        </div>
      )}
    </div>
  );
}

/** The id, renamed on blur or Enter: renaming on each keystroke would rename references to half-typed ids. */
function IdInput({ id, onRename, takenIds }: { id: string; onRename: (id: string) => void; takenIds: ReadonlySet<string> }) {
  const [text, setText] = useState(id);
  const problem = text === id ? undefined
    : !isValidNodeId(text) ? 'A letter, then letters, digits, _ or - (64 at most)'
      : takenIds.has(text) ? 'Another node has this id' : undefined;
  const commit = () => {
    if (text !== id && !problem) onRename(text);
  };
  return (
    <Field label="Id" hint="Names the node in the definition, in runs and in errors" error={problem}>
      <Input value={text} onChange={(e) => setText(e.target.value)} onBlur={commit}
        onKeyDown={(e) => { if (e.key === 'Enter') commit(); }} className="mono" data-testid="node-id" />
    </Field>
  );
}

function Options({ node, onChange, pickers }: { node: FlowNode; onChange: (n: FlowNode) => void; pickers: Pickers }) {
  switch (node.type) {
    case 'send':
      return (
        <>
          <Field label="Channel type" hint="The newest channel of this type sends">
            <Select options={CHANNEL_OPTIONS} value={node.channel_type ?? ''} placeholder={node.channel_id ? `channel ${node.channel_id}` : 'Choose…'}
              onChange={(e) => onChange(clean({ ...node, channel_type: e.target.value || undefined, channel_id: undefined }))} data-testid="opt-channel_type" />
          </Field>
          <TemplateSelect templates={pickers.templates} channelType={node.channel_type} value={node.template_id}
            onChange={(template_id) => onChange({ ...node, template_id })} testId="opt-template_id" />
          <CategorySelect value={node.category} onChange={(category) => onChange(clean({ ...node, category }))} />
        </>
      );
    case 'send_fallback':
      return <FallbackOptions node={node} onChange={onChange} templates={pickers.templates} />;
    case 'wait':
      return <WaitOptions node={node} onChange={onChange} fields={pickers.fields} />;
    case 'wait_event':
      return (
        <>
          <Field label="Event" hint="The run goes on by `event` when it arrives for the contact">
            <Input value={node.event} onChange={(e) => onChange({ ...node, event: e.target.value })} data-testid="opt-event" placeholder="payment.received" />
          </Field>
          <DurationInput label="Timeout" seconds={node.timeout_seconds} onChange={(timeout_seconds) => onChange({ ...node, timeout_seconds })} testId="opt-timeout" />
          <Field label="Correlate on" hint="A path in the starting event's data that must be equal in this one, e.g. data.transaction_id">
            <Input value={node.correlate ?? ''} onChange={(e) => onChange(clean({ ...node, correlate: e.target.value || undefined }))} data-testid="opt-correlate" />
          </Field>
          <JsonInput<Record<string, unknown>> label="Match" hint='Values the event must have: {"data.status": "ok"}' value={node.match}
            onChange={(match) => onChange(clean({ ...node, match }))} accept={isObject} testId="opt-match" rows={3} />
        </>
      );
    case 'branch':
      return <BranchOptions node={node} onChange={onChange} />;
    case 'random_split':
      return <SplitOptions node={node} onChange={onChange} />;
    case 'score_split':
      return (
        <Field label="Score path" hint="0–6 detractor, 7–8 passive, 9–10 promoter; anything else is invalid (passive when not connected)">
          <Input value={node.path} onChange={(e) => onChange({ ...node, path: e.target.value })} data-testid="opt-path" placeholder="event.data.score" />
        </Field>
      );
    case 'loop':
      return (
        <Field label="Passes at most" hint="Pass n ≤ this goes to `next`, then to `done`">
          <NumberInput min={1} value={node.max} onChange={(max) => onChange({ ...node, max: max ?? 1 })} data-testid="opt-max" />
        </Field>
      );
    case 'update_contact':
      return (
        <JsonInput<Record<string, unknown>> label="Set fields" hint='{"field": value} — strings may use Liquid: "{{ event.data.plan }}"' value={node.set}
          onChange={(set) => onChange({ ...node, set: set ?? {} })} accept={isObject} testId="opt-set" rows={5} />
      );
    case 'list': {
      const op = node.remove !== undefined ? 'remove' : 'add';
      const listId = node.remove ?? node.add ?? '';
      const setList = (o: 'add' | 'remove', id: string) => onChange(clean({ ...node, add: o === 'add' ? id : undefined, remove: o === 'remove' ? id : undefined }));
      return (
        <>
          <Field label="Action">
            <Select options={[{ value: 'add', label: 'Add to list' }, { value: 'remove', label: 'Remove from list' }]} value={op}
              onChange={(e) => setList(e.target.value === 'remove' ? 'remove' : 'add', listId)} data-testid="opt-list-op" />
          </Field>
          <Field label="List">
            <Select options={pickers.lists.map((l) => ({ value: l.id, label: l.name }))} placeholder="Choose a list…" value={listId}
              onChange={(e) => setList(op, e.target.value)} data-testid="opt-list" />
          </Field>
        </>
      );
    }
    case 'subscription':
      return (
        <>
          <Field label="Category">
            <Select options={CATEGORY_OPTIONS.slice(1)} value={node.category} onChange={(e) => onChange({ ...node, category: e.target.value as Category })} data-testid="opt-category" />
          </Field>
          <label className="checkbox">
            <input type="checkbox" checked={node.consent} onChange={(e) => onChange({ ...node, consent: e.target.checked })} data-testid="opt-consent" />
            Consent given (unchecked: withdrawn)
          </label>
        </>
      );
    case 'http':
      return <HttpOptions node={node} onChange={onChange} />;
    case 'emit':
      return (
        <>
          <Field label="Event">
            <Input value={node.event} onChange={(e) => onChange({ ...node, event: e.target.value })} data-testid="opt-event" />
          </Field>
          <JsonInput<Record<string, unknown>> label="Data" value={node.data} onChange={(data) => onChange(clean({ ...node, data }))} accept={isObject} testId="opt-data" />
        </>
      );
    case 'exit':
      return <p className="muted">The run ends here.</p>;
  }
}

function CategorySelect({ value, onChange }: { value: Category | undefined; onChange: (c: Category | undefined) => void }) {
  return (
    <Field label="Category" hint="Marketing needs consent and respects quiet hours">
      <Select options={CATEGORY_OPTIONS} value={value ?? ''} onChange={(e) => onChange((e.target.value || undefined) as Category | undefined)} data-testid="opt-category" />
    </Field>
  );
}

function FallbackOptions({ node, onChange, templates }: { node: SendFallbackNode; onChange: (n: FlowNode) => void; templates: readonly Template[] }) {
  const byCost = node.channels === 'by_cost';
  const order = byCost ? [] : (node.channels as string[]);
  // By cost, any kind may be tried: offer a template for each; in order, only for the kinds listed.
  const kinds: string[] = byCost ? [...CHANNEL_KINDS] : order;
  const setTemplate = (kind: string, id: string) => {
    const next = { ...node.templates };
    if (id) next[kind] = id;
    else delete next[kind];
    onChange({ ...node, templates: next });
  };
  return (
    <>
      <label className="checkbox">
        <input type="checkbox" checked={byCost} data-testid="opt-by_cost"
          onChange={(e) => onChange({ ...node, channels: e.target.checked ? 'by_cost' : Object.keys(node.templates) })} />
        Cheapest channel first
      </label>
      {!byCost && (
        <Field label="Channels, in order" hint="Comma separated: sms, email, voice">
          <Input value={order.join(', ')} data-testid="opt-channels"
            onChange={(e) => onChange({ ...node, channels: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) })} />
        </Field>
      )}
      {kinds.map((k) => (
        <TemplateSelect key={k} label={`Template for ${k}`} templates={templates} channelType={k} value={node.templates[k] ?? ''}
          onChange={(id) => setTemplate(k, id)} testId={`opt-template-${k}`} />
      ))}
      <DurationInput label="Confirm within" seconds={node.confirm_within_seconds}
        onChange={(confirm_within_seconds) => onChange({ ...node, confirm_within_seconds })} testId="opt-confirm" />
      <CategorySelect value={node.category} onChange={(category) => onChange(clean({ ...node, category }))} />
    </>
  );
}

type WaitMode = 'duration' | 'field' | 'time';

function WaitOptions({ node, onChange, fields }: { node: WaitNode; onChange: (n: FlowNode) => void; fields: readonly FieldDef[] }) {
  const mode: WaitMode = node.seconds !== undefined ? 'duration' : node.until_field !== undefined ? 'field' : 'time';
  const base = { id: node.id, type: node.type, label: node.label, position: node.position, next: node.next };
  const switchTo = (m: WaitMode) => {
    if (m === 'duration') onChange(clean({ ...base, seconds: 86_400 }));
    else if (m === 'field') onChange(clean({ ...base, until_field: '', offset_days: 0 }));
    else onChange(clean({ ...base, at: '09:00' }));
  };
  const dateFields = fields.filter((f) => f.type === 'date' || f.type === 'datetime');
  return (
    <>
      <Field label="Wait">
        <Select options={[
          { value: 'duration', label: 'For a duration' },
          { value: 'field', label: 'Until a date field' },
          { value: 'time', label: 'Until a time of day' },
        ]} value={mode} onChange={(e) => switchTo(e.target.value as WaitMode)} data-testid="opt-wait-mode" />
      </Field>
      {mode === 'duration' && (
        <DurationInput label="Duration" seconds={node.seconds ?? 0} onChange={(seconds) => onChange({ ...node, seconds })} testId="opt-seconds" />
      )}
      {mode === 'field' && (
        <>
          <Field label="Date field">
            <Select options={dateFields.map((f) => ({ value: f.key, label: f.label }))} placeholder="Choose a field…" value={node.until_field ?? ''}
              onChange={(e) => onChange({ ...node, until_field: e.target.value })} data-testid="opt-until_field" />
          </Field>
          <Field label="Offset (days)" hint="-3: three days before">
            <NumberInput value={node.offset_days} onChange={(offset_days) => onChange(clean({ ...node, offset_days }))} data-testid="opt-offset_days" />
          </Field>
        </>
      )}
      {(mode === 'field' || mode === 'time') && (
        <Field label="At (contact's local time)">
          <Input type="time" value={node.at ?? ''} onChange={(e) => onChange(clean({ ...node, at: e.target.value || undefined }))} data-testid="opt-at" />
        </Field>
      )}
    </>
  );
}

function BranchOptions({ node, onChange }: { node: BranchNode; onChange: (n: FlowNode) => void }) {
  const setBranches = (branches: BranchNode['branches']) => onChange({ ...node, branches });
  return (
    <>
      <p className="muted flow-form-note">
        Filters as in segments: <code>{'{"field", "op", "value"}'}</code>, <code>and</code>/<code>or</code>/<code>not</code>.
        Fields may be <code>event.data.…</code> or <code>last.outcome</code>. The first that matches wins; else <code>default</code>.
      </p>
      {node.branches.map((b, i) => (
        <Row key={`${node.id}-${i}-${node.branches.length}`} title={`Condition ${i + 1}`}
          onRemove={node.branches.length > 1 ? () => setBranches(node.branches.filter((_, j) => j !== i)) : undefined}>
          <JsonInput<Record<string, unknown>> label="Filter" value={b.filter} accept={isObject} testId={`opt-branch-${i}-filter`}
            onChange={(filter) => setBranches(node.branches.map((x, j) => (j === i ? { ...x, filter: filter ?? {} } : x)))} />
        </Row>
      ))}
      <Button className="btn-small" onClick={() => setBranches([...node.branches, { filter: { field: '', op: 'eq', value: '' }, next: '' }])} data-testid="opt-branch-add">
        Add condition
      </Button>
    </>
  );
}

function SplitOptions({ node, onChange }: { node: RandomSplitNode; onChange: (n: FlowNode) => void }) {
  const total = node.branches.reduce((s, b) => s + (b.percent || 0), 0);
  const setBranches = (branches: RandomSplitNode['branches']) => onChange({ ...node, branches });
  return (
    <>
      {node.branches.map((b, i) => (
        <Row key={i} title={`Path ${i + 1}`} onRemove={node.branches.length > 2 ? () => setBranches(node.branches.filter((_, j) => j !== i)) : undefined}>
          <Field label="Percent">
            <NumberInput min={0} max={100} value={b.percent} data-testid={`opt-split-${i}`}
              onChange={(percent) => setBranches(node.branches.map((x, j) => (j === i ? { ...x, percent: percent ?? 0 } : x)))} />
          </Field>
        </Row>
      ))}
      <p className={total === 100 ? 'muted' : 'field-error'} data-testid="opt-split-total">Total {total}% {total === 100 ? '' : '(must be 100)'}</p>
      <Button className="btn-small" onClick={() => setBranches([...node.branches, { percent: 0, next: '' }])}>Add path</Button>
    </>
  );
}

function HttpOptions({ node, onChange }: { node: HttpNode; onChange: (n: FlowNode) => void }) {
  return (
    <>
      <div className="flow-form-row">
        <Field label="Method" className="flow-form-method">
          <Select options={METHODS.map((m) => ({ value: m, label: m }))} value={node.method} onChange={(e) => onChange({ ...node, method: e.target.value as HttpMethod })} data-testid="opt-method" />
        </Field>
        <Field label="URL">
          <Input value={node.url} onChange={(e) => onChange({ ...node, url: e.target.value })} data-testid="opt-url" />
        </Field>
      </div>
      <JsonInput<Record<string, string>> label="Headers" value={node.headers} onChange={(headers) => onChange(clean({ ...node, headers }))} testId="opt-headers"
        accept={(v) => isObject(v) ?? (Object.values(v as object).every((x) => typeof x === 'string') ? null : 'Header values are strings')} rows={3} />
      <JsonInput<unknown> label="Body" hint="JSON; strings may use Liquid" value={node.body} onChange={(body) => onChange(clean({ ...node, body }))} testId="opt-body" />
      <Field label="Timeout (seconds)">
        <NumberInput min={1} value={node.timeout_seconds} onChange={(timeout_seconds) => onChange(clean({ ...node, timeout_seconds }))} data-testid="opt-timeout_seconds" />
      </Field>
      <JsonInput<NonNullable<HttpNode['success_when']>> label="Success when" hint='{"status": [200, 201], "path": "ok", "equals": true}; default: any 2xx'
        value={node.success_when} onChange={(success_when) => onChange(clean({ ...node, success_when }))} accept={isObject} testId="opt-success_when" rows={3} />
    </>
  );
}

function Row({ title, onRemove, children }: { title: string; onRemove?: () => void; children: ReactNode }) {
  return (
    <div className="flow-form-group">
      <div className="row-between">
        <span className="field-label">{title}</span>
        {onRemove && <Button variant="ghost" className="btn-small" onClick={onRemove} aria-label={`Remove ${title}`}>✕</Button>}
      </div>
      {children}
    </div>
  );
}
