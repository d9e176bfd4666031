import type { Queryable } from '../../../db/index.js';
import { IMPORT_COLS, type ImportOptions, type ImportRow } from './import-row.js';

export async function insertImport(
  db: Queryable,
  i: { accountId: string; id: string; listId: string; options: ImportOptions },
): Promise<ImportRow> {
  const { rows } = await db.query<ImportRow>(
    `INSERT INTO imports (account_id, id, list_id, options) VALUES ($1, $2, $3, $4) RETURNING ${IMPORT_COLS}`,
    [i.accountId, i.id, i.listId, JSON.stringify(i.options)],
  );
  return rows[0]!;
}
