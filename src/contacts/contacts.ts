import type { Pool } from '../db/index.js';
import { withTransaction } from '../db/index.js';
import { AppError, notFound } from '../core/errors.js';
import { recordAudit } from '../audit/index.js';
import { sha256 } from '../accounts/secrets.js';
import { activeFields, type ListSchema } from './fields.js';
import { normaliseContacts, type Rejection } from './normalise-contacts.js';
import { dedupeByKey, existingKeys, upsertContacts } from './sql/upsert-contacts.js';
import { eraseContacts, getContact, updateContactData, type ContactRow } from './sql/contacts.js';
import { getList } from './sql/lists.js';

export const MAX_UPSERT = 10_000;

/** A contact as the API shows it: only the fields in reach (removed fields stay hidden). */
export function contactView(c: ContactRow, list: Pick<ListSchema, 'fields'>) {
  const fields: Record<string, unknown> = {};
  for (const f of activeFields(list)) if (c.data[f.key] !== undefined) fields[f.key] = c.data[f.key];
  return { id: c.id, list_id: c.list_id, key: c.key_value, fields, created_at: c.created_at, updated_at: c.updated_at };
}

/**
 * Upserts up to 10,000 contacts by the list's key field in one statement. Bad records are
 * rejected (named by index and field) while the valid ones of the same call land.
 */
export async function upsertBatch(
  pool: Pool,
  list: ListSchema,
  records: readonly Record<string, unknown>[],
): Promise<{ inserted: number; updated: number; rejected: Rejection[] }> {
  const { contacts, rejected } = normaliseContacts(list, records);
  const required = activeFields(list).filter((f) => f.required).map((f) => f.key);
  return withTransaction(pool, async (tx) => {
    let rows = contacts;
    if (required.length) {
      const exist = await existingKeys(tx, list.account_id, list.id, [...new Set(contacts.map((c) => c.key))]);
      rows = [];
      const keysSeen = new Set<string>();
      for (const c of contacts) {
        const isNew = !exist.has(c.key) && !keysSeen.has(c.key);
        const missing = isNew ? required.filter((k) => c.data[k] === undefined || c.data[k] === null) : [];
        keysSeen.add(c.key);
        if (missing.length) for (const k of missing) rejected.push({ index: c.index, field: k, reason: 'is required for a new contact' });
        else rows.push(c);
      }
    }
    const { rows: unique, folded } = dedupeByKey(rows);
    const r = await upsertContacts(tx, list.account_id, list.id, unique);
    rejected.sort((a, b) => a.index - b.index);
    return { inserted: r.inserted, updated: r.updated + folded, rejected };
  });
}

async function listOf(pool: Pool, c: ContactRow): Promise<ListSchema> {
  const list = await getList(pool, c.account_id, c.list_id);
  if (!list) throw notFound('contact');
  return list;
}

export async function readContact(pool: Pool, accountId: string, id: string) {
  const c = await getContact(pool, accountId, id);
  if (!c) throw notFound('contact');
  return contactView(c, await listOf(pool, c));
}

export async function patchContact(pool: Pool, accountId: string, id: string, patch: Record<string, unknown>) {
  const c = await getContact(pool, accountId, id);
  if (!c) throw notFound('contact');
  const list = await listOf(pool, c);
  const withKey = patch[list.key_field] === undefined ? { ...patch, [list.key_field]: c.key_value } : patch;
  const { contacts, rejected } = normaliseContacts(list, [withKey]);
  if (rejected.length || !contacts[0]) {
    const details = rejected.map((r) => ({ field: r.field, message: r.reason }));
    throw new AppError(422, 'invalid_contact', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  }
  const { key, data } = contacts[0];
  const updated = await updateContactData(pool, accountId, id, data, key !== c.key_value ? key : undefined).catch((err: { code?: string }) => {
    if (err.code === '23505') throw new AppError(409, 'conflict', `another contact of this list has ${list.key_field} "${key}"`, [{ field: list.key_field, message: 'already used' }]);
    throw err;
  });
  if (!updated) throw notFound('contact');
  return contactView(updated, list);
}

/** Right to erasure: personal data gone, a tombstone in the audit log (no PII in it). */
export async function eraseContact(pool: Pool, accountId: string, id: string, actor: string): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const c = await getContact(tx, accountId, id);
    if (!c) throw notFound('contact');
    await eraseContacts(tx, accountId, { id });
    await recordAudit(tx, {
      accountId, actor, action: 'contact.erased', target: id,
      detail: { list_id: c.list_id, key_sha256: sha256(c.key_value).toString('hex') },
    });
  });
}
