import { useEffect, useState } from 'react';
import { Button, ErrorBanner, Field, Input, Select } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { deleteContact, updateContact } from './api';
import type { Contact, ContactList, FieldDef, FieldValue } from './types';

/** A stored value as its input shows it. */
function toInput(v: FieldValue | undefined, type: FieldDef['type']): string {
  if (v === null || v === undefined) return '';
  if (type === 'datetime' && typeof v === 'string') {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }
  return String(v);
}

/** An input's text as the API takes it; an emptied input clears the value (null). */
function fromInput(s: string, type: FieldDef['type']): FieldValue {
  if (s.trim() === '') return null;
  if (type === 'number') return Number(s);
  if (type === 'boolean') return s === 'true';
  if (type === 'datetime') return new Date(s).toISOString();
  return s;
}

function ValueInput({ field, value, onChange, readOnly }: { field: FieldDef; value: string; onChange: (v: string) => void; readOnly?: boolean }) {
  const common = { value, readOnly, disabled: readOnly, 'data-testid': `contact-field-${field.key}` };
  switch (field.type) {
    case 'boolean':
      return <Select {...common} options={[{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]} placeholder="—" onChange={(e) => onChange(e.target.value)} />;
    case 'enum':
      return <Select {...common} options={(field.options ?? []).map((o) => ({ value: o, label: o }))} placeholder="—" onChange={(e) => onChange(e.target.value)} />;
    case 'number':
      return <Input {...common} type="number" step="any" onChange={(e) => onChange(e.target.value)} />;
    case 'date':
      return <Input {...common} type="date" onChange={(e) => onChange(e.target.value)} />;
    case 'datetime':
      return <Input {...common} type="datetime-local" onChange={(e) => onChange(e.target.value)} />;
    default:
      return <Input {...common} type={field.type === 'email' ? 'email' : 'text'} onChange={(e) => onChange(e.target.value)} />;
  }
}

/** One contact in a side panel: edit its fields (PATCH the changed ones) or erase it. */
export function ContactDrawer({ contact, list, fields, onClose, onChanged }: {
  contact: Contact; list: ContactList; fields: FieldDef[]; onClose: () => void; onChanged: () => void;
}) {
  const initial = () => Object.fromEntries(fields.map((f) => [f.key, toInput(contact.fields[f.key], f.type)]));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const start = initial();
  const changed = fields.filter((f) => (values[f.key] ?? '') !== (start[f.key] ?? ''));

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      onChanged();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const save = () => run(() => updateContact(contact.id, Object.fromEntries(changed.map((f) => [f.key, fromInput(values[f.key] ?? '', f.type)]))));
  const erase = () => {
    if (window.confirm('Delete this contact? Its personal data is erased; this cannot be undone.')) void run(() => deleteContact(contact.id));
  };

  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <aside className="drawer" role="dialog" aria-label="Contact" onClick={(e) => e.stopPropagation()} data-testid="contact-drawer">
        <header className="drawer-header">
          <div>
            <h2>{contact.key}</h2>
            <p className="muted">Created {formatDateTime(contact.created_at)} · updated {formatDateTime(contact.updated_at)}</p>
          </div>
          <Button variant="ghost" onClick={onClose} aria-label="Close">✕</Button>
        </header>
        <div className="drawer-body">
          <ErrorBanner error={error} />
          {fields.map((f) => (
            <Field key={f.key} label={<>{f.label || f.key} <code className="muted">{f.key}</code></>} hint={f.key === list.key_field ? 'Key field: contacts are matched on it' : undefined}>
              <ValueInput field={f} value={values[f.key] ?? ''} readOnly={f.key === list.key_field} onChange={(v) => setValues((s) => ({ ...s, [f.key]: v }))} />
            </Field>
          ))}
        </div>
        <footer className="drawer-footer">
          <Button variant="danger" onClick={erase} disabled={busy} data-testid="contact-delete">Delete</Button>
          <span className="toolbar-spacer" />
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={save} busy={busy} disabled={changed.length === 0} data-testid="contact-save">Save</Button>
        </footer>
      </aside>
    </div>
  );
}
