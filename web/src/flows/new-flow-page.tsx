import { useState, type FormEvent } from 'react';
import { getLists } from '../contacts/api';
import { Button, ErrorBanner, Field, Input, Select } from '../ui/controls';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Link, navigate } from '../ui/router';
import { createFlow, getExamples } from './api';
import type { FlowDefinition, FlowExample } from './types';
import './flows.css';

const BLANK = 'blank';
const EVENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** A blank flow must already be valid (the server checks every draft): an event entry and an exit. */
function blankDefinition(event: string): FlowDefinition {
  return { entry: { type: 'event', event }, nodes: [{ id: 'end', type: 'exit', position: { x: 0, y: 0 } }] };
}

const fieldName = (f: FlowExample['list_fields'][number]) => (typeof f === 'string' ? f : f.key);

/** "New flow": a name, the contact list it runs on, and a start: blank or one of the examples. */
export function NewFlowPage() {
  const lists = useAsync((signal) => getLists(signal), []);
  const examples = useAsync((signal) => getExamples(signal), []);
  const [name, setName] = useState('');
  const [listId, setListId] = useState('');
  const [start, setStart] = useState(BLANK);
  const [event, setEvent] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const example = examples.data?.find((e) => e.slug === start);
  const problems = {
    name: name.trim() ? undefined : 'A flow needs a name',
    list: listId ? undefined : 'Choose the list whose contacts go through the flow',
    event: start !== BLANK || EVENT_NAME.test(event) ? undefined : 'An event name: letters, digits and . _ : -',
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (problems.name || problems.list || problems.event) return;
    setBusy(true);
    setError(undefined);
    try {
      const definition = example ? example.definition : blankDefinition(event);
      const flow = await createFlow({ name: name.trim(), list_id: listId, definition });
      navigate(`/flows/${encodeURIComponent(flow.id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const show = (p: string | undefined) => (submitted ? p : undefined);
  return (
    <>
      <PageHeader title="New flow" breadcrumb={<Link to="/flows">Flows</Link>} />
      <form onSubmit={submit} noValidate className="stack">
        <ErrorBanner error={error ?? lists.error ?? examples.error} testId="new-flow-error" />
        <Card title="Flow">
          <div className="form-grid">
            <Field label="Name" error={show(problems.name)}>
              <Input value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="Payment reminder" data-testid="new-flow-name" />
            </Field>
            <Field label="Contact list" error={show(problems.list)}>
              <Select options={(lists.data ?? []).map((l) => ({ value: l.id, label: l.name }))} placeholder="Choose a list…"
                value={listId} onChange={(e) => setListId(e.target.value)} data-testid="new-flow-list" />
            </Field>
          </div>
        </Card>
        <Card title="Start from">
          <div className="flow-starts" role="radiogroup">
            <label className={`flow-start ${start === BLANK ? 'active' : ''}`}>
              <input type="radio" name="start" checked={start === BLANK} onChange={() => setStart(BLANK)} data-testid="new-flow-blank" />
              <span className="strong">Blank</span>
              <span className="muted">An event starts the flow; you add the steps.</span>
            </label>
            {(examples.data ?? []).map((ex) => (
              <label key={ex.slug} className={`flow-start ${start === ex.slug ? 'active' : ''}`}>
                <input type="radio" name="start" checked={start === ex.slug} onChange={() => setStart(ex.slug)} data-testid={`new-flow-example-${ex.slug}`} />
                <span className="strong">{ex.name}</span>
                <span className="muted">{ex.description}</span>
                {ex.list_fields.length > 0 && (
                  <span className="field-hint">Reads the list's fields: {ex.list_fields.map(fieldName).join(', ')}</span>
                )}
              </label>
            ))}
          </div>
          {start === BLANK && (
            <div className="form-grid flow-start-event">
              <Field label="Starts when this event arrives" hint="POST /v1/events with this name; you can change it later" error={show(problems.event)}>
                <Input value={event} onChange={(e) => setEvent(e.target.value)} placeholder="statement.issued" data-testid="new-flow-event" />
              </Field>
            </div>
          )}
        </Card>
        <div className="form-actions">
          <Button onClick={() => navigate('/flows')}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy} data-testid="new-flow-submit">Create flow</Button>
        </div>
      </form>
    </>
  );
}
