import { Button, EmptyState, ErrorBanner, Spinner } from '../ui/controls';
import { formatDateTime, formatNumber } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Link, navigate } from '../ui/router';
import { Table, type Column } from '../ui/table';
import { getLists } from './api';
import type { ContactList } from './types';

const columns: Column<ContactList>[] = [
  { key: 'name', header: 'Name', cell: (l) => <Link to={`/lists/${encodeURIComponent(l.id)}`} className="strong" data-testid="list-link">{l.name}</Link> },
  { key: 'key_field', header: 'Key field', cell: (l) => <code>{l.key_field}</code> },
  { key: 'fields', header: 'Fields', cell: (l) => l.fields.length, className: 'num' },
  { key: 'contacts', header: 'Contacts', cell: (l) => formatNumber(l.contact_count ?? 0), className: 'num' },
  { key: 'updated', header: 'Updated', cell: (l) => formatDateTime(l.updated_at) },
];

export function ListsPage() {
  const lists = useAsync((signal) => getLists(signal), []);
  const newList = (
    <Button variant="primary" onClick={() => navigate('/lists/new')} data-testid="new-list-button">New list</Button>
  );
  return (
    <>
      <PageHeader title="Lists" subtitle="Contact lists with their typed fields. Contacts are matched on each list's key field." actions={newList} />
      <ErrorBanner error={lists.error} />
      <Card>
        {lists.loading && !lists.data ? (
          <Spinner />
        ) : (
          <Table
            columns={columns} rows={lists.data ?? []} rowKey={(l) => l.id} rowTestId="list-row"
            onRowClick={(l) => navigate(`/lists/${encodeURIComponent(l.id)}`)}
            empty={<EmptyState title="No lists yet">Create a list, then import contacts into it.</EmptyState>}
          />
        )}
      </Card>
    </>
  );
}
