import { useMemo, useState } from 'react';
import { Button, EmptyState, ErrorBanner, Spinner } from '../ui/controls';
import { formatNumber } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { Card } from '../ui/layout';
import { Link, navigate } from '../ui/router';
import { Table, type Column } from '../ui/table';
import { deleteSegment, exportUrl, getSegments, segmentCount } from './api';
import { describeFilter } from './filter-model';
import { allFields, type ContactList, type Segment } from './types';

function SegmentCount({ id }: { id: string }) {
  const count = useAsync((signal) => segmentCount(id, signal), [id]);
  if (count.error) return <span className="muted" title={String(count.error)}>—</span>;
  return <span data-testid="segment-row-count">{count.data === undefined ? '…' : formatNumber(count.data)}</span>;
}

/** The Segments tab: the list's saved filters, each with its live size and an export. */
export function SegmentsPage({ list }: { list: ContactList }) {
  const segments = useAsync((signal) => getSegments(list.id, signal), [list.id]);
  const [error, setError] = useState<unknown>();
  const fields = useMemo(() => allFields(list), [list]);
  const base = `/lists/${encodeURIComponent(list.id)}/segments`;

  async function remove(s: Segment) {
    if (!window.confirm(`Delete the segment "${s.name}"?`)) return;
    try {
      await deleteSegment(s.id);
      segments.reload();
    } catch (err) {
      setError(err);
    }
  }

  const columns: Column<Segment>[] = [
    { key: 'name', header: 'Name', cell: (s) => <Link to={`${base}/${encodeURIComponent(s.id)}`} className="strong">{s.name}</Link> },
    { key: 'filter', header: 'Filter', cell: (s) => <span className="muted filter-summary">{describeFilter(s.filter, fields)}</span> },
    { key: 'count', header: 'Contacts', cell: (s) => <SegmentCount id={s.id} />, className: 'num' },
    {
      key: 'actions', header: '', className: 'actions',
      cell: (s) => (
        <>
          <a className="btn btn-ghost" href={exportUrl(list.id, s.id)} download>Export</a>
          <Button variant="ghost" onClick={() => void remove(s)} data-testid="segment-delete">Delete</Button>
        </>
      ),
    },
  ];

  return (
    <div className="stack">
      <div className="toolbar">
        <span className="muted">A segment is a saved filter over this list; campaigns and flows target segments.</span>
        <span className="toolbar-spacer" />
        <Button variant="primary" onClick={() => navigate(`${base}/new`)} data-testid="new-segment-button">New segment</Button>
      </div>
      <ErrorBanner error={error ?? segments.error} />
      <Card className="card-flush">
        {segments.loading && !segments.data ? (
          <Spinner />
        ) : (
          <Table
            columns={columns} rows={segments.data ?? []} rowKey={(s) => s.id} rowTestId="segment-row"
            empty={<EmptyState title="No segments yet">Build one from a filter and see its size as you go.</EmptyState>}
          />
        )}
      </Card>
    </div>
  );
}
