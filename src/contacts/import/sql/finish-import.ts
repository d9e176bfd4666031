import type { Queryable } from '../../../db/index.js';

/** Ends an import as done, or failed with the reason. Only a running or queued import moves. */
export async function finishImport(
  db: Queryable,
  accountId: string,
  id: string,
  outcome: { status: 'done' } | { status: 'failed'; error: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE imports SET status = $3, error = $4, finished_at = now()
     WHERE account_id = $1 AND id = $2 AND status IN ('queued', 'running')`,
    [accountId, id, outcome.status, outcome.status === 'failed' ? outcome.error.slice(0, 2000) : null],
  );
  return rowCount === 1;
}
