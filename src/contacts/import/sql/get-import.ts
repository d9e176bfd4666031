import type { Queryable } from '../../../db/index.js';
import { IMPORT_COLS, type ImportRow } from './import-row.js';

export async function getImport(db: Queryable, accountId: string, id: string): Promise<ImportRow | undefined> {
  const { rows } = await db.query<ImportRow>(`SELECT ${IMPORT_COLS} FROM imports WHERE account_id = $1 AND id = $2`, [accountId, id]);
  return rows[0];
}
