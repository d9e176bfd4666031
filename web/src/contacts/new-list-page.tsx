import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../ui/api';
import { Button, ErrorBanner, Field, Input, Select } from '../ui/controls';
import { Card, PageHeader } from '../ui/layout';
import { Link, navigate } from '../ui/router';
import { createList } from './api';
import { FieldRows, draftProblems, newDraft, toFieldDef, type DraftField } from './field-rows';
import { ListSettingsFields, type ListSettings } from './list-settings';

/** Standard fields that identify a contact well enough to be a key. */
const STANDARD_KEYS = [
  { value: 'email', label: 'email (standard)' },
  { value: 'phone', label: 'phone (standard)' },
];

export function NewListPage() {
  const [name, setName] = useState('');
  const [drafts, setDrafts] = useState<DraftField[]>(() => [newDraft()]);
  const [keyChoice, setKeyChoice] = useState('');
  const [settings, setSettings] = useState<ListSettings>({ default_country: '', date_format: 'yyyy-mm-dd', decimal_separator: '.' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState(false);

  const keyOptions = useMemo(() => {
    const own = drafts.filter((d) => d.key.trim()).map((d) => ({ value: d.key.trim(), label: d.label ? `${d.label} (${d.key})` : d.key }));
    const ownKeys = new Set(own.map((o) => o.value));
    return [...own, ...STANDARD_KEYS.filter((s) => !ownKeys.has(s.value))];
  }, [drafts]);
  // Until the user picks, the first field is the key; a pick that no longer exists falls back too.
  const keyField = keyOptions.some((o) => o.value === keyChoice) ? keyChoice : (keyOptions[0]?.value ?? 'email');

  // A row left blank is not a field: skip it rather than block the form on it.
  const filled = drafts.filter((d) => d.key.trim() || d.label.trim());
  const problems = draftProblems(filled);
  const errorFor = (f: string) => (error instanceof ApiError ? error.detailFor(f) : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (!name.trim() || problems.size > 0) return;
    setBusy(true);
    setError(undefined);
    try {
      const list = await createList({
        name: name.trim(),
        key_field: keyField,
        fields: filled.map((d) => toFieldDef(d, keyField)),
        ...(settings.default_country ? { default_country: settings.default_country } : {}),
        date_format: settings.date_format,
        decimal_separator: settings.decimal_separator,
      });
      navigate(`/lists/${encodeURIComponent(list.id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="New list" breadcrumb={<Link to="/lists">Lists</Link>} />
      <form onSubmit={submit} noValidate className="stack">
        <ErrorBanner error={error} />
        <Card title="List">
          <div className="form-grid">
            <Field label="Name" error={errorFor('name') ?? (submitted && !name.trim() ? 'A list needs a name' : undefined)}>
              <Input value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="Customers" data-testid="new-list-name" />
            </Field>
            <Field label="Key field" hint="Contacts are matched on this field: importing the same key again updates the contact" error={errorFor('key_field')}>
              <Select options={keyOptions} value={keyField} onChange={(e) => setKeyChoice(e.target.value)} data-testid="new-list-key-field" />
            </Field>
          </div>
        </Card>
        <Card title="Fields" className="card-flush">
          <p className="muted card-note">
            Every contact also has the standard fields email, phone, timezone, country, language, consent_marketing and consent_transactional.
          </p>
          <FieldRows drafts={drafts} onChange={setDrafts} keyField={keyField} problems={submitted ? problems : undefined} serverError={error} />
        </Card>
        <Card title="Reading imported values">
          <ListSettingsFields value={settings} onChange={setSettings} errorFor={errorFor} />
        </Card>
        <div className="form-actions">
          <Button variant="secondary" onClick={() => navigate('/lists')}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} data-testid="new-list-submit">Create list</Button>
        </div>
      </form>
    </>
  );
}
