import type { Queryable } from '../../../db/index.js';

export interface ImportErrorRow {
  id: number;
  line: number;
  field: string;
  value: string | null;
  reason: string;
}

/** One page of an import's errors in file order (ids follow the batches), after `afterId`. */
export async function listImportErrors(
  db: Queryable,
  accountId: string,
  importId: string,
  afterId: number,
  limit: number,
): Promise<ImportErrorRow[]> {
  const { rows } = await db.query<ImportErrorRow>(
    `SELECT id, line, field, value, reason FROM import_errors
     WHERE account_id = $1 AND import_id = $2 AND id > $3 ORDER BY id LIMIT $4`,
    [accountId, importId, afterId, limit],
  );
  return rows;
}
