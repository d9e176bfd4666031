import type { Queryable } from '../../../db/index.js';

/** The upload's size, known only once the last chunk is stored. */
export async function setImportBytes(db: Queryable, accountId: string, importId: string, bytes: number): Promise<void> {
  await db.query(`UPDATE imports SET bytes = $3 WHERE account_id = $1 AND id = $2`, [accountId, importId, bytes]);
}
