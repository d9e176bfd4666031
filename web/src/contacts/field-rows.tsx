import { ApiError } from '../ui/api';
import { Button, Input, Select } from '../ui/controls';
import { FIELD_TYPES, type FieldDef, type FieldType } from './types';

/** A field as edited: options as typed text, and whether its key may still change. */
export interface DraftField {
  uid: string;
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  optionsText: string;
  /** A field not saved yet: its key is editable (a saved field's key is its identity). */
  isNew: boolean;
  /** The user typed the key; stop deriving it from the label. */
  keyTouched: boolean;
}

let uidSeq = 0;

export function draftFrom(f: FieldDef): DraftField {
  return {
    uid: `f${++uidSeq}`, key: f.key, label: f.label, type: f.type, required: !!f.required,
    optionsText: (f.options ?? []).join(', '), isNew: false, keyTouched: true,
  };
}

export function newDraft(): DraftField {
  return { uid: `f${++uidSeq}`, key: '', label: '', type: 'text', required: false, optionsText: '', isNew: true, keyTouched: false };
}

/** `Customer ID` → `customer_id` (the API's key pattern: a lowercase letter, then a-z 0-9 _). */
export function keyFromLabel(label: string): string {
  const k = label.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return (/^[a-z]/.test(k) ? k : k ? `f_${k}` : '').slice(0, 63);
}

/** The API's field; the key field is always required (contacts are matched on it). */
export function toFieldDef(d: DraftField, keyField?: string): FieldDef {
  const key = d.key.trim();
  const def: FieldDef = { key, label: d.label.trim() || key, type: d.type, required: d.required || key === keyField };
  if (d.type === 'enum') def.options = d.optionsText.split(',').map((o) => o.trim()).filter(Boolean);
  return def;
}

/** Problems the server would also find, shown before a round trip. */
export function draftProblems(drafts: DraftField[]): Map<string, string> {
  const problems = new Map<string, string>();
  const seen = new Set<string>();
  for (const d of drafts) {
    const key = d.key.trim();
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(key)) problems.set(d.uid, 'Key: a lowercase letter, then letters, digits or _');
    else if (seen.has(key)) problems.set(d.uid, `Key "${key}" is used twice`);
    else if (d.type === 'enum' && toFieldDef(d).options?.length === 0) problems.set(d.uid, 'An enum needs at least one option');
    seen.add(key);
  }
  return problems;
}

const TYPE_OPTIONS = FIELD_TYPES.map((t) => ({ value: t, label: t }));

/** The server's per-field detail for row i (`fields[i].label` or `body.fields[i]`). */
function serverProblem(error: unknown, index: number): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const re = new RegExp(`^(body\\.)?fields\\[${index}\\]`);
  return error.details.find((d) => re.test(d.field))?.message;
}

/** The editable rows of a list's fields (new-list form and the Fields tab). */
export function FieldRows({ drafts, onChange, keyField, problems, serverError }: {
  drafts: DraftField[];
  onChange: (next: DraftField[]) => void;
  keyField?: string;
  problems?: Map<string, string>;
  serverError?: unknown;
}) {
  const set = (uid: string, patch: Partial<DraftField>) =>
    onChange(drafts.map((d) => {
      if (d.uid !== uid) return d;
      const next = { ...d, ...patch };
      if (patch.label !== undefined && d.isNew && !d.keyTouched) next.key = keyFromLabel(patch.label);
      return next;
    }));

  return (
    <div className="field-rows">
      <div className="field-row field-row-head" aria-hidden>
        <span>Label</span><span>Key</span><span>Type</span><span>Required</span><span>Options (enum)</span><span />
      </div>
      {drafts.map((d, i) => {
        const problem = serverProblem(serverError, i) ?? problems?.get(d.uid);
        const isKey = keyField !== undefined && d.key === keyField;
        return (
          <div key={d.uid} className={`field-row ${problem ? 'field-row-invalid' : ''}`} data-testid="field-row" data-key={d.key}>
            <Input value={d.label} onChange={(e) => set(d.uid, { label: e.target.value })} placeholder="Label" aria-label="Label" data-testid="field-label" />
            <span className="field-key-cell">
              <Input
                value={d.key} readOnly={!d.isNew} onChange={(e) => set(d.uid, { key: e.target.value, keyTouched: true })}
                placeholder="key" aria-label="Key" data-testid="field-key" className="mono"
              />
              {isKey && <span className="badge badge-info" title="Contacts are matched on this field">key</span>}
            </span>
            <Select options={TYPE_OPTIONS} value={d.type} onChange={(e) => set(d.uid, { type: e.target.value as FieldType })} aria-label="Type" data-testid="field-type" />
            <label className="checkbox">
              <input type="checkbox" checked={d.required || isKey} disabled={isKey} onChange={(e) => set(d.uid, { required: e.target.checked })} data-testid="field-required" />
              <span className="sr-only">Required</span>
            </label>
            <Input
              value={d.optionsText} disabled={d.type !== 'enum'} onChange={(e) => set(d.uid, { optionsText: e.target.value })}
              placeholder={d.type === 'enum' ? 'gold, silver, bronze' : '—'} aria-label="Options" data-testid="field-options"
            />
            <Button variant="ghost" disabled={isKey} title={isKey ? 'The key field cannot be removed' : 'Remove field'} aria-label="Remove field"
              onClick={() => onChange(drafts.filter((x) => x.uid !== d.uid))} data-testid="field-remove">
              ✕
            </Button>
            {problem && <span className="field-row-error">{problem}</span>}
          </div>
        );
      })}
      <div>
        <Button variant="ghost" onClick={() => onChange([...drafts, newDraft()])} data-testid="add-field">+ Add field</Button>
      </div>
    </div>
  );
}
