import type { Queryable } from '../../../db/index.js';

export async function insertImportChunk(db: Queryable, accountId: string, importId: string, seq: number, data: Buffer): Promise<void> {
  await db.query(
    `INSERT INTO import_chunks (account_id, import_id, seq, data) VALUES ($1, $2, $3, $4)`,
    [accountId, importId, seq, data],
  );
}
