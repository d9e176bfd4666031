import type { Queryable } from '../../db/index.js';
import type { AttachmentRef } from '../attachments.js';

export interface BroadcastRow {
  account_id: string;
  id: string;
  list_id: string;
  segment_id: string | null;
  channel_id: string;
  template_id: string;
  category: 'transactional' | 'marketing';
  data: Record<string, unknown>;
  attachments: AttachmentRef[];
  status: 'queued' | 'running' | 'done' | 'failed';
  cursor: string | null;
  total: number;
  queued: number;
  deferred: number;
  suppressed: number;
  skipped: number;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export async function insertBroadcast(db: Queryable, b: Pick<BroadcastRow, 'account_id' | 'id' | 'list_id' | 'segment_id' | 'channel_id' | 'template_id' | 'category' | 'data'> & { attachments?: AttachmentRef[] }): Promise<BroadcastRow> {
  const r = await db.query<BroadcastRow>(
    `INSERT INTO broadcasts (account_id, id, list_id, segment_id, channel_id, template_id, category, data, attachments)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [b.account_id, b.id, b.list_id, b.segment_id, b.channel_id, b.template_id, b.category, JSON.stringify(b.data), JSON.stringify(b.attachments ?? [])],
  );
  return r.rows[0]!;
}

export async function getBroadcast(db: Queryable, accountId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<BroadcastRow | undefined> {
  const r = await db.query<BroadcastRow>(
    `SELECT * FROM broadcasts WHERE account_id = $1 AND id = $2${opts.forUpdate ? ' FOR UPDATE' : ''}`, [accountId, id]);
  return r.rows[0];
}

export async function listBroadcasts(db: Queryable, accountId: string, limit: number): Promise<BroadcastRow[]> {
  const r = await db.query<BroadcastRow>('SELECT * FROM broadcasts WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [accountId, limit]);
  return r.rows;
}

/** Commits a batch's progress with its messages (same transaction). */
export async function advanceBroadcast(
  db: Queryable, accountId: string, id: string,
  p: { cursor: string; total: number; queued: number; deferred: number; suppressed: number; skipped: number },
): Promise<void> {
  await db.query(
    `UPDATE broadcasts SET cursor = $3, total = total + $4, queued = queued + $5, deferred = deferred + $6,
       suppressed = suppressed + $7, skipped = skipped + $8, status = 'running', started_at = coalesce(started_at, now())
     WHERE account_id = $1 AND id = $2`,
    [accountId, id, p.cursor, p.total, p.queued, p.deferred, p.suppressed, p.skipped],
  );
}

export async function finishBroadcast(db: Queryable, accountId: string, id: string, status: 'done' | 'failed', error?: string): Promise<void> {
  await db.query(
    `UPDATE broadcasts SET status = $3, error = $4, finished_at = now(), started_at = coalesce(started_at, now())
     WHERE account_id = $1 AND id = $2`, [accountId, id, status, error ?? null]);
}
