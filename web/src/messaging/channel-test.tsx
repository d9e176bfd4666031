import { useState, type FormEvent } from 'react';
import { Button, ErrorBanner, Field, Input } from '../ui/controls';
import { Link } from '../ui/router';
import { testChannel } from './api';
import { StatusBadge } from './status';
import type { Channel, SendAnswer } from './types';

/** Sends a test message through one channel and links to it in the message log. */
export function ChannelTestBox({ channel }: { channel: Channel }) {
  const isPhone = channel.channel_type === 'sms' || channel.channel_type === 'voice';
  const [to, setTo] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [answer, setAnswer] = useState<SendAnswer>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAnswer(undefined);
    try {
      setAnswer(await testChannel(channel.id, { to: to.trim(), ...(text.trim() ? { text: text.trim() } : {}) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="stack" data-testid="channel-test">
      <div className="form-grid">
        <Field label="To" hint={isPhone ? 'A phone number, E.164 or national' : channel.channel_type === 'email' ? 'An email address' : 'The address this channel sends to'}>
          <Input value={to} onChange={(e) => setTo(e.target.value)} placeholder={isPhone ? '+573001234567' : 'you@bank.example'} data-testid="channel-test-to" />
        </Field>
        <Field label="Text" hint="Optional; a standard test text otherwise">
          <Input value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} data-testid="channel-test-text" />
        </Field>
      </div>
      <ErrorBanner error={error} />
      {answer && (
        <div className="banner banner-success" data-testid="channel-test-result">
          Test message <Link to={`/messages/${encodeURIComponent(answer.id)}`}>{answer.id}</Link> <StatusBadge status={answer.status} />
          {answer.reason && <span className="muted"> {answer.reason}</span>}
        </div>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy} disabled={!to.trim()} data-testid="channel-test-send">Send test</Button>
      </div>
    </form>
  );
}
