import { useEffect, useState } from 'react';
import { ApiError } from '../ui/api';
import { Button, EmptyState, ErrorBanner, Select, Spinner } from '../ui/controls';
import { formatDateTime, formatNumber } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { navigate } from '../ui/router';
import { Table, type Column } from '../ui/table';
import { StatusBadge } from '../messaging/status';
import { getOtps, getOtpStats } from './api';
import { deliveryStatus, destinationOf, formatLatency, formatPercent, relativeTo } from './format';
import { OtpTabs } from './otp-tabs';
import { OtpStatusBadge } from './status';
import type { OtpChannelStats, OtpStats, OtpView } from './types';
import './otp.css';

const PAGE_SIZE = 50;
/** The recent list follows new OTPs and their deliveries while the tab is visible. */
const REFRESH_MS = 5000;

const RANGES = [
  { value: '1', label: 'Last 24 hours' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
];

export const otpPath = (id: string) => `/otp/${encodeURIComponent(id)}`;

/** One badge per channel tried, in the order tried: "sms delivered", "email bounced". */
export function DeliveryBadges({ otp }: { otp: OtpView }) {
  if (otp.deliveries.length === 0) return <span className="muted">none yet</span>;
  return (
    <span className="toolbar otp-deliveries">
      {otp.deliveries.map((d, i) => (
        <span key={d.message_id ?? i} data-testid="otp-delivery" data-channel={d.channel_type} data-status={deliveryStatus(d)} title={d.reason ?? undefined}>
          <span className="muted">{d.channel_type}</span> <StatusBadge status={deliveryStatus(d)} />
        </span>
      ))}
    </span>
  );
}

const otpColumns: Column<OtpView>[] = [
  { key: 'created', header: 'Created', cell: (o) => formatDateTime(o.created_at), className: 'nowrap' },
  { key: 'status', header: 'Status', cell: (o) => <span data-testid="otp-row-status"><OtpStatusBadge status={o.status} /></span> },
  { key: 'to', header: 'To', cell: (o) => <span data-testid="otp-row-to">{destinationOf(o)}</span> },
  { key: 'channel', header: 'Channel', cell: (o) => o.channel ?? <span className="muted">none</span> },
  { key: 'deliveries', header: 'Deliveries', cell: (o) => <DeliveryBadges otp={o} /> },
  { key: 'attempts', header: 'Attempts left', cell: (o) => `${o.attempts_left} / ${o.max_attempts}`, className: 'num' },
  {
    key: 'expires', header: 'Expires', className: 'nowrap',
    cell: (o) => <span title={formatDateTime(o.expires_at)}>{o.status === 'pending' ? relativeTo(o.expires_at) : formatDateTime(o.expires_at)}</span>,
  },
];

const statColumns: Column<OtpChannelStats>[] = [
  { key: 'channel', header: 'Channel', cell: (c) => <strong>{c.channel_type}</strong> },
  { key: 'sent', header: 'Sent', cell: (c) => formatNumber(c.sent), className: 'num' },
  { key: 'delivered', header: 'Delivered', cell: (c) => formatNumber(c.delivered), className: 'num' },
  { key: 'failed', header: 'Failed', cell: (c) => formatNumber(c.failed), className: 'num' },
  { key: 'verified', header: 'Verified', cell: (c) => <span data-testid="otp-stat-verified">{formatNumber(c.verified)}</span>, className: 'num' },
  { key: 'conversion', header: 'Conversion', cell: (c) => <span data-testid="otp-stat-conversion">{formatPercent(c.conversion)}</span>, className: 'num' },
  { key: 'p50', header: 'Latency p50', cell: (c) => formatLatency(c.latency_ms.p50), className: 'num' },
  { key: 'p90', header: 'p90', cell: (c) => formatLatency(c.latency_ms.p90), className: 'num' },
  { key: 'p99', header: 'p99', cell: (c) => formatLatency(c.latency_ms.p99), className: 'num' },
];

function Tile({ label, value, tone, testId }: { label: string; value: number; tone?: 'success' | 'danger'; testId: string }) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`}>
      <span className="stat-value" data-testid={testId}>{formatNumber(value)}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}

function StatsView({ stats }: { stats: OtpStats }) {
  const t = stats.totals;
  return (
    <div className="stack">
      <div className="stats otp-stats" data-testid="otp-totals">
        <Tile label="Created" value={t.created} testId="otp-total-created" />
        {t.pending !== undefined && <Tile label="Pending" value={t.pending} testId="otp-total-pending" />}
        <Tile label="Verified" value={t.verified} tone="success" testId="otp-total-verified" />
        <Tile label="Expired" value={t.expired} testId="otp-total-expired" />
        <Tile label="Too many attempts" value={t.too_many_attempts} tone={t.too_many_attempts ? 'danger' : undefined} testId="otp-total-too-many" />
        <Tile label="Undeliverable" value={t.undeliverable} tone={t.undeliverable ? 'danger' : undefined} testId="otp-total-undeliverable" />
      </div>
      <Table
        columns={statColumns} rows={stats.channels} rowKey={(c) => c.channel_type} rowTestId="otp-stats-row"
        empty={<EmptyState title="No OTP was sent in this period" />}
      />
      <p className="muted">Conversion is verified / sent per channel; latency runs from the message being queued to the provider's delivery receipt.</p>
    </div>
  );
}

function StatsCard() {
  const [days, setDays] = useState('7');
  const stats = useAsync((signal) => {
    const from = new Date(Date.now() - Number(days) * 86_400_000).toISOString();
    return getOtpStats({ from }, signal);
  }, [days]);
  return (
    <Card
      title="Delivery and conversion"
      actions={<Select options={RANGES} value={days} onChange={(e) => setDays(e.target.value)} aria-label="Period" className="otp-range" data-testid="otp-stats-range" />}
    >
      <ErrorBanner error={stats.error} testId="otp-stats-error" />
      {stats.data ? (
        <div className={stats.loading ? 'is-refreshing' : undefined}><StatsView stats={stats.data} /></div>
      ) : !stats.error && <Spinner />}
    </Card>
  );
}

function RecentCard() {
  // Each page is asked for with the previous page's oldest `created_at` (keyset paging).
  const [befores, setBefores] = useState<(string | null)[]>([null]);
  const before = befores[befores.length - 1] ?? null;
  const page = useAsync((signal) => getOtps({ limit: PAGE_SIZE, ...(before ? { before } : {}) }, signal), [before]);
  const { reload } = page;
  const forbidden = page.error instanceof ApiError && page.error.status === 403;

  useEffect(() => {
    // Only the first page moves; an older page stays as it was read.
    if (before || forbidden) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [before, forbidden, reload]);

  const rows = page.data ?? [];
  const last = rows[rows.length - 1];
  return (
    <Card title="Recent OTPs" className="card-flush" actions={<Button onClick={reload} busy={page.loading && !!page.data} data-testid="otp-refresh">Refresh</Button>}>
      <ErrorBanner error={page.error} />
      {page.loading && !page.data ? (
        <Spinner />
      ) : (
        <Table
          columns={otpColumns} rows={rows} rowKey={(o) => o.id} rowTestId="otp-row"
          onRowClick={(o) => navigate(otpPath(o.id))}
          empty={<EmptyState title="No OTP yet">Create one with <code>POST /v1/otp</code>; it shows up here with its deliveries.</EmptyState>}
        />
      )}
      <div className="pager">
        <span className="muted">Destinations are masked; codes are never shown.</span>
        <span className="toolbar-spacer" />
        <span className="muted">Page {befores.length}</span>
        <Button onClick={() => setBefores((b) => b.slice(0, -1))} disabled={befores.length <= 1 || page.loading} data-testid="otp-prev">‹ Newer</Button>
        <Button
          onClick={() => last && setBefores((b) => [...b, last.created_at])}
          disabled={rows.length < PAGE_SIZE || !last || page.loading} data-testid="otp-next"
        >
          Older ›
        </Button>
      </div>
    </Card>
  );
}

/** `/otp`: how OTPs fare per channel, and the latest ones with their deliveries. */
export function OtpPage() {
  return (
    <>
      <PageHeader
        title="OTP"
        subtitle="One-time passwords: delivery per channel, how many are verified, and how fast they arrive."
      />
      <OtpTabs active="overview" />
      <div className="stack">
        <StatsCard />
        <RecentCard />
      </div>
    </>
  );
}
