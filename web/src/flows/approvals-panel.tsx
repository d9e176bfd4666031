import { useState } from 'react';
import { ApiError, errorMessage } from '../ui/api';
import { Badge, Button, ErrorBanner } from '../ui/controls';
import { formatDateTime, formatNumber, plural } from '../ui/format';
import { usePolling } from '../ui/hooks';
import { getApprovals, releaseApproval } from './api';
import type { FlowApproval } from './types';

const APPROVALS_EVERY_MS = 3_000;

/** What the last "Release" click on an approval did. */
type ReleaseOutcome = { started: number } | { error: string };

/**
 * `/approvals` every 3 s while the flow has a published version: a broadcast's sample goes out
 * when its schedule fires, so a pending approval appears without the page being reloaded.
 */
export function useApprovals(flowId: string, live: boolean): { approvals: FlowApproval[] | undefined; error: unknown; refresh: () => void } {
  // A failed poll is shown under the list; the next tick tries again and the last list stays meanwhile.
  const { data, error, refresh } = usePolling((signal) => getApprovals(flowId, signal), APPROVALS_EVERY_MS, live, [flowId]);
  return { approvals: data, error, refresh };
}

/** A failed release in words: the role check is the one a user most often meets. */
function releaseError(err: unknown): string {
  if (err instanceof ApiError && err.status === 403) return 'Not released: needs the approver role.';
  return `Not released: ${errorMessage(err)}`;
}

/**
 * The broadcasts of this flow held for approval: each sent to its control sample first, and waits
 * for someone with the approver role to release it to the rest of the segment.
 */
export function ApprovalsPanel({ flowId, approvals, error, onReleased }: {
  flowId: string;
  approvals: readonly FlowApproval[] | undefined;
  error: unknown;
  /** Called after a release, so the list shows its new status without waiting for the next poll. */
  onReleased: () => void;
}) {
  const [busyId, setBusyId] = useState<string>();
  const [outcomes, setOutcomes] = useState<Record<string, ReleaseOutcome>>({});

  async function release(a: FlowApproval) {
    setBusyId(a.id);
    try {
      const r = await releaseApproval(flowId, a.id);
      setOutcomes((o) => ({ ...o, [a.id]: { started: r.started } }));
      onReleased();
    } catch (err) {
      setOutcomes((o) => ({ ...o, [a.id]: { error: releaseError(err) } }));
      // A 409 means someone else released it meanwhile: show that too.
      if (err instanceof ApiError && err.status === 409) onReleased();
    } finally {
      setBusyId(undefined);
    }
  }

  return (
    <div className="flow-form" data-testid="approvals-panel">
      <div className="flow-form-title">
        <strong>Approvals</strong>
        <p className="muted">A broadcast that needs approval goes to its control sample first and waits here; an approver releases it to the rest.</p>
      </div>
      {approvals === undefined && !error && <p className="muted">Loading…</p>}
      {approvals?.length === 0 && <p className="muted" data-testid="approvals-empty">No broadcast of this flow is waiting for approval.</p>}
      {approvals?.map((a) => {
        const outcome = outcomes[a.id];
        return (
          <div key={a.id} className="flow-form-group" data-testid="approval" data-approval-id={a.id} data-status={a.status}>
            <div className="row-between">
              <span>
                Sample <strong data-testid="approval-sample">{formatNumber(a.sample_size)} of {formatNumber(a.total)}</strong>
                <span className="muted"> · v{a.version}</span>
              </span>
              <span data-testid="approval-status">
                <Badge tone={a.status === 'pending' ? 'warning' : 'success'}>{a.status}</Badge>
              </span>
            </div>
            <div className="muted flow-approval-when">Sample sent {formatDateTime(a.created_at)}</div>
            {a.status === 'released' && (
              <div className="muted flow-approval-when" data-testid="approval-released">
                Released by {a.released_by ?? 'someone'} · {formatDateTime(a.released_at)}
              </div>
            )}
            {a.status === 'pending' && (
              <div className="toolbar">
                <Button variant="primary" className="btn-small" busy={busyId === a.id} disabled={busyId !== undefined} onClick={() => void release(a)} data-testid="approval-release">
                  Release to the remaining {formatNumber(Math.max(0, a.total - a.sample_size))}
                </Button>
              </div>
            )}
            {outcome && ('started' in outcome
              ? <div className="banner banner-success" data-testid="approval-outcome">Released: {plural(outcome.started, 'run')} started.</div>
              : <div className="banner banner-error" data-testid="approval-error">{outcome.error}</div>)}
          </div>
        );
      })}
      <ErrorBanner error={error} testId="approvals-error" />
    </div>
  );
}
