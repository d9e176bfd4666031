import type { Queryable } from '../../db/index.js';
import type { DateFormat, FieldDef, ListSchema } from '../fields.js';

export interface ListRow extends ListSchema {
  name: string;
  created_at: Date;
  updated_at: Date;
}
const COLS = 'account_id, id, name, key_field, default_country, date_format, decimal_separator, fields, created_at, updated_at';

export async function insertList(
  db: Queryable,
  l: { accountId: string; id: string; name: string; keyField: string; defaultCountry: string | null; dateFormat: DateFormat; decimalSeparator: '.' | ','; fields: FieldDef[] },
): Promise<ListRow> {
  const { rows } = await db.query<ListRow>(
    `INSERT INTO lists (account_id, id, name, key_field, default_country, date_format, decimal_separator, fields)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLS}`,
    [l.accountId, l.id, l.name, l.keyField, l.defaultCountry, l.dateFormat, l.decimalSeparator, JSON.stringify(l.fields)],
  );
  return rows[0]!;
}

export async function getList(db: Queryable, accountId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<ListRow | undefined> {
  const { rows } = await db.query<ListRow>(
    `SELECT ${COLS} FROM lists WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [accountId, id],
  );
  return rows[0];
}

export async function listLists(db: Queryable, accountId: string): Promise<(ListRow & { contact_count: number })[]> {
  const { rows } = await db.query<ListRow & { contact_count: number }>(
    `SELECT ${COLS.split(', ').map((c) => `l.${c}`).join(', ')},
       (SELECT count(*) FROM contacts c WHERE c.account_id = l.account_id AND c.list_id = l.id AND c.erased_at IS NULL) AS contact_count
     FROM lists l WHERE l.account_id = $1 AND l.deleted_at IS NULL ORDER BY l.created_at, l.id`,
    [accountId],
  );
  return rows;
}

export async function countListContacts(db: Queryable, accountId: string, listId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM contacts WHERE account_id = $1 AND list_id = $2 AND erased_at IS NULL`, [accountId, listId]);
  return rows[0]?.n ?? 0;
}

export async function updateList(
  db: Queryable,
  accountId: string,
  id: string,
  p: { name?: string; defaultCountry?: string | null; dateFormat?: DateFormat; decimalSeparator?: '.' | ','; fields?: FieldDef[] },
): Promise<ListRow | undefined> {
  const { rows } = await db.query<ListRow>(
    `UPDATE lists SET name = coalesce($3, name),
       default_country = CASE WHEN $4::boolean THEN $5 ELSE default_country END,
       date_format = coalesce($6, date_format), decimal_separator = coalesce($7, decimal_separator),
       fields = coalesce($8::jsonb, fields), updated_at = now()
     WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${COLS}`,
    [accountId, id, p.name ?? null, p.defaultCountry !== undefined, p.defaultCountry ?? null, p.dateFormat ?? null,
      p.decimalSeparator ?? null, p.fields ? JSON.stringify(p.fields) : null],
  );
  return rows[0];
}

/** Deleting a list hides it; its contacts' personal data is erased by the caller in the same transaction. */
export async function deleteList(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE lists SET deleted_at = now() WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL`, [accountId, id]);
  return rowCount === 1;
}
