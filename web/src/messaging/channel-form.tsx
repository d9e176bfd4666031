import { useState, type FormEvent } from 'react';
import { ApiError } from '../ui/api';
import { Button, ErrorBanner, Field, Input, Select } from '../ui/controls';
import { configFromValues, emptyValues, providerForm, PROVIDER_FORMS, valuesFromConfig, type ConfigField, type ConfigValues } from './channel-fields';
import { createChannel, updateChannel } from './api';
import type { Channel } from './types';

const TYPE_OPTIONS = PROVIDER_FORMS.map((p) => ({ value: p.type, label: p.label }));

function ConfigInputFor({ field, value, onChange }: { field: ConfigField; value: string; onChange: (v: string) => void }) {
  const common = { 'data-testid': `channel-config-${field.path}`, placeholder: field.placeholder };
  switch (field.input) {
    case 'checkbox':
      return (
        <span className="checkbox">
          <input type="checkbox" checked={value === 'true'} onChange={(e) => onChange(String(e.target.checked))} data-testid={common['data-testid']} />
          {field.label}
        </span>
      );
    case 'select':
      return <Select {...common} options={(field.options ?? []).map((o) => ({ value: o, label: o }))} value={value} onChange={(e) => onChange(e.target.value)} />;
    case 'textarea':
    case 'secret-textarea':
    case 'json':
      return <textarea {...common} className="input code-input" spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />;
    case 'number':
      return <Input {...common} type="number" step="any" value={value} onChange={(e) => onChange(e.target.value)} />;
    case 'secret':
      return <Input {...common} type="password" autoComplete="new-password" value={value} onChange={(e) => onChange(e.target.value)} />;
    default:
      return <Input {...common} value={value} onChange={(e) => onChange(e.target.value)} />;
  }
}

/** Parses the JSON textarea of a provider without a form (or when the user prefers JSON). */
function parseJsonConfig(text: string): { ok: true; config: Record<string, unknown> } | { ok: false; error: string } {
  try {
    const v: unknown = JSON.parse(text.trim() || '{}');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'The config must be a JSON object' };
    return { ok: true, config: v as Record<string, unknown> };
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
}

/**
 * Creates a channel, or edits one (`channel` given: its type is fixed). Each provider has its
 * fields; "Edit as JSON" reaches every setting, and is the only way for providers without a form.
 */
export function ChannelForm({ channel, onSaved, onCancel }: { channel?: Channel; onSaved: (c: Channel) => void; onCancel: () => void }) {
  const [type, setType] = useState(channel?.type ?? 'smtp');
  const form = providerForm(type);
  const fields = form?.fields ?? [];
  const [name, setName] = useState(channel?.name ?? '');
  const [cost, setCost] = useState(channel ? String(channel.cost_per_message) : '0');
  const [values, setValues] = useState<ConfigValues>(() => (channel ? valuesFromConfig(fields, channel.config) : emptyValues(fields)));
  const [asJson, setAsJson] = useState(fields.length === 0);
  const [json, setJson] = useState(() => JSON.stringify(channel?.config ?? {}, null, 2));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const serverError = (path: string) => (error instanceof ApiError ? error.detailFor(`config.${path}`) : undefined);

  function changeType(next: string) {
    setType(next);
    const nextFields = providerForm(next)?.fields ?? [];
    setValues(emptyValues(nextFields));
    setAsJson(nextFields.length === 0);
    setJson('{}');
    setLocalErrors({});
  }

  function toggleJson() {
    if (!asJson) {
      // Carry what was typed into the JSON, so switching loses nothing.
      const built = configFromValues(fields, values);
      const base = channel?.config ?? {};
      setJson(JSON.stringify(built.ok ? { ...base, ...built.config } : base, null, 2));
    } else {
      const parsed = parseJsonConfig(json);
      if (parsed.ok) setValues(valuesFromConfig(fields, parsed.config));
    }
    setAsJson((v) => !v);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    let config: Record<string, unknown>;
    if (asJson) {
      const parsed = parseJsonConfig(json);
      if (!parsed.ok) return setLocalErrors({ json: parsed.error });
      config = parsed.config;
    } else {
      const built = configFromValues(fields, values);
      if (!built.ok) return setLocalErrors(built.errors);
      config = built.config;
    }
    const costNumber = Number(cost || '0');
    if (!Number.isFinite(costNumber) || costNumber < 0) return setLocalErrors({ cost: 'A number ≥ 0' });
    setLocalErrors({});
    setBusy(true);
    try {
      const saved = channel
        ? await updateChannel(channel.id, { name: name.trim(), config, cost_per_message: costNumber })
        : await createChannel({ name: name.trim(), type, config, cost_per_message: costNumber });
      onSaved(saved);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="stack" data-testid="channel-form">
      <ErrorBanner error={error} />
      <div className="form-grid">
        <Field label="Name" error={error instanceof ApiError ? error.detailFor('name') : undefined}>
          <Input value={name} onChange={(e) => setName(e.target.value)} required placeholder="Transactional email" data-testid="channel-name" />
        </Field>
        <Field label="Type" hint={form ? `Sends ${form.kind}` : undefined}>
          <Select options={TYPE_OPTIONS} value={type} onChange={(e) => changeType(e.target.value)} disabled={!!channel} data-testid="channel-type" />
        </Field>
        <Field label="Cost per message" hint="Per SMS segment for SMS; used for cost estimates and reports" error={localErrors.cost}>
          <Input type="number" min="0" step="any" value={cost} onChange={(e) => setCost(e.target.value)} data-testid="channel-cost" />
        </Field>
      </div>
      {asJson ? (
        <Field label="Config (JSON)" error={localErrors.json ?? (error instanceof ApiError ? error.details[0]?.message : undefined)}>
          <textarea className="input code-input code-input-tall" spellCheck={false} value={json} onChange={(e) => setJson(e.target.value)} data-testid="channel-config-json" />
        </Field>
      ) : (
        <div className="form-grid">
          {fields.map((f) => (
            <Field key={f.path} label={f.input === 'checkbox' ? '' : <>{f.label}{f.required && ' *'}</>} hint={f.hint} error={localErrors[f.path] ?? serverError(f.path)}>
              <ConfigInputFor field={f} value={values[f.path] ?? ''} onChange={(v) => setValues((s) => ({ ...s, [f.path]: v }))} />
            </Field>
          ))}
        </div>
      )}
      <div className="form-actions">
        {fields.length > 0 && <Button variant="ghost" onClick={toggleJson} data-testid="channel-json-toggle">{asJson ? 'Edit as form' : 'Edit as JSON'}</Button>}
        <span className="toolbar-spacer" />
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy} disabled={!name.trim()} data-testid="channel-save">{channel ? 'Save' : 'Create channel'}</Button>
      </div>
    </form>
  );
}
