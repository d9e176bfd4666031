import type { Queryable } from '../../../db/index.js';

/**
 * One piece of the uploaded file, or undefined past the last one. Read in text format (hex),
 * which node-pg decodes into a fresh Buffer. Not `binary: true`, although it saves ~40% of the
 * client CPU: node-pg then hands bytea back as a view into its receive buffer, which the next
 * response on the connection overwrites — with the next chunk prefetched, the Windows-1252 test
 * read garbage.
 */
export async function readImportChunk(db: Queryable, accountId: string, importId: string, seq: number): Promise<Buffer | undefined> {
  const { rows } = await db.query<{ data: Buffer }>(
    `SELECT data FROM import_chunks WHERE account_id = $1 AND import_id = $2 AND seq = $3`,
    [accountId, importId, seq],
  );
  return rows[0]?.data;
}
