import { useEffect, useState } from 'react';
import { ApiError } from '../ui/api';
import { Button, EmptyState, ErrorBanner, Field, Input, Select, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync, useDebounced } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Link } from '../ui/router';
import { Table, type Column } from '../ui/table';
import { getSandboxMessages } from './api';
import type { SandboxMessage } from './types';
import './messaging.css';

const REFRESH_MS = 2000;
const KIND_OPTIONS = [{ value: 'email', label: 'email' }, { value: 'sms', label: 'sms' }];

function SandboxDetail({ m, onClose }: { m: SandboxMessage; onClose: () => void }) {
  const [view, setView] = useState<'text' | 'raw'>('text');
  return (
    <Card
      title={<>{m.subject || `${m.channel_type} to ${m.to}`}</>}
      actions={<Button variant="ghost" onClick={onClose} aria-label="Close">✕</Button>}
    >
      <div className="stack" data-testid="sandbox-detail">
        <dl className="kv">
          <dt>To</dt><dd>{m.to}</dd>
          <dt>Received</dt><dd>{formatDateTime(m.received_at)}</dd>
          {m.message_id && <><dt>Message</dt><dd><Link to={`/messages/${encodeURIComponent(m.message_id)}`} data-testid="sandbox-message-link">{m.message_id}</Link></dd></>}
        </dl>
        <div className="segmented" role="group" aria-label="Show">
          <button type="button" className={view === 'text' ? 'active' : ''} onClick={() => setView('text')} data-testid="sandbox-view-text">Text</button>
          <button type="button" className={view === 'raw' ? 'active' : ''} onClick={() => setView('raw')} disabled={!m.raw} data-testid="sandbox-view-raw">
            {m.channel_type === 'email' ? 'Raw MIME' : 'Raw PDU'}
          </button>
        </div>
        <pre className="code-block" data-testid="sandbox-content">{view === 'raw' ? m.raw : m.text}</pre>
      </div>
    </Card>
  );
}

/**
 * What the sandbox's SMTP server and SMSC received: the demo and the tests travel the real path
 * and end here instead of at a person. Refreshes every 2 s while the tab is visible.
 */
export function SandboxPage() {
  const [filter, setFilter] = useState({ to: '', channel_type: '' });
  const [openId, setOpenId] = useState<string>();
  const settled = useDebounced(filter, 300);
  const query = {
    ...(settled.to.trim() ? { to: settled.to.trim() } : {}),
    ...(settled.channel_type ? { channel_type: settled.channel_type } : {}),
  };
  const queryKey = JSON.stringify(query);
  const received = useAsync((signal) => getSandboxMessages(query, signal), [queryKey]);
  const { reload } = received;
  // 404: the sandbox does not run in this process; asking again every 2 s would not change that.
  const off = received.error instanceof ApiError && received.error.status === 404;

  useEffect(() => {
    if (off) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload, off]);

  const rows = received.data ?? [];
  const open = rows.find((m) => m.id === openId);

  const columns: Column<SandboxMessage>[] = [
    { key: 'received', header: 'Received', cell: (m) => formatDateTime(m.received_at), className: 'nowrap' },
    { key: 'channel', header: 'Channel', cell: (m) => m.channel_type },
    { key: 'to', header: 'To', cell: (m) => <span data-testid="sandbox-row-to">{m.to}</span> },
    { key: 'subject', header: 'Subject / text', cell: (m) => <span className="muted">{m.subject || m.text.slice(0, 80)}</span> },
  ];

  return (
    <>
      <PageHeader title="Sandbox outbox" subtitle="Messages the local sandbox sinks (SMTP server, SMPP SMSC) received. Nothing here reached a real person." />
      {off ? (
        <EmptyState title="The sandbox is off">
          Start Conversa with CONVERSA_SANDBOX=1 (the default when no channel is configured) to send into local sinks.
        </EmptyState>
      ) : (
        <div className="stack">
          <Card>
            <div className="form-grid">
              <Field label="To">
                <Input value={filter.to} onChange={(e) => setFilter((f) => ({ ...f, to: e.target.value }))} placeholder="ana@example.com or +573001234567" data-testid="sandbox-filter-to" />
              </Field>
              <Field label="Channel">
                <Select options={KIND_OPTIONS} placeholder="Any" value={filter.channel_type} onChange={(e) => setFilter((f) => ({ ...f, channel_type: e.target.value }))} data-testid="sandbox-filter-channel" />
              </Field>
            </div>
          </Card>
          <ErrorBanner error={received.error} />
          {open && <SandboxDetail m={open} onClose={() => setOpenId(undefined)} />}
          <Card className="card-flush">
            {received.loading && !received.data ? (
              <Spinner />
            ) : (
              <Table
                columns={columns} rows={rows} rowKey={(m) => m.id} rowTestId="sandbox-row"
                onRowClick={(m) => setOpenId(m.id)}
                empty={<EmptyState title="Nothing received yet">Send a message or a channel test; it shows up here within seconds.</EmptyState>}
              />
            )}
          </Card>
        </div>
      )}
    </>
  );
}
