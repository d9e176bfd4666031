import type { Queryable } from '../../db/index.js';
import { newId } from '../../core/ids.js';

export interface ContactWrite {
  key: string;
  data: Record<string, unknown>;
}

/**
 * Upserts a batch by key in one statement. The batch travels as a single jsonb parameter
 * (`jsonb_to_recordset`), measured at about twice a multi-array `unnest` because node-pg's array
 * escaping dominates (DESIGN.md). New values merge over old ones. A null value clears the field:
 * those keys are removed by a second statement, run only for the rows that carry nulls (an API
 * call that clears an email; imports treat blank cells as "no change" and send none).
 * Keys must be unique within the batch (see dedupeByKey).
 */
export async function upsertContacts(
  db: Queryable,
  accountId: string,
  listId: string,
  rows: readonly ContactWrite[],
): Promise<{ inserted: number; updated: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const now = Date.now();
  const clears: { k: string; c: string[] }[] = [];
  const payload = JSON.stringify(rows.map((r) => {
    const d: Record<string, unknown> = {};
    const c: string[] = [];
    for (const [key, v] of Object.entries(r.data)) (v === null ? c.push(key) : (d[key] = v));
    if (c.length) clears.push({ k: r.key, c });
    return { id: newId('ct', now), k: r.key, d };
  }));
  const { rows: out } = await db.query<{ inserted: number; updated: number }>(
    `WITH up AS (
       INSERT INTO contacts AS c (account_id, id, list_id, key_value, data)
       SELECT $1, r.id, $2, r.k, r.d FROM jsonb_to_recordset($3::jsonb) AS r(id text, k text, d jsonb)
       ON CONFLICT (account_id, list_id, key_value)
       DO UPDATE SET data = c.data || EXCLUDED.data, updated_at = now()
       RETURNING (xmax = 0) AS fresh)
     SELECT count(*) FILTER (WHERE fresh) AS inserted, count(*) FILTER (WHERE NOT fresh) AS updated FROM up`,
    [accountId, listId, payload],
  );
  if (clears.length) {
    await db.query(
      `UPDATE contacts AS c SET data = c.data - r.c FROM jsonb_to_recordset($3::jsonb) AS r(k text, c text[])
       WHERE c.account_id = $1 AND c.list_id = $2 AND c.key_value = r.k`,
      [accountId, listId, JSON.stringify(clears)],
    );
  }
  return { inserted: out[0]?.inserted ?? 0, updated: out[0]?.updated ?? 0 };
}

/**
 * Merges records that share a key (later values win), as one upsert cannot touch a row twice.
 * Returns how many records were folded into an earlier one: each counts as an update. The input
 * is never modified: a record is copied only when a later one folds into it (copying every record
 * cost 8–15 µs per row of 20 fields, same run: 0.3 µs like this, for a batch without repeats).
 */
export function dedupeByKey<T extends ContactWrite>(rows: readonly T[]): { rows: T[]; folded: number } {
  const at = new Map<string, number>();
  const out: T[] = [];
  let copied: Set<number> | undefined;
  for (const r of rows) {
    const i = at.get(r.key);
    if (i === undefined) {
      at.set(r.key, out.length);
      out.push(r);
    } else if ((copied ??= new Set()).has(i)) Object.assign(out[i]!.data, r.data);
    else {
      out[i] = { ...out[i]!, data: { ...out[i]!.data, ...r.data } };
      copied.add(i);
    }
  }
  return { rows: out, folded: rows.length - out.length };
}

/** Keys of the batch that already exist (to apply "required" only to new contacts). */
export async function existingKeys(db: Queryable, accountId: string, listId: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await db.query<{ key_value: string }>(
    `SELECT key_value FROM contacts WHERE account_id = $1 AND list_id = $2 AND key_value = ANY($3::text[])`,
    [accountId, listId, keys],
  );
  return new Set(rows.map((r) => r.key_value));
}
