import type { Queryable } from '../../db/index.js';
import type { FlowDefinition } from '../definition/types.js';

export interface FlowRow {
  account_id: string;
  id: string;
  name: string;
  list_id: string;
  draft: FlowDefinition;
  version: number | null;
  status: 'draft' | 'active' | 'paused';
  created_at: Date;
  updated_at: Date;
}

const COLS = 'account_id, id, name, list_id, draft, version, status, created_at, updated_at';

export async function insertFlow(db: Queryable, f: { accountId: string; id: string; name: string; listId: string; draft: FlowDefinition }): Promise<FlowRow> {
  const r = await db.query<FlowRow>(
    `INSERT INTO flows (account_id, id, name, list_id, draft) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLS}`,
    [f.accountId, f.id, f.name, f.listId, JSON.stringify(f.draft)]);
  return r.rows[0]!;
}

export async function getFlow(db: Queryable, accountId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<FlowRow | undefined> {
  const r = await db.query<FlowRow>(
    `SELECT ${COLS} FROM flows WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL${opts.forUpdate ? ' FOR UPDATE' : ''}`, [accountId, id]);
  return r.rows[0];
}

export async function listFlows(db: Queryable, accountId: string): Promise<FlowRow[]> {
  const r = await db.query<FlowRow>(`SELECT ${COLS} FROM flows WHERE account_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC`, [accountId]);
  return r.rows;
}

export async function updateDraft(db: Queryable, accountId: string, id: string, patch: { name?: string; draft?: FlowDefinition }): Promise<FlowRow | undefined> {
  const r = await db.query<FlowRow>(
    `UPDATE flows SET name = coalesce($3, name), draft = coalesce($4, draft), updated_at = now()
     WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${COLS}`,
    [accountId, id, patch.name ?? null, patch.draft ? JSON.stringify(patch.draft) : null]);
  return r.rows[0];
}

export async function deleteFlow(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const r = await db.query(`UPDATE flows SET deleted_at = now(), status = 'paused' WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`, [accountId, id]);
  return r.rowCount === 1;
}

/** Freezes the draft as the next version and makes it the one new runs start on. */
export async function publishVersion(db: Queryable, accountId: string, flow: FlowRow, definition: FlowDefinition, actor: string): Promise<{ version: number; published_at: Date }> {
  const version = (flow.version ?? 0) + 1;
  const r = await db.query<{ version: number; published_at: Date }>(
    `INSERT INTO flow_versions (account_id, flow_id, version, definition, published_by) VALUES ($1, $2, $3, $4, $5)
     RETURNING version, published_at`,
    [accountId, flow.id, version, JSON.stringify(definition), actor]);
  const entryEvent = entryEventOf(definition);
  await db.query(
    `UPDATE flows SET version = $3, status = 'active', entry_type = $4, entry_event = $5, goal_event = $6, updated_at = now()
     WHERE account_id = $1 AND id = $2`,
    [accountId, flow.id, version, definition.entry.type, entryEvent, definition.goal?.event ?? null]);
  return r.rows[0]!;
}

export async function listVersions(db: Queryable, accountId: string, flowId: string): Promise<{ version: number; published_at: Date; published_by: string }[]> {
  const r = await db.query<{ version: number; published_at: Date; published_by: string }>(
    'SELECT version, published_at, published_by FROM flow_versions WHERE account_id = $1 AND flow_id = $2 ORDER BY version DESC', [accountId, flowId]);
  return r.rows;
}

export async function getVersion(db: Queryable, accountId: string, flowId: string, version: number): Promise<{ version: number; definition: FlowDefinition; published_at: Date } | undefined> {
  const r = await db.query<{ version: number; definition: FlowDefinition; published_at: Date }>(
    'SELECT version, definition, published_at FROM flow_versions WHERE account_id = $1 AND flow_id = $2 AND version = $3', [accountId, flowId, version]);
  return r.rows[0];
}

/**
 * The event name that starts a flow: an event entry's own, and for a form entry the event the
 * Inbound Manager records for each submission (`form:<form_id>`), so both go through POST-event
 * matching. Scheduled entries (segment, broadcast, date field) start no run from events.
 */
export function entryEventOf(definition: FlowDefinition): string | null {
  if (definition.entry.type === 'event') return definition.entry.event;
  if (definition.entry.type === 'form') return `form:${definition.entry.form_id}`;
  return null;
}
