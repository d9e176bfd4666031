import { useState } from 'react';
import { downloadFile } from '../ui/api';
import { Badge, Button, ErrorBanner } from '../ui/controls';
import { formatBytes, formatDateTime, formatNumber } from '../ui/format';
import { useAsync } from '../ui/hooks';
import { Card } from '../ui/layout';
import { Table, type Column } from '../ui/table';
import { getImports, importErrorsPath } from './api';
import type { ImportJob } from './types';

const TONE = { done: 'success', failed: 'danger', running: 'info', queued: 'neutral' } as const;

/** The list's recent imports, newest first, with their rejected rows to download. */
export function ImportHistory({ listId, refreshKey }: { listId: string; refreshKey: number }) {
  const imports = useAsync((signal) => getImports(listId, signal), [listId, refreshKey]);
  const [error, setError] = useState<unknown>();
  const columns: Column<ImportJob>[] = [
    { key: 'created', header: 'Started', cell: (i) => formatDateTime(i.created_at), className: 'nowrap' },
    { key: 'status', header: 'Status', cell: (i) => <Badge tone={TONE[i.status]}>{i.status}</Badge> },
    { key: 'size', header: 'Size', cell: (i) => (i.bytes === undefined ? '' : formatBytes(i.bytes)), className: 'num' },
    { key: 'rows', header: 'Rows', cell: (i) => formatNumber(i.rows), className: 'num' },
    { key: 'inserted', header: 'Inserted', cell: (i) => formatNumber(i.inserted), className: 'num' },
    { key: 'updated', header: 'Updated', cell: (i) => formatNumber(i.updated), className: 'num' },
    {
      key: 'rejected', header: 'Rejected', className: 'num',
      cell: (i) => i.rejected > 0
        ? <Button variant="ghost" onClick={() => downloadFile(importErrorsPath(i.id), `${i.id}-errors.csv`).catch(setError)}>{formatNumber(i.rejected)} ↓</Button>
        : '0',
    },
  ];
  // Not every server has the history call; without it the wizard still works.
  if (imports.error || (imports.data ?? []).length === 0) return null;
  return (
    <Card title="Recent imports" className="card-flush">
      <ErrorBanner error={error} />
      <Table columns={columns} rows={imports.data ?? []} rowKey={(i) => i.id} rowTestId="import-history-row" />
    </Card>
  );
}
