import { useState, type FormEvent } from 'react';
import { useSession } from '../auth/session';
import { ApiError } from '../ui/api';
import { Button, ErrorBanner, Field, Input, Spinner } from '../ui/controls';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { updateOtpSettings, getOtpSettings } from './api';
import { OtpTabs } from './otp-tabs';
import { roleAtLeast } from './status';
import { OTP_CHANNELS, RATE_LIMITS, type OtpSettings, type RateLimitKey } from './types';

const LIMITS: Record<RateLimitKey, { title: string; what: string }> = {
  per_destination: { title: 'Per destination', what: 'OTPs (and resends) to one phone number or email address' },
  per_account: { title: 'Per account', what: 'OTPs the whole account may create' },
  per_verify_source: { title: 'Verify attempts per source', what: "Verify calls from one end user's IP or device" },
};

/** The form's values as typed: strings, so that an empty or half-typed box is not forced to 0. */
type Inputs = Record<string, string>;

function inputsOf(s: OtpSettings): Inputs {
  const out: Inputs = {};
  for (const k of RATE_LIMITS) {
    out[`${k}.max`] = String(s[k].max);
    out[`${k}.window_seconds`] = String(s[k].window_seconds);
  }
  for (const c of OTP_CHANNELS) out[`timeouts_seconds.${c}`] = String(s.timeouts_seconds[c] ?? '');
  return out;
}

/** The PATCH body, or the per-field problems the browser can see before asking the server. */
function settingsFrom(inputs: Inputs): { settings: OtpSettings } | { problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const num = (field: string): number => {
    const raw = (inputs[field] ?? '').trim();
    const n = Number(raw);
    if (!raw || !Number.isInteger(n) || n < 1) problems[field] = 'must be a whole number ≥ 1';
    return n;
  };
  const limit = (k: RateLimitKey) => ({ max: num(`${k}.max`), window_seconds: num(`${k}.window_seconds`) });
  const settings: OtpSettings = {
    per_destination: limit('per_destination'),
    per_account: limit('per_account'),
    per_verify_source: limit('per_verify_source'),
    timeouts_seconds: { push: num('timeouts_seconds.push'), email: num('timeouts_seconds.email'), sms: num('timeouts_seconds.sms'), voice: num('timeouts_seconds.voice') },
  };
  return Object.keys(problems).length ? { problems } : { settings };
}

const testIdOf = (field: string) => `otp-setting-${field.replace(/[._]/g, '-')}`;

/** `/otp/settings`: the rate limits and per-channel fallback timeouts. Admins change them; others read them. */
export function OtpSettingsPage() {
  const loaded = useAsync((signal) => getOtpSettings(signal), []);
  return (
    <>
      <PageHeader title="OTP" subtitle="Rate limits protect your users from being flooded with codes and your account from paying for abuse." />
      <OtpTabs active="settings" />
      {loaded.data ? <SettingsForm initial={loaded.data} /> : loaded.error ? <ErrorBanner error={loaded.error} /> : <Spinner />}
    </>
  );
}

function SettingsForm({ initial }: { initial: OtpSettings }) {
  const { session } = useSession();
  const canEdit = roleAtLeast(session.role, 'admin');
  const [inputs, setInputs] = useState(() => inputsOf(initial));
  const [stored, setStored] = useState(initial);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const set = (field: string, value: string) => {
    setInputs((i) => ({ ...i, [field]: value }));
    setSaved(false);
  };
  const errorFor = (field: string) => problems[field] ?? (error instanceof ApiError ? error.detailFor(field) : undefined);

  async function save(e: FormEvent) {
    e.preventDefault();
    const parsed = settingsFrom(inputs);
    if ('problems' in parsed) {
      setProblems(parsed.problems);
      setError(new Error('Some values need fixing (see below).'));
      return;
    }
    setProblems({});
    setBusy(true);
    setError(undefined);
    try {
      const next = await updateOtpSettings(parsed.settings);
      setStored(next);
      setInputs(inputsOf(next));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const box = (field: string, label: string, hint?: string) => (
    <Field key={field} label={label} hint={hint} error={errorFor(field)}>
      <Input
        type="number" min="1" step="1" inputMode="numeric" value={inputs[field] ?? ''} disabled={!canEdit}
        onChange={(e) => set(field, e.target.value)} data-testid={testIdOf(field)}
      />
    </Field>
  );

  return (
    <form onSubmit={save} noValidate className="stack" data-testid="otp-settings-form">
      {!canEdit && (
        <div className="banner banner-warning" data-testid="otp-settings-readonly">
          Only an admin can change these settings; your role is <strong>{session.role}</strong>.
        </div>
      )}
      <ErrorBanner error={error} testId="otp-settings-error" />
      {saved && <div className="banner banner-success" data-testid="otp-settings-saved">Settings saved.</div>}
      {RATE_LIMITS.map((k) => (
        <Card key={k} title={LIMITS[k].title}>
          <p className="muted">{LIMITS[k].what}: at most this many per window; beyond it the API answers 429 with Retry-After.</p>
          <div className="form-grid">
            {box(`${k}.max`, 'At most')}
            {box(`${k}.window_seconds`, 'Window (seconds)')}
          </div>
        </Card>
      ))}
      <Card title="Fallback timeouts">
        <p className="muted">How long to wait for a channel's delivery before the code goes out on the next channel in the request's order.</p>
        <div className="form-grid">
          {OTP_CHANNELS.map((c) => box(`timeouts_seconds.${c}`, `${c} (seconds)`))}
        </div>
      </Card>
      {canEdit && (
        <div className="form-actions">
          <Button onClick={() => { setInputs(inputsOf(stored)); setProblems({}); setError(undefined); setSaved(false); }} disabled={busy}>Reset</Button>
          <Button type="submit" variant="primary" busy={busy} data-testid="otp-settings-save">Save settings</Button>
        </div>
      )}
    </form>
  );
}
