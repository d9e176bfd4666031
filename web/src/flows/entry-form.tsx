import type { FieldDef, Segment } from '../contacts/types';
import { Field, Input, Select } from '../ui/controls';
import { defaultEntry, ENTRY_TYPES } from './catalog';
import { NumberInput } from './form-controls';
import type { Entry, EntryRule, EntryType, FlowDefinition } from './types';

type RuleChoice = 'default' | 'once' | 'every_time' | 'once_per_days';

const RULES: { value: RuleChoice; label: string }[] = [
  { value: 'default', label: 'Default (every time for events, once otherwise)' },
  { value: 'once', label: 'Once per contact' },
  { value: 'every_time', label: 'Every time' },
  { value: 'once_per_days', label: 'At most once every N days' },
];

const ruleChoice = (rule: EntryRule | undefined): RuleChoice =>
  rule === undefined ? 'default' : typeof rule === 'object' ? 'once_per_days' : rule;

/** The side panel's form for the entry node: how runs start, the goal that ends them, how often a contact may enter. */
export function EntryForm({ def, onChange, segments, fields, readOnly }: {
  def: FlowDefinition;
  onChange: (def: FlowDefinition) => void;
  segments: readonly Segment[];
  fields: readonly FieldDef[];
  readOnly: boolean;
}) {
  const entry = def.entry;
  const setEntry = (e: Entry) => onChange({ ...def, entry: e });
  const segmentOptions = segments.map((s) => ({ value: s.id, label: s.name }));
  const rule = ruleChoice(def.entry_rule);
  const setRule = (choice: RuleChoice, days?: number) => {
    const next = { ...def };
    if (choice === 'default') delete next.entry_rule;
    else next.entry_rule = choice === 'once_per_days' ? { once_per_days: days ?? 30 } : choice;
    onChange(next);
  };
  const setGoal = (event: string) => {
    const next = { ...def };
    if (event) next.goal = { ...def.goal, event };
    else delete next.goal;
    onChange(next);
  };
  return (
    <div className="flow-form" data-testid="entry-form">
      <div className="flow-form-title">
        <span aria-hidden>▶</span> <strong>Entry</strong>
        <p className="muted">How contacts come into this flow.</p>
      </div>
      <fieldset disabled={readOnly} className="flow-form-fields">
        <Field label="Starts when">
          <Select options={ENTRY_TYPES} value={entry.type} onChange={(e) => setEntry(defaultEntry(e.target.value as EntryType, entry))} data-testid="entry-type" />
        </Field>
        {entry.type === 'event' && (
          <Field label="Event name" hint="POST /v1/events with this name starts a run">
            <Input value={entry.event} onChange={(e) => setEntry({ ...entry, event: e.target.value })} data-testid="entry-event" placeholder="statement.issued" />
          </Field>
        )}
        {(entry.type === 'segment' || entry.type === 'broadcast') && (
          <Field label="Segment">
            <Select options={segmentOptions} placeholder="Choose a segment…" value={entry.segment_id}
              onChange={(e) => setEntry({ ...entry, segment_id: e.target.value })} data-testid="entry-segment" />
          </Field>
        )}
        {entry.type === 'broadcast' && (
          <>
            <Field label="At" hint="Once, at this moment (RFC 3339), or on the cron schedule below">
              <Input value={entry.at ?? ''} placeholder="2025-01-31T09:00:00-05:00" data-testid="entry-at"
                onChange={(e) => setEntry(withText(entry, 'at', e.target.value))} />
            </Field>
            <Field label="Cron">
              <Input value={entry.cron ?? ''} placeholder="0 9 * * MON" onChange={(e) => setEntry(withText(entry, 'cron', e.target.value))} data-testid="entry-cron" />
            </Field>
            <Field label="Time zone">
              <Input value={entry.timezone ?? ''} placeholder="America/Bogota" onChange={(e) => setEntry(withText(entry, 'timezone', e.target.value))} data-testid="entry-timezone" />
            </Field>
            <Field label="Approval sample" hint='Hold the broadcast until an approver releases it after a sample: 50 or "10%"; empty: no approval'>
              <Input value={entry.approval?.sample ?? ''} data-testid="entry-approval"
                onChange={(e) => {
                  const v = e.target.value.trim();
                  const next = { ...entry };
                  if (!v) delete next.approval;
                  else next.approval = { sample: /^\d+$/.test(v) ? Number(v) : v, approver_role: 'approver' };
                  setEntry(next);
                }} />
            </Field>
          </>
        )}
        {entry.type === 'date_field' && (
          <>
            <Field label="Date field">
              <Select options={fields.filter((f) => f.type === 'date' || f.type === 'datetime').map((f) => ({ value: f.key, label: f.label }))}
                placeholder="Choose a field…" value={entry.field} onChange={(e) => setEntry({ ...entry, field: e.target.value })} data-testid="entry-field" />
            </Field>
            <Field label="Offset (days)" hint="-3: three days before the date">
              <NumberInput value={entry.offset_days} onChange={(n) => setEntry({ ...entry, offset_days: n ?? 0 })} data-testid="entry-offset" />
            </Field>
            <Field label="At">
              <Input type="time" value={entry.at ?? ''} onChange={(e) => setEntry(withText(entry, 'at', e.target.value))} data-testid="entry-time" />
            </Field>
          </>
        )}
        {entry.type === 'form' && (
          <Field label="Form id">
            <Input value={entry.form_id} onChange={(e) => setEntry({ ...entry, form_id: e.target.value })} data-testid="entry-form-id" />
          </Field>
        )}
        <Field label="Who may enter">
          <Select options={RULES} value={rule} onChange={(e) => setRule(e.target.value as RuleChoice)} data-testid="entry-rule" />
        </Field>
        {typeof def.entry_rule === 'object' && (
          <Field label="Days">
            <NumberInput min={1} value={def.entry_rule.once_per_days} onChange={(n) => setRule('once_per_days', n)} data-testid="entry-rule-days" />
          </Field>
        )}
        <Field label="Goal event" hint="When it arrives for the contact, the run exits wherever it is">
          <Input value={def.goal?.event ?? ''} onChange={(e) => setGoal(e.target.value)} data-testid="goal-event" placeholder="payment.received" />
        </Field>
      </fieldset>
    </div>
  );
}

/** The entry with an optional text option set, or removed when emptied. */
function withText<E extends Entry, K extends keyof E>(entry: E, key: K, value: string): E {
  const next = { ...entry };
  if (value) (next as Record<K, unknown>)[key] = value;
  else delete next[key];
  return next;
}
