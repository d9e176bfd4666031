import type { Queryable } from '../../db/index.js';

export interface ClaimedJob {
  account_id: string;
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

/**
 * Claims up to `limit` due jobs of the given kinds with a lease. A job whose worker died is
 * claimable again once its lease expires — that is how a killed import resumes.
 * SKIP LOCKED lets any number of workers claim side by side without waiting on each other.
 */
export async function claimJobs(
  db: Queryable,
  opts: { kinds: string[]; limit: number; workerId: string; leaseSeconds: number },
): Promise<ClaimedJob[]> {
  const { rows } = await db.query<ClaimedJob>(
    `WITH due AS (
       SELECT account_id, id FROM jobs
       WHERE kind = ANY($1::text[])
         AND ((status = 'queued' AND due_at <= now()) OR (status = 'running' AND locked_until < now()))
       ORDER BY due_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED)
     UPDATE jobs j SET status = 'running', locked_by = $3,
       locked_until = now() + make_interval(secs => $4), attempts = j.attempts + 1, updated_at = now()
     FROM due WHERE j.account_id = due.account_id AND j.id = due.id
     RETURNING j.account_id, j.id, j.kind, j.payload, j.attempts, j.max_attempts`,
    [opts.kinds, opts.limit, opts.workerId, opts.leaseSeconds],
  );
  return rows;
}
