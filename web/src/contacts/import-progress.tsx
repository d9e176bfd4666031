import { useEffect, useState } from 'react';
import { downloadFile } from '../ui/api';
import { Badge, Button, ErrorBanner, ProgressBar } from '../ui/controls';
import { formatBytes, formatNumber } from '../ui/format';
import { Link } from '../ui/router';
import { getImport, importErrorsPath } from './api';
import type { ImportJob } from './types';

/** How often the wizard asks how far an import got. */
const POLL_MS = 500;

/** Step 3: polls the import until it is done or failed, then shows what it did. */
export function ImportProgressStep({ importId, totalBytes, listPath, onFinished, onAgain }: {
  importId: string;
  /** The size of what was sent; progress is bytes read of it. */
  totalBytes: number;
  listPath: string;
  onFinished: () => void;
  onAgain: () => void;
}) {
  const [job, setJob] = useState<ImportJob>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctl = new AbortController();
    const poll = async () => {
      try {
        const j = await getImport(importId, ctl.signal);
        setJob(j);
        setError(undefined);
        if (j.status === 'done' || j.status === 'failed') {
          onFinished();
          return;
        }
      } catch (err) {
        if (ctl.signal.aborted) return;
        // A failed poll is shown but polling goes on: the import itself runs on the server.
        setError(err);
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
    // One poll loop per import: a new onFinished from a re-render of the parent must not restart it.
  }, [importId]);

  const finished = job?.status === 'done' || job?.status === 'failed';
  const fraction = job?.status === 'done' ? 1 : job?.bytes !== undefined && totalBytes > 0 ? job.bytes / totalBytes : undefined;
  const label = job
    ? `${formatNumber(job.rows)} rows processed${job.bytes !== undefined ? ` · ${formatBytes(job.bytes)} of ${formatBytes(totalBytes)}` : ''}`
    : 'Starting…';

  return (
    <div className="stack" data-testid="import-progress-step">
      <div className="row-between">
        <h3>Import {job && <StatusBadge status={job.status} />}</h3>
        <code className="muted">{importId}</code>
      </div>
      <ProgressBar value={fraction} label={label} testId="import-progress" />
      <ErrorBanner error={error} />
      {job?.status === 'failed' && <div className="banner banner-error" role="alert" data-testid="import-failed">The import failed: {job.error ?? 'no reason given'}</div>}
      {finished && job && (
        <div className="stats" data-testid="import-result">
          <Stat label="Rows" value={job.rows} testId="import-rows" />
          <Stat label="Inserted" value={job.inserted} testId="import-inserted" tone="success" />
          <Stat label="Updated" value={job.updated} testId="import-updated" />
          <Stat label="Rejected" value={job.rejected} testId="import-rejected" tone={job.rejected > 0 ? 'danger' : undefined} />
        </div>
      )}
      {finished && job && job.rejected > 0 && (
        <p>
          <Button onClick={() => downloadFile(importErrorsPath(importId), `import-${importId}-errors.csv`).catch(setError)} data-testid="import-errors-link">
            Download rejected rows (CSV)
          </Button>{' '}
          <span className="muted">Each line names the row, the field, the value and why it was rejected.</span>
        </p>
      )}
      {finished && (
        <div className="form-actions">
          <Button onClick={onAgain} data-testid="import-again">Import more</Button>
          <Link to={`${listPath}/contacts`} className="btn btn-primary" data-testid="import-view-contacts">View contacts</Link>
        </div>
      )}
    </div>
  );
}

function StatusBadge({ status }: { status: ImportJob['status'] }) {
  const tone = status === 'done' ? 'success' : status === 'failed' ? 'danger' : 'info';
  return <Badge tone={tone}>{status}</Badge>;
}

function Stat({ label, value, testId, tone }: { label: string; value: number; testId: string; tone?: 'success' | 'danger' }) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`}>
      <span className="stat-value" data-testid={testId}>{formatNumber(value)}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}
