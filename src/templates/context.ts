import type { Queryable } from '../db/index.js';
import { AppError, notFound } from '../core/errors.js';
import { activeFields, getContact, getList } from '../contacts/index.js';
import { getAccountLocale } from './sql.js';
import type { OtpVariables, RenderContext } from './render.js';

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * What a template sees for an account and (optionally) one of its contacts: the contact's fields
 * in reach (a removed field stays hidden, as in the API), and the language, country and time
 * zone to format with — the contact's own, else the list's default country and the account's
 * country and time zone. A contact of another account is not found.
 */
export async function buildRenderContext(
  db: Queryable,
  accountId: string,
  opts: { contactId?: string; data?: Record<string, unknown>; otp?: OtpVariables; unsubscribeUrl?: string } = {},
): Promise<RenderContext> {
  const account = await getAccountLocale(db, accountId);
  if (!account) throw notFound('account');
  const contact: Record<string, unknown> = {};
  let listCountry: string | null = null;
  if (opts.contactId) {
    const row = await getContact(db, accountId, opts.contactId);
    const list = row && (await getList(db, accountId, row.list_id));
    // Every caller (preview, send) takes the contact as `contact_id`: the details name it.
    if (!row || !list) throw new AppError(404, 'not_found', 'contact not found', [{ field: 'contact_id', message: 'not found' }]);
    for (const f of activeFields(list)) if (row.data[f.key] !== undefined) contact[f.key] = row.data[f.key];
    listCountry = list.default_country;
  }
  return {
    contact,
    data: opts.data ?? {},
    account: { name: account.name },
    ...(opts.otp ? { otp: opts.otp } : {}),
    ...(opts.unsubscribeUrl !== undefined ? { unsubscribe_url: opts.unsubscribeUrl } : {}),
    ...renderLocale(contact, listCountry, account),
  };
}

/**
 * Pure: the language, country and time zone a contact's message is formatted in — the
 * contact's own, else the list's default country and the account's country and time zone.
 * Preview and every send path use this one rule, so what the preview shows is what goes out.
 */
export function renderLocale(
  contact: Readonly<Record<string, unknown>>,
  listCountry: string | null,
  account: { country: string | null; timezone: string },
): { language?: string; country?: string; timezone: string } {
  const language = text(contact.language);
  const country = text(contact.country) ?? listCountry ?? account.country ?? undefined;
  return { ...(language ? { language } : {}), ...(country ? { country } : {}), timezone: text(contact.timezone) ?? account.timezone };
}
