import { EmptyState, ErrorBanner, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync, usePollWhile } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Link } from '../ui/router';
import { Table, type Column } from '../ui/table';
import { StatusBadge } from '../messaging/status';
import { getOtp } from './api';
import { contextText, deliveryStatus, destinationOf, formatLatency, formatTime, relativeTo } from './format';
import { OtpStatusBadge } from './status';
import type { OtpDelivery } from './types';
import './otp.css';

const POLL_MS = 2000;
/** A pending OTP lives at most its TTL; polling stops well before a forgotten tab polls for a day. */
const POLL_FOR_MS = 10 * 60_000;

/** Queued → delivery receipt, as the stats count it (sent → receipt when the queue time is absent). */
function latencyOf(d: OtpDelivery): number | null {
  const from = d.queued_at ?? d.sent_at;
  return from && d.delivered_at ? Date.parse(d.delivered_at) - Date.parse(from) : null;
}

const deliveryColumns: Column<OtpDelivery>[] = [
  { key: 'channel', header: 'Channel', cell: (d) => <strong>{d.channel_type}</strong> },
  { key: 'status', header: 'Status', cell: (d) => <span data-testid="otp-delivery-status"><StatusBadge status={deliveryStatus(d)} /></span> },
  {
    key: 'message', header: 'Message',
    cell: (d) => (d.message_id ? <Link to={`/messages/${encodeURIComponent(d.message_id)}`} data-testid="otp-delivery-message">{d.message_id}</Link> : <span className="muted">none</span>),
  },
  { key: 'queued', header: 'Queued', cell: (d) => <span title={formatDateTime(d.queued_at)}>{formatTime(d.queued_at)}</span>, className: 'nowrap' },
  {
    key: 'sent', header: 'Sent', className: 'nowrap',
    cell: (d) => (d.sent_at ? <span title={formatDateTime(d.sent_at)}>{formatTime(d.sent_at)}</span> : <span className="muted">{d.outcome === 'skipped' ? '' : 'not yet'}</span>),
  },
  {
    key: 'delivered', header: 'Delivered', className: 'nowrap',
    cell: (d) => (d.delivered_at ? <span title={formatDateTime(d.delivered_at)}>{formatTime(d.delivered_at)}</span> : <span className="muted">{d.outcome === 'skipped' ? '' : 'no receipt'}</span>),
  },
  { key: 'latency', header: 'Queued → delivered', cell: (d) => formatLatency(latencyOf(d)), className: 'num' },
  { key: 'reason', header: 'Reason', cell: (d) => (d.reason ? <span className="field-error">{d.reason}</span> : '') },
];

/** `/otp/:id`: one OTP and the message each channel carried it in (never the code). */
export function OtpDetailPage({ id }: { id: string }) {
  const otp = useAsync((signal) => getOtp(id, signal), [id]);
  const { reload } = otp;
  const pending = otp.data?.status === 'pending';

  usePollWhile(pending, reload, POLL_MS, POLL_FOR_MS);

  const breadcrumb = <Link to="/otp">OTP</Link>;
  if (!otp.data) {
    return (
      <>
        <PageHeader title="OTP" breadcrumb={breadcrumb} />
        {otp.error ? <ErrorBanner error={otp.error} /> : <Spinner />}
      </>
    );
  }
  const o = otp.data;
  return (
    <>
      <PageHeader
        title={<>OTP to {destinationOf(o)} <span data-testid="otp-detail-status"><OtpStatusBadge status={o.status} /></span></>}
        breadcrumb={breadcrumb} subtitle={<code>{o.id}</code>}
      />
      <ErrorBanner error={otp.error} />
      <div className="stack">
        <Card title="OTP">
          <dl className="kv" data-testid="otp-detail">
            <dt>To</dt><dd data-testid="otp-detail-to">{destinationOf(o)}</dd>
            <dt>Contact</dt><dd>{o.contact_id ?? <span className="muted">none (an address)</span>}</dd>
            <dt>Channel</dt><dd>{o.channel ?? <span className="muted">none went out</span>}</dd>
            {o.channels && o.channels.length > 0 && <><dt>Fallback order</dt><dd>{o.channels.join(' → ')}</dd></>}
            {o.context && Object.keys(o.context).length > 0 && <><dt>Bound to</dt><dd>{contextText(o.context)}</dd></>}
            <dt>Attempts left</dt><dd data-testid="otp-detail-attempts">{o.attempts_left} of {o.max_attempts}</dd>
            <dt>Created</dt><dd>{formatDateTime(o.created_at)}</dd>
            <dt>Expires</dt><dd>{formatDateTime(o.expires_at)}{o.status === 'pending' && <span className="muted"> ({relativeTo(o.expires_at)})</span>}</dd>
            <dt>Verified</dt><dd>{o.verified_at ? <>{formatDateTime(o.verified_at)}{o.verified_channel && <span className="muted"> (code sent by {o.verified_channel})</span>}</> : <span className="muted">no</span>}</dd>
          </dl>
        </Card>
        <Card title="Deliveries" className="card-flush">
          <Table
            // The reason column only when a channel was skipped or failed with one.
            columns={o.deliveries.some((d) => d.reason) ? deliveryColumns : deliveryColumns.filter((c) => c.key !== 'reason')} rows={o.deliveries.map((d, seq) => ({ ...d, seq }))} rowKey={(d) => String(d.seq)} rowTestId="otp-delivery-row"
            empty={<EmptyState title="No message yet">The first channel's message is created with the OTP; a fallback adds one per channel.</EmptyState>}
          />
        </Card>
      </div>
    </>
  );
}
