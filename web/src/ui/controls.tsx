import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { ApiError } from './api';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

export function Button({
  variant = 'secondary', busy, children, className, disabled, type = 'button', ...rest
}: { variant?: Variant; busy?: boolean } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type={type} className={`btn btn-${variant} ${className ?? ''}`} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <span className="spinner spinner-inline" aria-hidden />}
      {children}
    </button>
  );
}

/** A labelled form control with its hint or error underneath. */
export function Field({ label, hint, error, children, className }: {
  label: ReactNode; hint?: ReactNode; error?: string; children: ReactNode; className?: string;
}) {
  return (
    <label className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <span className="field-label">{label}</span>
      {children}
      {error ? <span className="field-error">{error}</span> : hint ? <span className="field-hint">{hint}</span> : null}
    </label>
  );
}

export function Input(props: InputHTMLAttributes<HTMLInputElement>) {
  return <input {...props} className={`input ${props.className ?? ''}`} />;
}

export interface Option {
  value: string;
  label: string;
}

export function Select({ options, placeholder, ...rest }: {
  options: readonly Option[]; placeholder?: string;
} & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select {...rest} className={`input ${rest.className ?? ''}`}>
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>{o.label}</option>
      ))}
    </select>
  );
}

/** Shows what went wrong: the API's message and, per field, its details. */
export function ErrorBanner({ error, testId = 'error' }: { error: unknown; testId?: string }) {
  if (error === undefined || error === null) return null;
  const message = error instanceof Error ? error.message : String(error);
  // A single detail usually repeats the message ("name: is required"); list details only when they add something.
  const all = error instanceof ApiError ? error.details : [];
  const details = all.length === 1 && all[0] && message.includes(all[0].message) ? [] : all;
  return (
    <div className="banner banner-error" role="alert" data-testid={testId}>
      <strong>{message}</strong>
      {details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}><code>{d.field}</code> {d.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden /> {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Badge({ children, tone = 'neutral' }: { children: ReactNode; tone?: 'neutral' | 'info' | 'success' | 'warning' | 'danger' }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function ProgressBar({ value, label, testId }: { value: number | undefined; label?: string; testId?: string }) {
  const pct = value === undefined ? undefined : Math.max(0, Math.min(100, value * 100));
  return (
    <div className="progress-wrap" data-testid={testId}>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
        <div className={`progress-bar ${pct === undefined ? 'progress-indeterminate' : ''}`} style={pct === undefined ? undefined : { width: `${pct}%` }} />
      </div>
      {label && <span className="progress-label">{label}{pct !== undefined && <span className="muted"> · {Math.floor(pct)}%</span>}</span>}
    </div>
  );
}
