import { useState } from 'react';
import { Button, EmptyState, ErrorBanner, Field, Input, Select, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync, useDebounced } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { navigate } from '../ui/router';
import { Table, type Column } from '../ui/table';
import { getMessages } from './api';
import { StatusBadge } from './status';
import { CHANNEL_KINDS, MESSAGE_STATUSES, type MessageFilters, type MessageSummary } from './types';
import './messaging.css';

const PAGE_SIZE = 50;
const STATUS_OPTIONS = MESSAGE_STATUSES.map((s) => ({ value: s, label: s }));
const KIND_OPTIONS = CHANNEL_KINDS.map((k) => ({ value: k, label: k }));

interface FilterForm {
  status: string;
  channel_type: string;
  contact_id: string;
  /** `yyyy-mm-dd` from the date inputs, read as local days. */
  from: string;
  to: string;
}

const EMPTY: FilterForm = { status: '', channel_type: '', contact_id: '', from: '', to: '' };

/** The API's filters: whole local days, `to` inclusive (up to the start of the next day). */
export function toMessageFilters(f: FilterForm): MessageFilters {
  const day = (s: string, plusDays = 0) => {
    const [y, m, d] = s.split('-').map(Number);
    return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plusDays).toISOString();
  };
  return {
    ...(f.status ? { status: f.status } : {}),
    ...(f.channel_type ? { channel_type: f.channel_type } : {}),
    ...(f.contact_id.trim() ? { contact_id: f.contact_id.trim() } : {}),
    ...(f.from ? { from: day(f.from) } : {}),
    ...(f.to ? { to: day(f.to, 1) } : {}),
  };
}

const messagePath = (m: MessageSummary) => `/messages/${encodeURIComponent(m.id)}`;

const columns: Column<MessageSummary>[] = [
  { key: 'created', header: 'Created', cell: (m) => formatDateTime(m.created_at), className: 'nowrap' },
  { key: 'status', header: 'Status', cell: (m) => <span data-testid="message-status"><StatusBadge status={m.status} /></span> },
  { key: 'channel', header: 'Channel', cell: (m) => m.channel_type },
  { key: 'to', header: 'To', cell: (m) => <span data-testid="message-to">{m.to}</span> },
  { key: 'subject', header: 'Subject', cell: (m) => <span className="muted">{m.subject ?? ''}</span> },
  { key: 'category', header: 'Category', cell: (m) => m.category },
  { key: 'segments', header: 'Segments', cell: (m) => m.segments ?? '', className: 'num' },
  { key: 'cost', header: 'Cost', cell: (m) => m.cost ?? '', className: 'num' },
  { key: 'sent', header: 'Sent', cell: (m) => formatDateTime(m.sent_at), className: 'nowrap' },
];

/** The message log: filter by status, channel, contact and days; keyset paging by the server's cursor. */
export function MessagesPage() {
  const [form, setForm] = useState<FilterForm>(EMPTY);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // Typing a contact id should not query per keystroke.
  const filters = toMessageFilters(useDebounced(form, 300));
  const filterKey = JSON.stringify(filters);
  const cursor = cursors[cursors.length - 1] ?? null;

  // New filters start again at the first page.
  const [lastKey, setLastKey] = useState(filterKey);
  if (filterKey !== lastKey) {
    setLastKey(filterKey);
    if (cursors.length > 1) setCursors([null]);
  }

  const page = useAsync(
    (signal) => getMessages({ ...filters, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, signal),
    [filterKey, cursor],
  );
  const set = (patch: Partial<FilterForm>) => setForm((f) => ({ ...f, ...patch }));
  const nextCursor = page.data?.next_cursor ?? null;
  const filtered = filterKey !== '{}';

  return (
    <>
      <PageHeader title="Messages" subtitle="Every message with its delivery events: the audit trail of what was sent, when, and what became of it." />
      <div className="stack">
        <Card>
          <div className="form-grid">
            <Field label="Status">
              <Select options={STATUS_OPTIONS} placeholder="Any status" value={form.status} onChange={(e) => set({ status: e.target.value })} data-testid="filter-status" />
            </Field>
            <Field label="Channel">
              <Select options={KIND_OPTIONS} placeholder="Any channel" value={form.channel_type} onChange={(e) => set({ channel_type: e.target.value })} data-testid="filter-channel-type" />
            </Field>
            <Field label="Contact id">
              <Input value={form.contact_id} onChange={(e) => set({ contact_id: e.target.value })} placeholder="con_…" data-testid="filter-contact" />
            </Field>
            <Field label="From day">
              <Input type="date" value={form.from} onChange={(e) => set({ from: e.target.value })} data-testid="filter-from" />
            </Field>
            <Field label="To day">
              <Input type="date" value={form.to} onChange={(e) => set({ to: e.target.value })} data-testid="filter-to" />
            </Field>
          </div>
          <div className="toolbar">
            {filtered && <Button variant="ghost" onClick={() => setForm(EMPTY)}>Clear filters</Button>}
            <span className="toolbar-spacer" />
            <Button onClick={page.reload} busy={page.loading && !!page.data} data-testid="messages-refresh">Refresh</Button>
          </div>
        </Card>
        <ErrorBanner error={page.error} />
        <Card className="card-flush">
          {page.loading && !page.data ? (
            <Spinner />
          ) : (
            <div className={page.loading ? 'is-refreshing' : undefined}>
              <Table
                columns={columns} rows={page.data?.messages ?? []} rowKey={(m) => m.id} rowTestId="message-row"
                onRowClick={(m) => navigate(messagePath(m))}
                empty={<EmptyState title={filtered ? 'No message matches these filters' : 'No messages yet'}>{!filtered && 'Send one from a template or a channel test.'}</EmptyState>}
              />
            </div>
          )}
          <div className="pager">
            <span className="toolbar-spacer" />
            <span className="muted">Page {cursors.length}</span>
            <Button onClick={() => setCursors((c) => c.slice(0, -1))} disabled={cursors.length <= 1 || page.loading} data-testid="messages-prev">‹ Previous</Button>
            <Button onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])} disabled={!nextCursor || page.loading} data-testid="messages-next">Next ›</Button>
          </div>
        </Card>
      </div>
    </>
  );
}
