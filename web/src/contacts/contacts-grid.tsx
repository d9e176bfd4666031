import { useMemo, useState } from 'react';
import { Button, ErrorBanner, Select, Spinner, EmptyState } from '../ui/controls';
import { formatDateTime, formatValue, plural } from '../ui/format';
import { useAsync, useDebounced } from '../ui/hooks';
import { Card } from '../ui/layout';
import { Table, type Column, type SortState } from '../ui/table';
import { countContacts, exportUrl, searchContacts } from './api';
import { ContactDrawer } from './contact-drawer';
import { FilterBuilder } from './filter-builder';
import { conditionCount, emptyGroup, toFilter, type GroupNode } from './filter-model';
import { allFields, type Contact, type ContactList } from './types';

const PAGE_SIZES = [25, 50, 100].map((n) => ({ value: String(n), label: `${n} per page` }));

/**
 * The Contacts tab: a server-side paged, sorted and filtered grid. Paging is keyset: the server
 * hands out `next_cursor`; "previous" pops the stack of cursors that led here.
 */
export function ContactsGrid({ list, onChanged }: { list: ContactList; onChanged: () => void }) {
  const fields = useMemo(() => allFields(list), [list]);
  const [group, setGroup] = useState<GroupNode>(emptyGroup);
  const [showFilter, setShowFilter] = useState(false);
  const [sort, setSort] = useState<SortState | undefined>();
  const [pageSize, setPageSize] = useState(25);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [open, setOpen] = useState<Contact | undefined>();

  // Typing in a filter value should not fire a search per keystroke.
  const filter = useDebounced(useMemo(() => toFilter(group, fields), [group, fields]), 350);
  const filterKey = JSON.stringify(filter ?? null);
  const cursor = cursors[cursors.length - 1] ?? null;

  // A new filter, sort or page size starts again at the first page.
  const [lastQuery, setLastQuery] = useState('');
  const queryKey = `${filterKey}|${JSON.stringify(sort ?? null)}|${pageSize}`;
  if (queryKey !== lastQuery) {
    setLastQuery(queryKey);
    if (cursors.length > 1) setCursors([null]);
  }

  const page = useAsync(
    (signal) => searchContacts(list.id, { filter, limit: pageSize, cursor, ...(sort ? { sort } : {}) }, signal),
    [list.id, filterKey, sort?.field, sort?.direction, pageSize, cursor],
  );
  const count = useAsync((signal) => countContacts(list.id, filter, signal), [list.id, filterKey]);

  const columns: Column<Contact>[] = useMemo(() => [
    ...fields.map((f): Column<Contact> => ({
      key: f.key,
      header: <>{f.label || f.key}{f.key === list.key_field && <span className="key-dot" title="Key field" />}</>,
      cell: (c) => formatValue(f.key === list.key_field ? (c.fields[f.key] ?? c.key) : c.fields[f.key], f.type),
      sortable: true,
      className: f.type === 'number' ? 'num' : undefined,
    })),
    { key: 'updated_at', header: 'Updated', cell: (c) => formatDateTime(c.updated_at), className: 'nowrap' },
  ], [fields, list.key_field]);

  const onSort = (field: string) =>
    setSort((s) => (s?.field !== field ? { field, direction: 'asc' } : s.direction === 'asc' ? { field, direction: 'desc' } : undefined));

  const refresh = () => {
    page.reload();
    count.reload();
    onChanged();
  };

  const conditions = conditionCount(group);
  const rows = page.data?.contacts ?? [];
  const nextCursor = page.data?.next_cursor ?? null;

  return (
    <div className="stack">
      <div className="toolbar">
        <Button variant={showFilter ? 'primary' : 'secondary'} onClick={() => setShowFilter((v) => !v)} data-testid="grid-filter-toggle" aria-expanded={showFilter}>
          Filter{conditions > 0 ? ` (${conditions})` : ''}
        </Button>
        {conditions > 0 && <Button variant="ghost" onClick={() => setGroup(emptyGroup())}>Clear filter</Button>}
        <span className="toolbar-spacer" />
        <span className="muted" data-testid="grid-count" aria-live="polite">
          {count.data === undefined ? (count.error ? 'Count unavailable' : 'Counting…') : `${plural(count.data, 'contact')}${filter ? ' match' : ''}`}
        </span>
        <a className="btn btn-secondary" href={exportUrl(list.id)} download data-testid="export-link">Export CSV</a>
      </div>
      {showFilter && (
        <Card>
          <FilterBuilder fields={fields} value={group} onChange={setGroup} />
        </Card>
      )}
      <ErrorBanner error={page.error ?? count.error} />
      <Card className="card-flush">
        {page.loading && !page.data ? (
          <Spinner />
        ) : (
          <div className={page.loading ? 'is-refreshing' : undefined}>
            <Table
              className="table-grid" columns={columns} rows={rows} rowKey={(c) => c.id} rowTestId="contact-row"
              sort={sort} onSort={onSort} onRowClick={setOpen}
              empty={<EmptyState title={filter ? 'No contact matches this filter' : 'No contacts yet'}>{!filter && 'Import a file or paste cells on the Import tab.'}</EmptyState>}
            />
          </div>
        )}
        <div className="pager">
          <Select options={PAGE_SIZES} value={String(pageSize)} onChange={(e) => setPageSize(Number(e.target.value))} aria-label="Page size" />
          <span className="toolbar-spacer" />
          <span className="muted">Page {cursors.length}</span>
          <Button onClick={() => setCursors((c) => c.slice(0, -1))} disabled={cursors.length <= 1 || page.loading} data-testid="grid-prev">‹ Previous</Button>
          <Button onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])} disabled={!nextCursor || page.loading} data-testid="grid-next">Next ›</Button>
        </div>
      </Card>
      {open && (
        <ContactDrawer
          contact={open} list={list} fields={fields} onClose={() => setOpen(undefined)}
          onChanged={() => { setOpen(undefined); refresh(); }}
        />
      )}
    </div>
  );
}
