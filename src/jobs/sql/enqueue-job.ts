import type { Queryable } from '../../db/index.js';
import { newId } from '../../core/ids.js';

export interface NewJob {
  accountId: string;
  kind: string;
  payload?: unknown;
  dueAt?: Date;
  maxAttempts?: number;
  id?: string;
}

/** Inserts a job and wakes idle workers; run it inside the caller's transaction when the job
 * belongs with other writes (the NOTIFY is delivered at commit). */
export async function enqueueJob(db: Queryable, job: NewJob): Promise<string> {
  const id = job.id ?? newId('job');
  await db.query(
    `INSERT INTO jobs (account_id, id, kind, payload, due_at, max_attempts)
     VALUES ($1, $2, $3, $4, coalesce($5, now()), $6)`,
    [job.accountId, id, job.kind, JSON.stringify(job.payload ?? {}), job.dueAt ?? null, job.maxAttempts ?? 5],
  );
  await db.query(`SELECT pg_notify('conversa_jobs', $1)`, [job.kind]);
  return id;
}
