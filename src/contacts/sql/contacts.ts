import type { Queryable } from '../../db/index.js';

export interface ContactRow {
  account_id: string;
  id: string;
  list_id: string;
  key_value: string;
  data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}
const COLS = 'account_id, id, list_id, key_value, data, created_at, updated_at';

export async function getContact(db: Queryable, accountId: string, id: string): Promise<ContactRow | undefined> {
  const { rows } = await db.query<ContactRow>(
    `SELECT ${COLS} FROM contacts c WHERE account_id = $1 AND id = $2 AND erased_at IS NULL
       AND EXISTS (SELECT 1 FROM lists l WHERE l.account_id = c.account_id AND l.id = c.list_id AND l.deleted_at IS NULL)`,
    [accountId, id],
  );
  return rows[0];
}

export async function updateContactData(
  db: Queryable,
  accountId: string,
  id: string,
  patch: Record<string, unknown>,
  newKey?: string,
): Promise<ContactRow | undefined> {
  const { rows } = await db.query<ContactRow>(
    `UPDATE contacts SET data = jsonb_strip_nulls(data || $3::jsonb), key_value = coalesce($4, key_value), updated_at = now()
     WHERE account_id = $1 AND id = $2 AND erased_at IS NULL RETURNING ${COLS}`,
    [accountId, id, JSON.stringify(patch), newKey ?? null],
  );
  return rows[0];
}

/** Erasure: the personal data goes; the row stays (messages and audit refer to it) as a tombstone. */
export async function eraseContacts(db: Queryable, accountId: string, where: { id?: string; listId?: string }): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE contacts SET data = '{}'::jsonb, key_value = 'erased:' || id, erased_at = now(), updated_at = now()
     WHERE account_id = $1 AND erased_at IS NULL AND ($2::text IS NULL OR id = $2) AND ($3::text IS NULL OR list_id = $3)`,
    [accountId, where.id ?? null, where.listId ?? null],
  );
  return rowCount ?? 0;
}
