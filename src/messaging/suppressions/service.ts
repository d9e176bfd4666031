import type { Queryable } from '../../db/index.js';
import { invalid, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { recordAudit } from '../../audit/index.js';
import type { SuppressionHit } from '../policy/decide.js';
import { normaliseSuppressionValue, type SuppressionType } from './normalise.js';
import { accountCountry, deleteSuppression, insertSuppression, selectSuppressionsFor, type SuppressionRow } from './store.js';

/** A named list's name: a regulator's list (`RNE`), shown on every send it stops. */
export const MAX_LIST_NAME = 100;

export interface AddSuppression {
  accountId: string;
  type: SuppressionType;
  /** Raw; normalised here (lower-case email, E.164 phone). */
  value: string;
  reason: string;
  /** Null or absent: every category. */
  category?: string | null;
  /** A named list; null or absent: the account's own list. */
  list?: string | null;
  /** Who asked, for the audit trail: `key:<id>`, `user:<id>`, or `system` (bounces, complaints). */
  actor?: string;
  /** Country for phones without `+`; absent: the account's country (one query). */
  defaultCountry?: string | null;
}

/**
 * Adds an address to a suppression list (API calls, hard bounces, complaints, STOP replies).
 * Idempotent: the same address, list and category again returns the existing row with
 * `created: false` and records nothing. Throws a 422 naming `value` when it cannot be normalised.
 */
export async function addSuppression(db: Queryable, s: AddSuppression): Promise<{ suppression: SuppressionRow; created: boolean }> {
  const country = s.type === 'phone' && s.defaultCountry === undefined ? await accountCountry(db, s.accountId) : (s.defaultCountry ?? null);
  const n = normaliseSuppressionValue(s.type, s.value, country);
  if (!n.ok) throw invalid('value', n.reason);
  if (s.list !== undefined && s.list !== null && (s.list.trim() === '' || s.list.length > MAX_LIST_NAME)) {
    throw invalid('list', `must be 1 to ${MAX_LIST_NAME} characters`);
  }
  const { row, created } = await insertSuppression(db, {
    accountId: s.accountId, id: newId('sup'), type: s.type, value: n.value, reason: s.reason,
    category: s.category ?? null, list: s.list?.trim() ?? null,
  });
  if (created) {
    // The audit entry names the row, not the address: the value is personal data.
    await recordAudit(db, {
      accountId: s.accountId, actor: s.actor ?? 'system', action: 'suppression.created', target: row.id,
      detail: { type: row.type, list: row.list_name, category: row.category, reason: row.reason },
    });
  }
  return { suppression: row, created };
}

/** Removes one suppression of the account; 404 when it is not the account's. */
export async function removeSuppression(db: Queryable, accountId: string, id: string, actor: string): Promise<void> {
  const row = await deleteSuppression(db, accountId, id);
  if (!row) throw notFound('suppression');
  await recordAudit(db, {
    accountId, actor, action: 'suppression.deleted', target: id,
    detail: { type: row.type, list: row.list_name, category: row.category },
  });
}

/**
 * The suppressions (every list, every category) on a message's addresses, for the policy gate,
 * which decides which of them apply to the message's category. Addresses are normalised the way
 * suppressions are stored; one that cannot be normalised matches nothing.
 */
export async function findSuppressionHits(
  db: Queryable,
  accountId: string,
  address: { email?: string | null; phone?: string | null },
  defaultCountry: string | null = null,
): Promise<(SuppressionHit & { id: string; type: SuppressionType })[]> {
  const email = address.email ? normaliseSuppressionValue('email', address.email, null) : undefined;
  const phone = address.phone ? normaliseSuppressionValue('phone', address.phone, defaultCountry) : undefined;
  const rows = await selectSuppressionsFor(db, accountId, {
    email: email?.ok ? email.value : null,
    phone: phone?.ok ? phone.value : null,
  });
  return rows.map((r) => ({ id: r.id, type: r.type, list_name: r.list_name, reason: r.reason, category: r.category }));
}
