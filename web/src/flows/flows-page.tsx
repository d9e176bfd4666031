import { useMemo } from 'react';
import { getLists } from '../contacts/api';
import { Badge, Button, EmptyState, ErrorBanner, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Link, navigate } from '../ui/router';
import { Table, type Column } from '../ui/table';
import { getFlows } from './api';
import type { Flow } from './types';

const flowPath = (f: Pick<Flow, 'id'>) => `/flows/${encodeURIComponent(f.id)}`;

/** Every flow of the account: its list, whether it is live, and its latest published version. */
export function FlowsPage() {
  const flows = useAsync((signal) => getFlows(signal), []);
  const lists = useAsync((signal) => getLists(signal), []);
  const listNames = useMemo(() => new Map((lists.data ?? []).map((l) => [l.id, l.name])), [lists.data]);

  const columns: Column<Flow>[] = [
    { key: 'name', header: 'Name', cell: (f) => <Link to={flowPath(f)} className="strong" data-testid="flow-link">{f.name}</Link> },
    { key: 'list', header: 'List', cell: (f) => listNames.get(f.list_id) ?? <code>{f.list_id}</code> },
    {
      key: 'status', header: 'Status',
      cell: (f) => <span data-testid="flow-row-status"><Badge tone={f.status === 'active' ? 'success' : 'neutral'}>{f.status}</Badge></span>,
    },
    { key: 'version', header: 'Version', cell: (f) => (f.version === null ? <span className="muted">not published</span> : `v${f.version}`), className: 'num' },
    { key: 'updated', header: 'Updated', cell: (f) => formatDateTime(f.updated_at) },
  ];

  return (
    <>
      <PageHeader
        title="Flows"
        subtitle="Journeys a contact goes through: an entry, then messages, waits and decisions."
        actions={<Button variant="primary" onClick={() => navigate('/flows/new')} data-testid="new-flow-button">New flow</Button>}
      />
      <ErrorBanner error={flows.error} />
      <Card>
        {flows.loading && !flows.data ? (
          <Spinner />
        ) : (
          <Table
            columns={columns} rows={flows.data ?? []} rowKey={(f) => f.id} rowTestId="flow-row"
            onRowClick={(f) => navigate(flowPath(f))}
            empty={<EmptyState title="No flows yet">Create one from scratch or from a template.</EmptyState>}
          />
        )}
      </Card>
    </>
  );
}
