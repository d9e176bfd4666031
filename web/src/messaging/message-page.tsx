import { ErrorBanner, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync, usePollWhile } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Link } from '../ui/router';
import { getMessage } from './api';
import { JsonBlock, StatusBadge } from './status';
import type { MessageDetail, MessageEvent } from './types';
import './messaging.css';

/** Statuses that may still move (a receipt, a bounce, an open): the page keeps asking while it shows one. */
const MOVING = new Set(['queued', 'deferred', 'sent', 'delivered']);
const POLL_MS = 2000;
/** Polling stops after this long on the page: an email that stays `sent` should not poll forever. */
const POLL_FOR_MS = 5 * 60_000;

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'object' && Object.keys(v).length === 0);

function Timeline({ events }: { events: MessageEvent[] }) {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline" data-testid="message-timeline">
      {events.map((e, i) => (
        <li key={i} data-testid="timeline-event" data-type={e.type}>
          <div className="timeline-head">
            <span data-testid="timeline-event-type"><StatusBadge status={e.type} /></span>
            <span className="muted">{formatDateTime(e.at)}</span>
          </div>
          {!isEmpty(e.detail) && <JsonBlock value={e.detail} />}
        </li>
      ))}
    </ol>
  );
}

/** The policy gate's decision in words; the raw JSON stays beside it for the audit. */
function policyWords(policy: unknown): string {
  if (typeof policy !== 'object' || policy === null) return 'No decision recorded';
  const p = policy as { decision?: string; reason?: string; list?: string | null; due_at?: string; detail?: string };
  switch (p.decision) {
    case 'send':
      return 'Allowed: sent right away';
    case 'defer':
      return `Held (${p.reason ?? 'closed window'}) until ${p.due_at ? formatDateTime(p.due_at) : 'the window opens'}`;
    case 'suppress':
      return `Suppressed: ${p.reason ?? 'policy'}${p.list ? ` (list ${p.list})` : ''}${p.detail ? ` — ${p.detail}` : ''}`;
    default:
      return p.decision ?? 'Unknown decision';
  }
}

function Content({ m }: { m: MessageDetail }) {
  const c = m.content as { subject?: string; text?: string; html?: string };
  return (
    <div className="stack">
      {c.subject && <div className="preview-subject">{c.subject}</div>}
      {c.html ? (
        <iframe title="Message content" className="preview-frame" sandbox="" srcDoc={c.html} />
      ) : c.text !== undefined ? (
        <div className={m.channel_type === 'sms' ? 'sms-bubble' : 'preview-text'}>{c.text}</div>
      ) : (
        <JsonBlock value={m.content} />
      )}
    </div>
  );
}

/** One message: what was sent, the policy decision, and its events in order (`/messages/:id`). */
export function MessagePage({ id }: { id: string }) {
  const msg = useAsync((signal) => getMessage(id, signal), [id]);
  const { reload } = msg;
  const moving = msg.data ? MOVING.has(msg.data.status) : false;

  usePollWhile(moving, reload, POLL_MS, POLL_FOR_MS);

  const breadcrumb = <Link to="/messages">Messages</Link>;
  if (!msg.data) {
    return (
      <>
        <PageHeader title="Message" breadcrumb={breadcrumb} />
        {msg.error ? <ErrorBanner error={msg.error} /> : <Spinner />}
      </>
    );
  }
  const m = msg.data;
  const events = [...m.events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return (
    <>
      <PageHeader title={<>{m.subject || `${m.channel_type} to ${m.to}`} <span data-testid="message-detail-status"><StatusBadge status={m.status} /></span></>} breadcrumb={breadcrumb} subtitle={<code>{m.id}</code>} />
      <ErrorBanner error={msg.error} />
      <div className="editor-layout">
        <div className="stack">
          <Card title="Message">
            <dl className="kv">
              <dt>To</dt><dd>{m.to}</dd>
              <dt>Contact</dt><dd>{m.contact_id ?? <span className="muted">none (an address)</span>}</dd>
              <dt>Channel</dt><dd>{m.channel_type}{m.channel_id ? <> · <code>{m.channel_id}</code></> : null}</dd>
              <dt>Category</dt><dd>{m.category}</dd>
              {m.template_id && <><dt>Template</dt><dd><Link to={`/templates/${encodeURIComponent(m.template_id)}`}>{m.template_id}</Link></dd></>}
              {m.segments !== null && m.segments !== undefined && <><dt>Segments</dt><dd>{m.segments}</dd></>}
              {m.cost !== null && <><dt>Cost</dt><dd>{m.cost}</dd></>}
              <dt>Created</dt><dd>{formatDateTime(m.created_at)}</dd>
              <dt>Sent</dt><dd>{formatDateTime(m.sent_at) || <span className="muted">not yet</span>}</dd>
              {m.error && <><dt>Error</dt><dd className="field-error">{m.error}</dd></>}
            </dl>
          </Card>
          <Card title="Policy decision">
            <p data-testid="message-policy">{policyWords(m.policy)}</p>
            {!isEmpty(m.policy) && <JsonBlock value={m.policy} />}
          </Card>
          <Card title="Content">
            <Content m={m} />
          </Card>
        </div>
        <Card title="Timeline">
          <Timeline events={events} />
        </Card>
      </div>
    </>
  );
}
