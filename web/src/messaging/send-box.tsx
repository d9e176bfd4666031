import { useRef, useState, type FormEvent } from 'react';
import { Button, ErrorBanner, Field, Input, Select } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { Link } from '../ui/router';
import { getChannels, sendMessage } from './api';
import { sampleInput, type Sample } from './sample';
import { StatusBadge } from './status';
import { CATEGORIES, type Category, type SendAnswer, type Template } from './types';

const CATEGORY_OPTIONS = CATEGORIES.map((c) => ({ value: c, label: c }));

/**
 * Sends the saved template to an address or a contact, with the editor's sample data as `data`
 * (a contact sample is not data: the contact is the recipient's choice here).
 */
export function SendBox({ template, sample }: { template: Template; sample: Sample }) {
  const [mode, setMode] = useState<'to' | 'contact'>('to');
  const [to, setTo] = useState('');
  const [contactId, setContactId] = useState('');
  const [category, setCategory] = useState<Category>('transactional');
  const [channelId, setChannelId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<SendAnswer>();
  // One key per intended send: a retry after a network error reuses it, so the message goes once.
  const idempotencyKey = useRef(crypto.randomUUID());

  const channels = useAsync((signal) => getChannels(signal), []);
  const channelOptions = (channels.data ?? [])
    .filter((c) => c.channel_type === template.channel_type)
    .map((c) => ({ value: c.id, label: `${c.name} (${c.type})` }));

  const recipient = mode === 'to' ? to.trim() : contactId.trim();
  const isPhone = template.channel_type === 'sms' || template.channel_type === 'voice';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const data = sample.mode === 'data' ? sampleInput(sample) : undefined;
    if (data && !data.ok) return setError(new Error(data.error));
    setBusy(true);
    setError(undefined);
    setSent(undefined);
    try {
      const answer = await sendMessage({
        template_id: template.id,
        ...(mode === 'to' ? { to: recipient } : { contact_id: recipient }),
        ...(channelId ? { channel_id: channelId } : { channel_type: template.channel_type }),
        category,
        ...(data?.ok && data.body.data && Object.keys(data.body.data).length > 0 ? { data: data.body.data } : {}),
      }, { idempotencyKey: idempotencyKey.current });
      setSent(answer);
      idempotencyKey.current = crypto.randomUUID();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="stack" data-testid="send-box">
      <div className="segmented" role="group" aria-label="Send to">
        <button type="button" className={mode === 'to' ? 'active' : ''} onClick={() => setMode('to')} data-testid="send-mode-to">An address</button>
        <button type="button" className={mode === 'contact' ? 'active' : ''} onClick={() => setMode('contact')} data-testid="send-mode-contact">A contact</button>
      </div>
      <div className="form-grid">
        {mode === 'to' ? (
          <Field label="To">
            <Input value={to} onChange={(e) => setTo(e.target.value)} placeholder={isPhone ? '+573001234567' : 'ana@example.com'} data-testid="send-to" />
          </Field>
        ) : (
          <Field label="Contact id" hint="The message goes to the contact's email or phone">
            <Input value={contactId} onChange={(e) => setContactId(e.target.value)} placeholder="con_…" data-testid="send-contact" />
          </Field>
        )}
        <Field label="Category" hint="Marketing needs consent and respects quiet hours and caps">
          <Select options={CATEGORY_OPTIONS} value={category} onChange={(e) => setCategory(e.target.value as Category)} data-testid="send-category" />
        </Field>
        <Field label="Channel">
          <Select options={channelOptions} placeholder={`Default ${template.channel_type} channel`} value={channelId} onChange={(e) => setChannelId(e.target.value)} data-testid="send-channel" />
        </Field>
      </div>
      {sample.mode === 'data' && <p className="muted">The sample data goes with the message as data.</p>}
      <ErrorBanner error={error} testId="send-error" />
      {sent && (
        <div className="banner banner-success" data-testid="send-result">
          Message <Link to={`/messages/${encodeURIComponent(sent.id)}`} data-testid="send-result-link">{sent.id}</Link> <StatusBadge status={sent.status} />
          {sent.reason && <span> — {sent.reason}</span>}
          {sent.due_at && <span> — goes at {formatDateTime(sent.due_at)}</span>}
        </div>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy} disabled={!recipient} data-testid="send-submit">Send</Button>
      </div>
    </form>
  );
}
