import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../ui/api';
import { Button, ErrorBanner, Field, Input, Spinner } from '../ui/controls';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { getPolicy, updatePolicy } from './api';
import { SendingWindowsEditor, windowProblem } from './sending-windows';
import { CATEGORIES, type FrequencyCaps, type Policy, type PolicyPreset } from './types';
import './messaging.css';

const CAP_PERIODS = ['day', 'week', 'month'] as const;

/** Caps as the inputs show them: empty means no cap. */
type CapInputs = Record<(typeof CAP_PERIODS)[number], string>;

function capInputs(c: FrequencyCaps): CapInputs {
  return { day: c.day?.toString() ?? '', week: c.week?.toString() ?? '', month: c.month?.toString() ?? '' };
}

function capsFrom(inputs: CapInputs): FrequencyCaps | string {
  const caps: FrequencyCaps = {};
  for (const p of CAP_PERIODS) {
    const raw = inputs[p].trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) return `The ${p} cap must be a whole number ≥ 0`;
    caps[p] = n;
  }
  return caps;
}

function timeZones(): string[] {
  // Intl.supportedValuesOf is in every current browser; an old one just gets no suggestions.
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}

const PRESETS: { preset: PolicyPreset; label: string; what: string }[] = [
  { preset: 'co_ley_2300', label: 'Colombia — Ley 2300', what: 'Marketing Mon–Fri 07:00–19:00, Sat 08:00–15:00, never Sundays or holidays' },
  { preset: 'tcpa', label: 'United States — TCPA', what: 'Marketing every day 08:00–21:00 local time' },
];

export function PolicyPage() {
  const loaded = useAsync((signal) => getPolicy(signal), []);
  return (
    <>
      <PageHeader
        title="Sending policy"
        subtitle="Quiet hours, holidays and frequency caps, applied to every message in the contact's time zone. A held message waits; it is not dropped."
      />
      {loaded.data ? <PolicyForm initial={loaded.data} /> : loaded.error ? <ErrorBanner error={loaded.error} /> : <Spinner />}
    </>
  );
}

function PolicyForm({ initial }: { initial: Policy }) {
  const [policy, setPolicy] = useState(initial);
  // What the server holds now: "Reset" goes back to it.
  const [stored, setStored] = useState(initial);
  const [caps, setCaps] = useState(() => capInputs(initial.frequency_caps));
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [submitted, setSubmitted] = useState(false);
  const [saved, setSaved] = useState(false);
  const zones = useMemo(timeZones, []);

  const set = (patch: Partial<Policy>) => {
    setPolicy((p) => ({ ...p, ...patch }));
    setSaved(false);
  };
  const errorFor = (f: string) => (error instanceof ApiError ? error.detailFor(f) : undefined);

  /** Shows a policy in the form: the server's answer after a save (`wasSaved`), or the loaded one on reset. */
  function take(p: Policy, wasSaved = true) {
    setPolicy(p);
    if (wasSaved) setStored(p);
    setCaps(capInputs(p.frequency_caps));
    setSaved(wasSaved);
    setSubmitted(false);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    const frequency_caps = capsFrom(caps);
    if (typeof frequency_caps === 'string') return setError(new Error(frequency_caps));
    if (policy.sending_windows.some((w) => windowProblem(w))) return setError(new Error('A sending window needs fixing (see below).'));
    setBusy('save');
    setError(undefined);
    try {
      take(await updatePolicy({
        timezone: policy.timezone.trim(),
        country: policy.country?.trim() ? policy.country.trim().toUpperCase() : null,
        sending_windows: policy.sending_windows,
        holidays: policy.holidays,
        frequency_caps,
      }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  async function applyPreset(preset: PolicyPreset) {
    setBusy(preset);
    setError(undefined);
    try {
      take(await updatePolicy({ preset }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  const toggleHolidayCategory = (c: string, on: boolean) =>
    set({ holidays: { ...policy.holidays, categories: on ? [...policy.holidays.categories, c] : policy.holidays.categories.filter((x) => x !== c) } });

  return (
    <form onSubmit={save} noValidate className="stack" data-testid="policy-form">
      <ErrorBanner error={error} testId="policy-error" />
      {saved && <div className="banner banner-success" data-testid="policy-saved">Policy saved.</div>}
      <Card title="Presets">
        <div className="stack">
          {PRESETS.map((p) => (
            <div key={p.preset} className="row-between">
              <div><strong>{p.label}</strong><br /><span className="muted">{p.what}. Replaces the sending windows and holiday rule.</span></div>
              <Button onClick={() => void applyPreset(p.preset)} busy={busy === p.preset} disabled={!!busy} data-testid={`preset-${p.preset}`}>Apply</Button>
            </div>
          ))}
        </div>
      </Card>
      <Card title="Where the account is">
        <div className="form-grid">
          <Field label="Time zone" hint="Used for contacts without their own time zone" error={errorFor('timezone')}>
            <Input list="policy-time-zones" value={policy.timezone} onChange={(e) => set({ timezone: e.target.value })} data-testid="policy-timezone" />
            <datalist id="policy-time-zones">{zones.map((z) => <option key={z} value={z} />)}</datalist>
          </Field>
          <Field label="Country" hint="ISO code (CO, US): its holidays and phone numbering" error={errorFor('country')}>
            <Input value={policy.country ?? ''} maxLength={2} onChange={(e) => set({ country: e.target.value.toUpperCase() })} placeholder="CO" data-testid="policy-country" />
          </Field>
        </div>
      </Card>
      <Card title="Sending windows">
        <SendingWindowsEditor
          windows={policy.sending_windows} onChange={(sending_windows) => set({ sending_windows })}
          serverErrorFor={errorFor} showProblems={submitted}
        />
      </Card>
      <Card title="Holidays">
        <div className="stack">
          <label className="checkbox">
            <input type="checkbox" checked={policy.holidays.enabled} onChange={(e) => set({ holidays: { ...policy.holidays, enabled: e.target.checked } })} data-testid="policy-holidays" />
            Hold messages on the public holidays of the contact's country
          </label>
          <div className="toolbar">
            <span className="muted">For:</span>
            {CATEGORIES.map((c) => (
              <label key={c} className="checkbox">
                <input
                  type="checkbox" disabled={!policy.holidays.enabled} checked={policy.holidays.categories.includes(c)}
                  onChange={(e) => toggleHolidayCategory(c, e.target.checked)} data-testid={`policy-holiday-${c}`}
                />
                {c}
              </label>
            ))}
          </div>
        </div>
      </Card>
      <Card title="Frequency caps">
        <p className="muted">At most this many marketing messages to one contact per calendar period; empty means no cap.</p>
        <div className="form-grid">
          {CAP_PERIODS.map((p) => (
            <Field key={p} label={`Per ${p}`} error={errorFor(`frequency_caps.${p}`)}>
              <Input type="number" min="0" step="1" value={caps[p]} onChange={(e) => { setCaps((c) => ({ ...c, [p]: e.target.value })); setSaved(false); }} data-testid={`policy-cap-${p}`} />
            </Field>
          ))}
        </div>
      </Card>
      <div className="form-actions">
        <Button onClick={() => take(stored, false)} disabled={!!busy}>Reset</Button>
        <Button type="submit" variant="primary" busy={busy === 'save'} disabled={!!busy} data-testid="policy-save">Save policy</Button>
      </div>
    </form>
  );
}
