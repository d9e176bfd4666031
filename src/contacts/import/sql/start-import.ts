import type { Queryable } from '../../../db/index.js';
import { IMPORT_COLS, type ImportRow } from './import-row.js';

/** Marks the import running (again, after a crash) and returns it with its progress so far. */
export async function startImport(db: Queryable, accountId: string, id: string): Promise<ImportRow | undefined> {
  const { rows } = await db.query<ImportRow>(
    `UPDATE imports SET status = 'running', started_at = coalesce(started_at, now())
     WHERE account_id = $1 AND id = $2 AND status IN ('queued', 'running') RETURNING ${IMPORT_COLS}`,
    [accountId, id],
  );
  return rows[0];
}
