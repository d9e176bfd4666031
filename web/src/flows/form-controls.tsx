import { useState, type InputHTMLAttributes } from 'react';
import { Field, Input, Select, type Option } from '../ui/controls';
import type { Template } from '../messaging/types';

/** Seconds edited as days, hours and minutes: how people think about waits and timeouts. */
export function DurationInput({ label, seconds, onChange, testId, disabled }: {
  label: string; seconds: number; onChange: (seconds: number) => void; testId: string; disabled?: boolean;
}) {
  const s = Math.max(0, Math.round(seconds || 0));
  const parts = { days: Math.floor(s / 86_400), hours: Math.floor((s % 86_400) / 3_600), minutes: Math.floor((s % 3_600) / 60) };
  const rest = s % 60; // seconds a definition may carry; kept, not shown
  const set = (part: keyof typeof parts, raw: string) => {
    const v = Math.max(0, Math.floor(Number(raw) || 0));
    const p = { ...parts, [part]: v };
    onChange(p.days * 86_400 + p.hours * 3_600 + p.minutes * 60 + rest);
  };
  return (
    <fieldset className="flow-duration" disabled={disabled}>
      <legend className="field-label">{label}</legend>
      {(['days', 'hours', 'minutes'] as const).map((part) => (
        <label key={part} className="flow-duration-part">
          <Input type="number" min={0} value={parts[part]} onChange={(e) => set(part, e.target.value)} data-testid={`${testId}-${part}`} />
          <span className="muted">{part}</span>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * A JSON value edited as text: the text is kept as typed; the value changes only when it
 * parses (and `accept` agrees), otherwise the field says why.
 */
export function JsonInput<T>({ label, value, onChange, hint, testId, accept, disabled, rows = 4 }: {
  label: string; value: T | undefined; onChange: (value: T | undefined) => void; hint?: string; testId: string;
  accept?: (parsed: unknown) => string | null; disabled?: boolean; rows?: number;
}) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [error, setError] = useState<string>();
  const change = (next: string) => {
    setText(next);
    if (!next.trim()) {
      setError(undefined);
      onChange(undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(next);
    } catch (e) {
      setError(`Not JSON: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const problem = accept?.(parsed) ?? null;
    setError(problem ?? undefined);
    // The caller's `accept` vouches for the shape: T is what it checked.
    if (!problem) onChange(parsed as T);
  };
  return (
    <Field label={label} hint={hint} error={error}>
      <textarea className="input code-input flow-json" rows={rows} value={text} onChange={(e) => change(e.target.value)}
        spellCheck={false} disabled={disabled} data-testid={testId} />
    </Field>
  );
}

export const isObject = (v: unknown): string | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? null : 'Must be a JSON object: {"key": value}';

export function TemplateSelect({ label = 'Template', templates, channelType, value, onChange, testId, disabled }: {
  label?: string; templates: readonly Template[]; channelType?: string; value: string; onChange: (id: string) => void;
  testId: string; disabled?: boolean;
}) {
  const fitting = templates.filter((t) => !channelType || t.channel_type === channelType);
  const options: Option[] = fitting.map((t) => ({ value: t.id, label: `${t.name} (${t.channel_type})` }));
  // A template of another channel (or one since deleted) stays visible rather than silently replaced.
  if (value && !options.some((o) => o.value === value)) options.push({ value, label: `${value} (not a ${channelType ?? ''} template)` });
  return (
    <Field label={label} hint={fitting.length === 0 ? `No ${channelType ?? ''} templates yet: create one under Templates.` : undefined}>
      <Select options={options} placeholder="Choose a template…" value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} disabled={disabled} />
    </Field>
  );
}

export function NumberInput({ value, onChange, ...rest }: {
  value: number | undefined; onChange: (n: number | undefined) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  return (
    <Input type="number" value={value ?? ''} {...rest}
      onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />
  );
}
