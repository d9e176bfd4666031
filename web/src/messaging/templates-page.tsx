import { Button, EmptyState, ErrorBanner, Spinner } from '../ui/controls';
import { formatDateTime } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { Card, PageHeader } from '../ui/layout';
import { Link, navigate } from '../ui/router';
import { Table, type Column } from '../ui/table';
import { getTemplates } from './api';
import type { Template } from './types';

const templatePath = (t: Template) => `/templates/${encodeURIComponent(t.id)}`;

const columns: Column<Template>[] = [
  { key: 'name', header: 'Name', cell: (t) => <Link to={templatePath(t)} className="strong" data-testid="template-link">{t.name}</Link> },
  { key: 'kind', header: 'Channel', cell: (t) => t.channel_type },
  { key: 'subject', header: 'Subject', cell: (t) => <span className="muted">{t.subject ?? ''}</span> },
  { key: 'updated', header: 'Updated', cell: (t) => formatDateTime(t.updated_at ?? t.created_at), className: 'nowrap' },
];

export function TemplatesPage() {
  const templates = useAsync((signal) => getTemplates(signal), []);
  return (
    <>
      <PageHeader
        title="Templates"
        subtitle="Liquid templates per channel: contact.<field>, data.<key>, account.name, unsubscribe_url. An email body starting with <mjml> is MJML."
        actions={<Button variant="primary" onClick={() => navigate('/templates/new')} data-testid="new-template-button">New template</Button>}
      />
      <ErrorBanner error={templates.error} />
      <Card className="card-flush">
        {templates.loading && !templates.data ? (
          <Spinner />
        ) : (
          <Table
            columns={columns} rows={templates.data ?? []} rowKey={(t) => t.id} rowTestId="template-row"
            onRowClick={(t) => navigate(templatePath(t))}
            empty={<EmptyState title="No templates yet">Write one, preview it for a contact and send it.</EmptyState>}
          />
        )}
      </Card>
    </>
  );
}
