import type { Queryable } from '../../../db/index.js';
import { IMPORT_COLS, type ImportRow } from './import-row.js';

/** The list's most recent imports, newest first (imports_list_idx). */
export async function listImports(db: Queryable, accountId: string, listId: string, limit: number): Promise<ImportRow[]> {
  const { rows } = await db.query<ImportRow>(
    `SELECT ${IMPORT_COLS} FROM imports WHERE account_id = $1 AND list_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
    [accountId, listId, limit],
  );
  return rows;
}
