import { useEffect, useRef, useState } from 'react';
import type { ContactList } from '../contacts/types';
import { Button, ErrorBanner, Field, Input } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { formatDuration, kindOf } from './catalog';
import { DurationInput, isObject, JsonInput } from './form-controls';
import type { NodeType, SimulateRequest, SimulateResult } from './types';

interface EventRow {
  key: number;
  name: string;
  after_seconds: number;
  data?: Record<string, unknown>;
}

/** A sample contact for the list: its key field (required to identify a contact), an email, a name if it has one. */
export function sampleContact(list: Pick<ContactList, 'key_field' | 'fields'> | undefined): Record<string, unknown> {
  const sample: Record<string, unknown> = { email: 'ana@example.com' };
  if (!list) return sample;
  if (list.fields.some((f) => f.key === 'name')) sample.name = 'Ana';
  if (list.key_field === 'phone') sample.phone = '+573001234567';
  else if (list.key_field !== 'email') sample[list.key_field] = 'sample-1';
  return sample;
}

/**
 * "What would happen to this contact?": a sample contact, the events it would raise and when,
 * and the path the server's simulator computes on a virtual clock (nothing is sent). The page
 * runs it (it saves the draft first) and draws the path on the canvas too.
 */
export function SimulatePanel({ run, result, entryEvent, initialContact, templateName, onSelectNode }: {
  run: (body: SimulateRequest) => Promise<void>;
  result: SimulateResult | undefined;
  /** The entry's event name, when the flow starts on an event: the simulated run starts with it. */
  entryEvent: string | undefined;
  initialContact: Record<string, unknown>;
  templateName: (id: string) => string | undefined;
  onSelectNode: (id: string) => void;
}) {
  const [contact, setContact] = useState<Record<string, unknown> | undefined>(initialContact);
  const [contactId, setContactId] = useState('');
  const [startAt, setStartAt] = useState('');
  const [triggerData, setTriggerData] = useState<Record<string, unknown>>();
  const [events, setEvents] = useState<EventRow[]>([]);
  const [nextKey, setNextKey] = useState(1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const setEvent = (key: number, patch: Partial<EventRow>) => setEvents((rows) => rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  async function submit() {
    setBusy(true);
    setError(undefined);
    try {
      const body: SimulateRequest = {
        events: events.filter((e) => e.name.trim()).map((e) => ({ name: e.name.trim(), after_seconds: e.after_seconds, ...(e.data ? { data: e.data } : {}) })),
      };
      if (contactId.trim()) body.contact_id = contactId.trim();
      else body.contact = contact ?? {};
      if (startAt) body.start_at = new Date(startAt).toISOString();
      if (entryEvent) body.trigger = { name: entryEvent, ...(triggerData ? { data: triggerData } : {}) };
      await run(body);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  // A new result scrolls into view: the form above it is taller than the panel.
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result) resultRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [result]);
  const timeline = result?.timeline;
  const first = timeline?.[0] ? new Date(timeline[0].at).getTime() : 0;
  return (
    <div className="flow-form" data-testid="simulate-panel">
      <div className="flow-form-title">
        <strong>Simulate</strong>
        <p className="muted">The path a sample contact would take through the saved draft, on a virtual clock. Nothing is sent.</p>
      </div>
      <JsonInput<Record<string, unknown>> label="Sample contact" value={contact} onChange={setContact} accept={isObject} testId="sim-contact" rows={4}
        hint="Its fields, as the list has them" />
      <Field label="…or an existing contact's id" hint="Takes the place of the sample">
        <Input value={contactId} onChange={(e) => setContactId(e.target.value)} data-testid="sim-contact-id" />
      </Field>
      <Field label="Start at" hint="Empty: now">
        <Input type="datetime-local" value={startAt} onChange={(e) => setStartAt(e.target.value)} data-testid="sim-start-at" />
      </Field>
      {entryEvent && (
        <JsonInput<Record<string, unknown>> label={`Data of the ${entryEvent} event that starts the run`} value={triggerData} onChange={setTriggerData}
          accept={isObject} testId="sim-trigger-data" rows={2} hint="What templates and branches read as event.data" />
      )}
      <div className="field-label">Events the contact raises later</div>
      {events.map((e, i) => (
        <div key={e.key} className="flow-form-group" data-testid="sim-event">
          <div className="row-between">
            <span className="field-label">Event {i + 1}</span>
            <Button variant="ghost" className="btn-small" onClick={() => setEvents((rows) => rows.filter((r) => r.key !== e.key))} aria-label={`Remove event ${i + 1}`}>✕</Button>
          </div>
          <Field label="Name">
            <Input value={e.name} onChange={(ev) => setEvent(e.key, { name: ev.target.value })} data-testid="sim-event-name" />
          </Field>
          <DurationInput label="After the start" seconds={e.after_seconds} onChange={(after_seconds) => setEvent(e.key, { after_seconds })} testId="sim-event-after" />
          <JsonInput<Record<string, unknown>> label="Data" value={e.data} onChange={(data) => setEvent(e.key, { data })} accept={isObject} testId="sim-event-data" rows={2} />
        </div>
      ))}
      <div className="toolbar">
        <Button className="btn-small" onClick={() => { setEvents((rows) => [...rows, { key: nextKey, name: '', after_seconds: 3_600 }]); setNextKey((k) => k + 1); }} data-testid="sim-add-event">
          Add event
        </Button>
        <span className="toolbar-spacer" />
        <Button variant="primary" busy={busy} onClick={() => void submit()} data-testid="sim-run">Run simulation</Button>
      </div>
      <ErrorBanner error={error} testId="sim-error" />
      <div ref={resultRef} />
      {timeline && (
        timeline.length === 0 ? <p className="muted" data-testid="sim-empty">The contact would not enter the flow.</p> : (
          <ol className="timeline flow-sim-timeline" data-testid="sim-timeline">
            {timeline.map((t, i) => (
              <li key={i} data-testid="sim-step" data-node-id={t.node_id} data-type={t.type}>
                <div className="timeline-head">
                  <span className="badge badge-info">#{i + 1}</span>
                  <button type="button" className="flow-link mono" onClick={() => onSelectNode(t.node_id)}>{t.node_id}</button>
                  <span className="muted">{kindOf(t.type as NodeType).label}</span>
                  {t.outcome && <span className="badge badge-neutral" data-testid="sim-step-outcome">{t.outcome}</span>}
                </div>
                <div className="muted flow-sim-when" title={formatDateTime(t.at)}>
                  {i === 0 ? formatDateTime(t.at) : `+${formatDuration((new Date(t.at).getTime() - first) / 1000) || '0 s'}`}
                  {t.channel_type && <> · would send by {t.channel_type}</>}
                  {t.template_id && <> · {templateName(t.template_id) ?? t.template_id}</>}
                </div>
              </li>
            ))}
          </ol>
        )
      )}
      {result?.final && (
        <p className="muted" data-testid="sim-final">
          The run ends {result.final.status === 'waiting' || result.final.status === 'active'
            ? <>still {result.final.status} at <code>{result.final.node}</code></>
            : <>as <strong>{result.final.status}</strong></>}.
        </p>
      )}
    </div>
  );
}
