import type { Readable } from 'node:stream';
import QueryStream from 'pg-query-stream';
import type { Pool } from '../../../db/index.js';
import { SqlParams, type SqlFragment } from '../../segments/index.js';

export interface ExportRow {
  id: string;
  data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** Rows fetched per round trip: 1,000 rows of a few hundred bytes each keep memory flat. */
const BATCH = 1000;

/**
 * Live contacts of a list matching `where`, in id order, as a stream read through a server-side
 * cursor: a million contacts never sit in memory. The stream holds a pool client until it ends,
 * fails or is destroyed (a client that hung up); a failed stream's connection is discarded
 * rather than returned mid-query.
 */
export async function streamContacts(pool: Pool, scope: { accountId: string; listId: string }, where: SqlFragment): Promise<Readable> {
  const p = new SqlParams([scope.accountId, scope.listId]);
  const text = `SELECT c.id, c.data, c.created_at, c.updated_at FROM contacts c
    WHERE c.account_id = $1 AND c.list_id = $2 AND c.erased_at IS NULL AND (${where(p)})
    ORDER BY c.id`;
  const client = await pool.connect();
  const rows = client.query(new QueryStream(text, p.values, { batchSize: BATCH }));
  rows.once('close', () => client.release(rows.errored ?? undefined));
  return rows;
}
