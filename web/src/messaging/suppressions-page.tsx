import { useState, type FormEvent } from 'react';
import { ApiError } from '../ui/api';
import { Badge, Button, EmptyState, ErrorBanner, Field, Input, Select, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync, useDebounced } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Table, type Column } from '../ui/table';
import { addSuppression, deleteSuppression, getSuppressions } from './api';
import { SuppressionImport } from './suppression-import';
import type { Category, Suppression, SuppressionFilters, SuppressionType } from './types';
import './messaging.css';

const PAGE_SIZE = 100;
const TYPE_OPTIONS = [{ value: 'email', label: 'Email' }, { value: 'phone', label: 'Phone' }];
const CATEGORY_OPTIONS = [{ value: 'transactional', label: 'Transactional only' }, { value: 'marketing', label: 'Marketing only' }];

function AddSuppressionForm({ onAdded }: { onAdded: () => void }) {
  const [type, setType] = useState<SuppressionType>('email');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [category, setCategory] = useState('');
  const [list, setList] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await addSuppression({
        type, value: value.trim(),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(category ? { category: category as Category } : {}),
        ...(list.trim() ? { list: list.trim() } : {}),
      });
      setValue('');
      setReason('');
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const errorFor = (f: string) => (error instanceof ApiError ? error.detailFor(f) : undefined);
  return (
    <form onSubmit={submit} noValidate className="stack" data-testid="suppression-add">
      <div className="form-grid">
        <Field label="Type">
          <Select options={TYPE_OPTIONS} value={type} onChange={(e) => setType(e.target.value as SuppressionType)} data-testid="suppression-type" />
        </Field>
        <Field label={type === 'email' ? 'Email address' : 'Phone number'} error={errorFor('value')}>
          <Input value={value} onChange={(e) => setValue(e.target.value)} placeholder={type === 'email' ? 'ana@example.com' : '+573001234567'} data-testid="suppression-value" />
        </Field>
        <Field label="Reason">
          <Input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Asked by phone on 12 May" data-testid="suppression-reason" />
        </Field>
        <Field label="Applies to">
          <Select options={CATEGORY_OPTIONS} placeholder="Every category" value={category} onChange={(e) => setCategory(e.target.value)} data-testid="suppression-category" />
        </Field>
        <Field label="List" hint="Empty: the account's own list">
          <Input value={list} onChange={(e) => setList(e.target.value)} data-testid="suppression-list" />
        </Field>
      </div>
      <ErrorBanner error={error} testId="suppression-add-error" />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy} disabled={!value.trim()} data-testid="suppression-add-submit">Add suppression</Button>
      </div>
    </form>
  );
}

/** Addresses that must not be contacted: the account's own list and regulators' named lists. */
export function SuppressionsPage() {
  const [filterForm, setFilterForm] = useState<{ type: string; value: string; list: string }>({ type: '', value: '', list: '' });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [panel, setPanel] = useState<'none' | 'add' | 'import'>('none');
  const [error, setError] = useState<unknown>();

  const settled = useDebounced(filterForm, 300);
  const filters: SuppressionFilters = {
    ...(settled.type ? { type: settled.type as SuppressionType } : {}),
    ...(settled.value.trim() ? { value: settled.value.trim() } : {}),
    ...(settled.list.trim() ? { list: settled.list.trim() } : {}),
  };
  const filterKey = JSON.stringify(filters);
  const [lastKey, setLastKey] = useState(filterKey);
  if (filterKey !== lastKey) {
    setLastKey(filterKey);
    if (cursors.length > 1) setCursors([null]);
  }
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useAsync(
    (signal) => getSuppressions({ ...filters, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, signal),
    [filterKey, cursor],
  );
  const nextCursor = page.data?.next_cursor ?? null;

  async function remove(s: Suppression) {
    if (!window.confirm(`Remove ${s.value} from ${s.list ?? 'the suppression list'}? Messages to it will flow again.`)) return;
    setError(undefined);
    try {
      await deleteSuppression(s.id);
      page.reload();
    } catch (err) {
      setError(err);
    }
  }

  const columns: Column<Suppression>[] = [
    { key: 'value', header: 'Address', cell: (s) => <span className="strong" data-testid="suppression-row-value">{s.value}</span> },
    { key: 'type', header: 'Type', cell: (s) => s.type },
    { key: 'list', header: 'List', cell: (s) => (s.list ? <Badge tone="info">{s.list}</Badge> : <span className="muted">own</span>) },
    { key: 'category', header: 'Applies to', cell: (s) => s.category ?? 'every category' },
    { key: 'reason', header: 'Reason', cell: (s) => <span className="muted">{s.reason}</span> },
    { key: 'created', header: 'Added', cell: (s) => formatDateTime(s.created_at), className: 'nowrap' },
    { key: 'actions', header: '', className: 'actions', cell: (s) => <Button variant="ghost" onClick={() => void remove(s)} data-testid="suppression-delete">Remove</Button> },
  ];

  const setFilter = (patch: Partial<typeof filterForm>) => setFilterForm((f) => ({ ...f, ...patch }));
  const actions = (
    <>
      <Button onClick={() => setPanel(panel === 'import' ? 'none' : 'import')} data-testid="suppression-import-button">Import a regulator list</Button>
      <Button variant="primary" onClick={() => setPanel(panel === 'add' ? 'none' : 'add')} data-testid="suppression-add-button">Add</Button>
    </>
  );

  return (
    <>
      <PageHeader title="Suppressions" subtitle="Nobody on these lists is contacted: bounces and complaints land here, and regulators' do-not-contact lists are imported here." actions={actions} />
      <div className="stack">
        {panel === 'add' && <Card title="Add a suppression"><AddSuppressionForm onAdded={page.reload} /></Card>}
        {panel === 'import' && <Card title="Import a regulator's list"><SuppressionImport onImported={page.reload} /></Card>}
        <Card>
          <div className="form-grid">
            <Field label="Type">
              <Select options={TYPE_OPTIONS} placeholder="Any" value={filterForm.type} onChange={(e) => setFilter({ type: e.target.value })} data-testid="suppression-filter-type" />
            </Field>
            <Field label="Address" hint="Exact match, after normalising">
              <Input value={filterForm.value} onChange={(e) => setFilter({ value: e.target.value })} data-testid="suppression-filter-value" />
            </Field>
            <Field label="List">
              <Input value={filterForm.list} onChange={(e) => setFilter({ list: e.target.value })} placeholder="RNE" data-testid="suppression-filter-list" />
            </Field>
          </div>
        </Card>
        <ErrorBanner error={error ?? page.error} />
        <Card className="card-flush">
          {page.loading && !page.data ? (
            <Spinner />
          ) : (
            <div className={page.loading ? 'is-refreshing' : undefined}>
              <Table
                columns={columns} rows={page.data?.suppressions ?? []} rowKey={(s) => s.id} rowTestId="suppression-row"
                empty={<EmptyState title="No suppressions">{filterKey === '{}' ? 'Bounces, complaints and unsubscribes will appear here.' : 'Nothing matches these filters.'}</EmptyState>}
              />
            </div>
          )}
          <div className="pager">
            <span className="toolbar-spacer" />
            <span className="muted">Page {cursors.length}</span>
            <Button onClick={() => setCursors((c) => c.slice(0, -1))} disabled={cursors.length <= 1 || page.loading}>‹ Previous</Button>
            <Button onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])} disabled={!nextCursor || page.loading}>Next ›</Button>
          </div>
        </Card>
      </div>
    </>
  );
}
