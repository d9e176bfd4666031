import type { Queryable } from '../db/index.js';

export interface ChannelRow {
  account_id: string;
  id: string;
  name: string;
  type: string;
  kind: string;
  config: Record<string, unknown>;
  cost_per_message: string;
  sandbox: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'account_id, id, name, type, kind, config, cost_per_message::text, sandbox, created_at, updated_at';

export async function insertChannel(db: Queryable, c: Omit<ChannelRow, 'created_at' | 'updated_at'>): Promise<ChannelRow> {
  const r = await db.query<ChannelRow>(
    `INSERT INTO channels (account_id, id, name, type, kind, config, cost_per_message, sandbox)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [c.account_id, c.id, c.name, c.type, c.kind, JSON.stringify(c.config), c.cost_per_message, c.sandbox],
  );
  return r.rows[0]!;
}

export async function getChannel(db: Queryable, accountId: string, id: string): Promise<ChannelRow | undefined> {
  const r = await db.query<ChannelRow>(
    `SELECT ${COLUMNS} FROM channels WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`, [accountId, id]);
  return r.rows[0];
}

/** The newest live channel of a kind: the default for that kind (API.md). */
export async function defaultChannel(db: Queryable, accountId: string, kind: string): Promise<ChannelRow | undefined> {
  const r = await db.query<ChannelRow>(
    `SELECT ${COLUMNS} FROM channels WHERE account_id = $1 AND kind = $2 AND deleted_at IS NULL
     ORDER BY created_at DESC, id DESC LIMIT 1`, [accountId, kind]);
  return r.rows[0];
}

export async function listChannels(db: Queryable, accountId: string): Promise<ChannelRow[]> {
  const r = await db.query<ChannelRow>(
    `SELECT ${COLUMNS} FROM channels WHERE account_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`, [accountId]);
  return r.rows;
}

export async function updateChannel(
  db: Queryable, accountId: string, id: string, patch: { name?: string; config?: Record<string, unknown>; cost_per_message?: string },
): Promise<ChannelRow | undefined> {
  const r = await db.query<ChannelRow>(
    `UPDATE channels SET name = coalesce($3, name), config = coalesce($4, config),
       cost_per_message = coalesce($5, cost_per_message), updated_at = now()
     WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
    [accountId, id, patch.name ?? null, patch.config ? JSON.stringify(patch.config) : null, patch.cost_per_message ?? null],
  );
  return r.rows[0];
}

export async function deleteChannel(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const r = await db.query(
    'UPDATE channels SET deleted_at = now() WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL', [accountId, id]);
  return r.rowCount === 1;
}
