import { useState } from 'react';
import { Button, ErrorBanner, Field, Input } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { formatDuration, kindOf } from './catalog';
import { DurationInput, isObject, JsonInput } from './form-controls';
import type { NodeType, SimulateRequest, TimelineEntry } from './types';

interface EventRow {
  key: number;
  name: string;
  after_seconds: number;
  data?: Record<string, unknown>;
}

const SAMPLE_CONTACT = { email: 'ana@example.com', name: 'Ana' };

/**
 * "What would happen to this contact?": a sample contact, the events it would raise and when,
 * and the path the server's simulator computes on a virtual clock (nothing is sent). The page
 * runs it (it saves the draft first) and draws the path on the canvas too.
 */
export function SimulatePanel({ run, timeline, templateName, onSelectNode }: {
  run: (body: SimulateRequest) => Promise<void>;
  timeline: TimelineEntry[] | undefined;
  templateName: (id: string) => string | undefined;
  onSelectNode: (id: string) => void;
}) {
  const [contact, setContact] = useState<Record<string, unknown> | undefined>(SAMPLE_CONTACT);
  const [contactId, setContactId] = useState('');
  const [startAt, setStartAt] = useState('');
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
      await run(body);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

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
      <div className="field-label">Events the contact raises</div>
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
    </div>
  );
}
