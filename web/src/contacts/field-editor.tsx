import { useState } from 'react';
import { ApiError } from '../ui/api';
import { Badge, Button, ErrorBanner, Field, Input } from '../ui/controls';
import { Card } from '../ui/layout';
import { navigate } from '../ui/router';
import { deleteList, updateList } from './api';
import { FieldRows, draftFrom, draftProblems, toFieldDef, type DraftField } from './field-rows';
import { ListSettingsFields, type ListSettings } from './list-settings';
import type { ContactList } from './types';

/** The Fields tab: the list's own fields (add, remove, relabel, retype), its settings, deletion. */
export function FieldEditor({ list, onSaved }: { list: ContactList; onSaved: () => void }) {
  const [name, setName] = useState(list.name);
  const [drafts, setDrafts] = useState<DraftField[]>(() => list.fields.map(draftFrom));
  const [settings, setSettings] = useState<ListSettings>({
    default_country: list.default_country ?? '', date_format: list.date_format, decimal_separator: list.decimal_separator,
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const filled = drafts.filter((d) => d.key.trim() || d.label.trim());
  const problems = draftProblems(filled);
  const removed = list.fields.filter((f) => !filled.some((d) => d.key === f.key));
  const errorFor = (f: string) => (error instanceof ApiError ? error.detailFor(f) : undefined);

  async function save() {
    if (problems.size > 0) return;
    if (removed.length > 0 && !window.confirm(`Remove ${removed.map((f) => f.label || f.key).join(', ')}? Their values will no longer be visible, filterable or exported.`)) return;
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const stored = await updateList(list.id, {
        name: name.trim(),
        default_country: settings.default_country || null,
        date_format: settings.date_format,
        decimal_separator: settings.decimal_separator,
        fields: filled.map((d) => toFieldDef(d, list.key_field)),
      });
      // Start again from what the server stored (it may have normalised labels or options).
      setDrafts(stored.fields.map(draftFrom));
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete the list "${list.name}" and its ${list.contact_count} contacts? This cannot be undone.`)) return;
    try {
      await deleteList(list.id);
      navigate('/lists');
    } catch (err) {
      setError(err);
    }
  }

  const ownKeys = new Set(list.fields.map((f) => f.key));
  const standard = (list.standard_fields ?? []).filter((f) => !ownKeys.has(f.key));

  return (
    <div className="stack">
      <ErrorBanner error={error} />
      {saved && <div className="banner banner-success" role="status">Saved.</div>}
      <Card title="Fields" className="card-flush" actions={<Button variant="primary" busy={busy} onClick={save} data-testid="fields-save">Save changes</Button>}>
        <FieldRows drafts={drafts} onChange={setDrafts} keyField={list.key_field} problems={problems} serverError={error} />
      </Card>
      <Card title="Standard fields" className="card-flush">
        <p className="muted card-note">Every contact has these; a field of your own with the same key replaces one.</p>
        <table className="table">
          <thead><tr><th>Label</th><th>Key</th><th>Type</th></tr></thead>
          <tbody>
            {standard.map((f) => (
              <tr key={f.key} data-testid="standard-field-row">
                <td>{f.label}{f.key === list.key_field && <> <Badge tone="info">key</Badge></>}</td>
                <td><code>{f.key}</code></td>
                <td>{f.type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title="Settings">
        <div className="form-grid">
          <Field label="Name" error={errorFor('name')}>
            <Input value={name} onChange={(e) => setName(e.target.value)} data-testid="list-name" />
          </Field>
          <Field label="Key field" hint="Fixed when the list was created">
            <Input value={list.key_field} readOnly className="mono" />
          </Field>
        </div>
        <ListSettingsFields value={settings} onChange={setSettings} errorFor={errorFor} />
      </Card>
      <Card title="Danger zone">
        <div className="row-between">
          <span className="muted">Deleting a list removes its contacts and segments.</span>
          <Button variant="danger" onClick={remove} data-testid="list-delete">Delete list</Button>
        </div>
      </Card>
    </div>
  );
}
