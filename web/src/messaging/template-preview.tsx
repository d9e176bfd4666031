import { ErrorBanner, Field, Input, Spinner } from '../ui/controls';
import { formatNumber } from '../ui/format';
import { useAsync, useDebounced } from '../ui/hooks';
import { previewDraft, type PreviewDraft } from './api';
import { sampleInput, type Sample } from './sample';
import type { ChannelKind, SmsInfo, TemplatePreview } from './types';

/** Picks what the preview renders for: sample data as JSON, or a contact. */
export function SampleEditor({ sample, onChange }: { sample: Sample; onChange: (s: Sample) => void }) {
  return (
    <div className="stack">
      <div className="segmented" role="group" aria-label="Preview for">
        <button type="button" className={sample.mode === 'data' ? 'active' : ''} onClick={() => onChange({ mode: 'data', json: '{}' })} data-testid="sample-mode-data">Sample data</button>
        <button type="button" className={sample.mode === 'contact' ? 'active' : ''} onClick={() => onChange({ mode: 'contact', contactId: '' })} data-testid="sample-mode-contact">A contact</button>
      </div>
      {sample.mode === 'data' ? (
        <Field label="data (JSON)" hint='What the template reads as data.<key>, e.g. {"amount": 125000}'>
          <textarea className="input code-input" spellCheck={false} value={sample.json} onChange={(e) => onChange({ mode: 'data', json: e.target.value })} data-testid="sample-data" />
        </Field>
      ) : (
        <Field label="Contact id" hint="The template reads the contact's fields as contact.<field>, in their language and time zone">
          <Input value={sample.contactId} onChange={(e) => onChange({ mode: 'contact', contactId: e.target.value })} placeholder="con_…" data-testid="sample-contact" />
        </Field>
      )}
    </div>
  );
}

function SmsMeter({ sms }: { sms: SmsInfo }) {
  return (
    <div className="sms-meter" data-testid="sms-meter">
      <div><strong data-testid="sms-encoding">{sms.encoding}</strong><span>Encoding</span></div>
      <div><strong data-testid="sms-segments">{formatNumber(sms.segments)}</strong><span>Segments</span></div>
      <div>
        <strong data-testid="sms-characters">{formatNumber(sms.characters)}</strong>
        <span>Characters{sms.per_segment ? ` (${sms.per_segment}/segment)` : ''}</span>
      </div>
      {sms.cost !== undefined && <div><strong data-testid="sms-cost">{formatNumber(sms.cost)}</strong><span>Cost</span></div>}
    </div>
  );
}

function RenderedParts({ kind, preview }: { kind: ChannelKind; preview: TemplatePreview }) {
  if (kind === 'email') {
    return (
      <div className="stack">
        {preview.subject && <div className="preview-subject" data-testid="preview-subject">{preview.subject}</div>}
        {preview.html ? (
          // sandbox="" with no permissions: the email's scripts, forms and links cannot act on the console.
          <iframe title="Email preview" className="preview-frame" sandbox="" srcDoc={preview.html} data-testid="preview-html" />
        ) : (
          <div className="preview-text" data-testid="preview-text">{preview.text}</div>
        )}
        {preview.html && (
          <details>
            <summary className="muted">Plain-text part</summary>
            <pre className="code-block" data-testid="preview-text">{preview.text}</pre>
          </details>
        )}
      </div>
    );
  }
  if (kind === 'sms') {
    return (
      <div>
        <div className="sms-bubble" data-testid="preview-text">{preview.text}</div>
        {preview.sms && <SmsMeter sms={preview.sms} />}
      </div>
    );
  }
  return (
    <div className="stack">
      {preview.subject && <div className="preview-subject" data-testid="preview-subject">{preview.subject}</div>}
      <pre className="code-block" data-testid="preview-text">{preview.text}</pre>
    </div>
  );
}

/**
 * The draft as it stands, rendered for the sample: asked again 300 ms after the draft or the
 * sample stops changing, so it follows typing; saved or not makes no difference. A newer answer
 * supersedes an older one (useAsync aborts it). A Liquid error shows with its part and line
 * (`body line 3: unexpected "endif"`) until the draft renders again.
 */
export function TemplatePreviewPane({ draft, sample }: { draft: PreviewDraft; sample: Sample }) {
  // Debounced as a string: a fresh object each render would restart the timer forever.
  const settledKey = useDebounced(JSON.stringify({ draft, sample }), 300);
  const settled = JSON.parse(settledKey) as { draft: PreviewDraft; sample: Sample };
  const input = sampleInput(settled.sample);
  const hasBody = settled.draft.body.trim() !== '';
  const preview = useAsync(
    async (signal) => {
      if (!input.ok || !hasBody) return undefined;
      // The kind travels with its answer: while a new kind renders, the old answer is drawn as its own kind.
      return { kind: settled.draft.channel_type, parts: await previewDraft(settled.draft, input.body, signal) };
    },
    [settledKey],
  );

  return (
    <div className="stack" data-testid="template-preview" aria-live="polite">
      {!input.ok && <div className="banner banner-warning">{input.error}</div>}
      {!hasBody && <div className="muted" data-testid="preview-empty">The preview appears once the body has some text.</div>}
      <ErrorBanner error={preview.error} testId="preview-error" />
      {preview.loading && !preview.data && input.ok && hasBody && <Spinner label="Rendering…" />}
      {preview.data && !preview.error && hasBody && (
        <div className={preview.loading ? 'is-refreshing' : undefined}>
          <RenderedParts kind={preview.data.kind} preview={preview.data.parts} />
        </div>
      )}
    </div>
  );
}
