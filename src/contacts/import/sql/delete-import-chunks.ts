import type { Queryable } from '../../../db/index.js';

/** The file is not needed once its import has finished; its space goes back to PostgreSQL. */
export async function deleteImportChunks(db: Queryable, accountId: string, importId: string): Promise<void> {
  await db.query(`DELETE FROM import_chunks WHERE account_id = $1 AND import_id = $2`, [accountId, importId]);
}
