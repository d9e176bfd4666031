import type { Queryable } from '../../db/index.js';

type JobRef = { account_id: string; id: string };

/**
 * Marks a job done — only by the worker that holds it: a worker whose lease ran out (and whose
 * job another worker took over) must not end the job under the one still running it.
 */
export async function completeJob(db: Queryable, job: JobRef, workerId: string): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, updated_at = now()
     WHERE account_id = $1 AND id = $2 AND locked_by = $3`,
    [job.account_id, job.id, workerId],
  );
}

/** Records a failure; retries with exponential backoff until max_attempts, then fails for good. */
export async function failJob(db: Queryable, job: JobRef, error: string, workerId: string): Promise<'retry' | 'failed'> {
  const { rows } = await db.query<{ status: 'queued' | 'failed' }>(
    `UPDATE jobs SET
       status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
       due_at = now() + make_interval(secs => least(3600, power(2, attempts)::int)),
       locked_by = NULL, locked_until = NULL, last_error = left($3, 2000), updated_at = now()
     WHERE account_id = $1 AND id = $2 AND locked_by = $4 RETURNING status`,
    [job.account_id, job.id, error, workerId],
  );
  return rows[0]?.status === 'failed' ? 'failed' : 'retry';
}

/** Extends a running job's lease so a long import is not taken over by another worker. */
export async function extendLease(db: Queryable, job: JobRef, workerId: string, leaseSeconds: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE jobs SET locked_until = now() + make_interval(secs => $4)
     WHERE account_id = $1 AND id = $2 AND locked_by = $3 AND status = 'running'`,
    [job.account_id, job.id, workerId, leaseSeconds],
  );
  return rowCount === 1;
}

/** On shutdown: hand unfinished jobs back at once instead of waiting for their leases to expire. */
export async function releaseJobs(db: Queryable, workerId: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL, due_at = now(),
       attempts = greatest(attempts - 1, 0), updated_at = now()
     WHERE locked_by = $1 AND status = 'running'`,
    [workerId],
  );
  return rowCount ?? 0;
}
