import type { Queryable } from '../db/index.js';
import type { ChannelKind } from '../channels/port.js';

export interface TemplateRow {
  account_id: string;
  id: string;
  name: string;
  channel_type: ChannelKind;
  subject: string | null;
  body: string;
  created_at: Date;
  updated_at: Date;
}
const COLS = 'account_id, id, name, channel_type, subject, body, created_at, updated_at';

export async function insertTemplate(db: Queryable, t: Omit<TemplateRow, 'created_at' | 'updated_at'>): Promise<TemplateRow> {
  const { rows } = await db.query<TemplateRow>(
    `INSERT INTO templates (account_id, id, name, channel_type, subject, body) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLS}`,
    [t.account_id, t.id, t.name, t.channel_type, t.subject, t.body],
  );
  return rows[0]!;
}

export async function getTemplate(db: Queryable, accountId: string, id: string): Promise<TemplateRow | undefined> {
  const { rows } = await db.query<TemplateRow>(
    `SELECT ${COLS} FROM templates WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [accountId, id],
  );
  return rows[0];
}

export async function listTemplates(db: Queryable, accountId: string): Promise<TemplateRow[]> {
  const { rows } = await db.query<TemplateRow>(
    `SELECT ${COLS} FROM templates WHERE account_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
    [accountId],
  );
  return rows;
}

/** Another live template of the account with this name (names are how partials are found). */
export async function templateNameTaken(db: Queryable, accountId: string, name: string, exceptId?: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM templates WHERE account_id = $1 AND name = $2 AND deleted_at IS NULL AND ($3::text IS NULL OR id <> $3) LIMIT 1`,
    [accountId, name, exceptId ?? null],
  );
  return rows.length > 0;
}

export async function updateTemplate(
  db: Queryable,
  accountId: string,
  id: string,
  patch: { name: string; channel_type: ChannelKind; subject: string | null; body: string },
): Promise<TemplateRow | undefined> {
  const { rows } = await db.query<TemplateRow>(
    `UPDATE templates SET name = $3, channel_type = $4, subject = $5, body = $6, updated_at = now()
     WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${COLS}`,
    [accountId, id, patch.name, patch.channel_type, patch.subject, patch.body],
  );
  return rows[0];
}

/** Soft delete: messages already sent keep pointing at the template they were rendered from. */
export async function deleteTemplate(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE templates SET deleted_at = now(), updated_at = now() WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [accountId, id],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * The loader behind `{% render 'name' %}`: the body of the account's live template with that
 * name (the newest, should two share it), and nothing of any other account.
 */
export function accountPartials(db: Queryable, accountId: string): (name: string) => Promise<string | undefined> {
  return async (name) => {
    const { rows } = await db.query<{ body: string }>(
      `SELECT body FROM templates WHERE account_id = $1 AND name = $2 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
      [accountId, name],
    );
    return rows[0]?.body;
  };
}

/** cost_per_message of the account's default channel of a kind (the newest live one), if any. */
export async function defaultChannelCost(db: Queryable, accountId: string, kind: ChannelKind): Promise<number | undefined> {
  const { rows } = await db.query<{ cost_per_message: string }>(
    `SELECT cost_per_message FROM channels WHERE account_id = $1 AND kind = $2 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
    [accountId, kind],
  );
  return rows[0] ? Number(rows[0].cost_per_message) : undefined;
}

export async function getAccountLocale(db: Queryable, accountId: string): Promise<{ name: string; timezone: string; country: string | null } | undefined> {
  const { rows } = await db.query<{ name: string; timezone: string; country: string | null }>(
    `SELECT name, timezone, country FROM accounts WHERE id = $1`,
    [accountId],
  );
  return rows[0];
}
