import { useState, type FormEvent } from 'react';
import { ApiError } from '../ui/api';
import { Button, ErrorBanner, Field, Input, Select, Spinner } from '../ui/controls';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Link, navigate } from '../ui/router';
import { createTemplate, deleteTemplate, getTemplate, updateTemplate, type PreviewDraft } from './api';
import type { Sample } from './sample';
import { SendBox } from './send-box';
import { SampleEditor, TemplatePreviewPane } from './template-preview';
import { CHANNEL_KINDS, type ChannelKind, type Template, type TemplateDraft } from './types';
import './messaging.css';

const KIND_OPTIONS = CHANNEL_KINDS.map((k) => ({ value: k, label: k }));
/** Kinds whose subject means something: an email's subject, a push notification's title. */
const HAS_SUBJECT: ReadonlySet<ChannelKind> = new Set(['email', 'push']);

const breadcrumb = <Link to="/templates">Templates</Link>;

function draftOf(t: Template | undefined): TemplateDraft {
  return { name: t?.name ?? '', channel_type: t?.channel_type ?? 'email', subject: t?.subject ?? '', body: t?.body ?? '' };
}

const sameDraft = (a: TemplateDraft, b: TemplateDraft) =>
  a.name === b.name && a.channel_type === b.channel_type && (a.subject ?? '') === (b.subject ?? '') && a.body === b.body;

/** The body sent to the API: no subject for kinds without one, trimmed name. */
function toRequest(d: TemplateDraft): TemplateDraft {
  return { name: d.name.trim(), channel_type: d.channel_type, body: d.body, ...(HAS_SUBJECT.has(d.channel_type) ? { subject: d.subject ?? '' } : {}) };
}

/** What the live preview renders: the parts as typed, a subject only for kinds that have one. */
function previewDraftOf(d: TemplateDraft): PreviewDraft {
  return { channel_type: d.channel_type, body: d.body, ...(HAS_SUBJECT.has(d.channel_type) && d.subject ? { subject: d.subject } : {}) };
}

/** Sample data or a contact, and the current draft rendered for it as the user types. */
function PreviewCard({ draft, sample, onSampleChange }: { draft: TemplateDraft; sample: Sample; onSampleChange: (s: Sample) => void }) {
  return (
    <Card title="Preview">
      <div className="stack">
        <SampleEditor sample={sample} onChange={onSampleChange} />
        <TemplatePreviewPane draft={previewDraftOf(draft)} sample={sample} />
      </div>
    </Card>
  );
}

/** The fields of a template; a 422 names the part and line (`body line 3: unexpected "endif"`). */
function TemplateFields({ draft, onChange, error, kindLocked }: {
  draft: TemplateDraft; onChange: (d: TemplateDraft) => void; error: unknown; kindLocked: boolean;
}) {
  const errorFor = (f: string) => (error instanceof ApiError ? error.detailFor(f) : undefined);
  const set = (patch: Partial<TemplateDraft>) => onChange({ ...draft, ...patch });
  return (
    <div className="stack">
      <div className="form-grid">
        <Field label="Name" error={errorFor('name')}>
          <Input value={draft.name} onChange={(e) => set({ name: e.target.value })} placeholder="Payment reminder" data-testid="template-name" />
        </Field>
        <Field label="Channel" error={errorFor('channel_type')} hint={kindLocked ? 'A saved template keeps its channel' : undefined}>
          <Select options={KIND_OPTIONS} value={draft.channel_type} disabled={kindLocked} onChange={(e) => set({ channel_type: e.target.value as ChannelKind })} data-testid="template-channel-type" />
        </Field>
      </div>
      {HAS_SUBJECT.has(draft.channel_type) && (
        <Field label={draft.channel_type === 'push' ? 'Title' : 'Subject'} error={errorFor('subject')}>
          <Input value={draft.subject ?? ''} onChange={(e) => set({ subject: e.target.value })} placeholder="Your payment of {{ data.amount | money }} is due" data-testid="template-subject" />
        </Field>
      )}
      <Field
        label="Body" error={errorFor('body')}
        hint={draft.channel_type === 'email' ? 'HTML, MJML (starting with <mjml>) or plain text; Liquid everywhere' : draft.channel_type === 'db_update' ? 'A Liquid template rendering to a JSON object of fields' : 'Liquid'}
      >
        <textarea className="input code-input code-input-tall" spellCheck={false} value={draft.body} onChange={(e) => set({ body: e.target.value })} data-testid="template-body" />
      </Field>
    </div>
  );
}

export function NewTemplatePage() {
  const [draft, setDraft] = useState<TemplateDraft>(() => draftOf(undefined));
  const [sample, setSample] = useState<Sample>({ mode: 'data', json: '{}' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const t = await createTemplate(toRequest(draft));
      navigate(`/templates/${encodeURIComponent(t.id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="New template" breadcrumb={breadcrumb} />
      <div className="editor-layout">
        <form onSubmit={submit} noValidate className="stack">
          <ErrorBanner error={error} testId="template-error" />
          <Card>
            <TemplateFields draft={draft} onChange={setDraft} error={error} kindLocked={false} />
          </Card>
          <div className="form-actions">
            <Button onClick={() => navigate('/templates')}>Cancel</Button>
            <Button type="submit" variant="primary" busy={busy} disabled={!draft.name.trim() || !draft.body.trim()} data-testid="template-save">Create template</Button>
          </div>
        </form>
        <div className="stack">
          <PreviewCard draft={draft} sample={sample} onSampleChange={setSample} />
        </div>
      </div>
    </>
  );
}

/** One saved template: edit it (the preview follows the edits), send the saved version. */
export function TemplatePage({ id }: { id: string }) {
  const loaded = useAsync((signal) => getTemplate(id, signal), [id]);
  if (!loaded.data) {
    return (
      <>
        <PageHeader title="Template" breadcrumb={breadcrumb} />
        {loaded.error ? <ErrorBanner error={loaded.error} /> : <Spinner />}
      </>
    );
  }
  return <TemplateEditor initial={loaded.data} />;
}

function TemplateEditor({ initial }: { initial: Template }) {
  const [saved, setSaved] = useState(initial);
  const [draft, setDraft] = useState<TemplateDraft>(() => draftOf(initial));
  const [sample, setSample] = useState<Sample>({ mode: 'data', json: '{}' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const dirty = !sameDraft(draft, draftOf(saved));

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setJustSaved(false);
    try {
      // The channel is fixed once saved: the patch leaves it out.
      const { name, subject, body } = toRequest(draft);
      const t = await updateTemplate(saved.id, { name, body, ...(subject === undefined ? {} : { subject }) });
      setSaved(t);
      setDraft(draftOf(t));
      setJustSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete the template "${saved.name}"? Flows and campaigns using it will fail to send.`)) return;
    try {
      await deleteTemplate(saved.id);
      navigate('/templates');
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <PageHeader
        title={saved.name} breadcrumb={breadcrumb} subtitle={<>{saved.channel_type} template · <code>{saved.id}</code></>}
        actions={<Button variant="danger" onClick={() => void remove()} data-testid="template-delete">Delete</Button>}
      />
      <div className="editor-layout">
        <form onSubmit={save} noValidate className="stack">
          <ErrorBanner error={error} testId="template-error" />
          <Card>
            <TemplateFields draft={draft} onChange={(d) => { setDraft(d); setJustSaved(false); }} error={error} kindLocked />
          </Card>
          <div className="form-actions">
            {justSaved && !dirty && <span className="muted" data-testid="template-saved">Saved</span>}
            <Button onClick={() => setDraft(draftOf(saved))} disabled={!dirty || busy}>Discard changes</Button>
            <Button type="submit" variant="primary" busy={busy} disabled={!dirty || !draft.name.trim()} data-testid="template-save">Save</Button>
          </div>
        </form>
        <div className="stack">
          <PreviewCard draft={draft} sample={sample} onSampleChange={setSample} />
          <Card title="Send">
            <div className="stack">
              {/* The preview follows the draft, but a send uses what is saved: say so while they differ. */}
              {dirty && <div className="muted" data-testid="send-uses-saved">Sends the saved template; save to send your changes.</div>}
              <SendBox template={saved} sample={sample} />
            </div>
          </Card>
        </div>
      </div>
    </>
  );
}
