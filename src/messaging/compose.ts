import type { Queryable } from '../db/index.js';
import { AppError, invalid } from '../core/errors.js';
import { getAccount } from '../accounts/index.js';
import { getContact, getList, activeFields, type ListSchema } from '../contacts/index.js';
import type { ContactRow } from '../contacts/sql/contacts.js';
import { normaliseEmail, normalisePhone } from '../contacts/field-types.js';
import type { Attachment, Category, ChannelKind, RenderedContent } from '../channels/port.js';
import type { ChannelRow } from '../channels/sql.js';
import { accountPartials, getTemplate, renderLocale, renderTemplate, type OtpVariables } from '../templates/index.js';

/** POST /v1/messages, after schema validation. */
export interface SendRequest {
  contact_id?: string;
  to?: string;
  channel_id?: string;
  channel_type?: string;
  template_id?: string;
  content?: { subject?: string; body?: string; text?: string; html?: string };
  category: Category;
  data?: Record<string, unknown>;
  attachments?: Attachment[];
}

export interface Recipient {
  contactId: string | null;
  /** The contact's fields (standard ones included) as templates and the policy gate see them. */
  fields: Record<string, unknown>;
  address: string;
  /** The contact's list's default country (formatting, phone numbers). */
  listCountry: string | null;
  /** What the policy gate matches against suppressions. */
  match: { email?: string; phone?: string };
}

export interface AccountInfo {
  id: string;
  name: string;
  timezone: string;
  country: string | null;
}

export async function loadAccountInfo(db: Queryable, accountId: string): Promise<AccountInfo> {
  const a = await getAccount(db, accountId);
  if (!a) throw new AppError(404, 'not_found', 'account not found');
  return { id: a.id, name: a.name, timezone: a.timezone, country: a.country };
}

/** The contact (when given) and the address on this channel's kind. 422 naming the field when missing or invalid. */
export async function resolveRecipient(db: Queryable, account: AccountInfo, req: SendRequest, kind: ChannelKind): Promise<Recipient> {
  if (!req.contact_id) {
    if (!req.to) throw invalid('to', 'give contact_id or to');
    return addressFor(account, null, {}, req.to, kind);
  }
  const c = await getContact(db, account.id, req.contact_id);
  const list = c && (await getList(db, account.id, c.list_id));
  if (!c || !list) throw new AppError(422, 'invalid_request', `contact_id: contact "${req.contact_id}" not found`, [{ field: 'contact_id', message: 'not found' }]);
  return addressFor(account, c.id, contactFields(c, list), req.to, kind, list.default_country);
}

/** A contact's fields in reach (standard ones included), plus its id and key, as templates see them. */
export function contactFields(c: ContactRow, list: Pick<ListSchema, 'fields'>): Record<string, unknown> {
  const fields: Record<string, unknown> = { id: c.id, key: c.key_value };
  for (const f of activeFields(list)) if (c.data[f.key] !== undefined) fields[f.key] = c.data[f.key];
  return fields;
}

/** Pure: the address of a recipient on a kind of channel — `to` when given, else the contact's. */
export function addressFor(
  account: AccountInfo, contactId: string | null, fields: Record<string, unknown>, to: string | undefined, kind: ChannelKind, listCountry: string | null = null,
): Recipient {
  const country = (typeof fields.country === 'string' ? fields.country : null) ?? listCountry ?? account.country;
  const r = { contactId, fields, listCountry };
  switch (kind) {
    case 'email': {
      const raw = to ?? (typeof fields.email === 'string' ? fields.email : undefined);
      if (!raw) throw invalid('to', 'the contact has no email address for an email channel');
      const n = normaliseEmail(raw);
      if (!n.ok) throw invalid('to', n.reason);
      return { ...r, address: String(n.value), match: { email: String(n.value) } };
    }
    case 'sms':
    case 'voice': {
      const raw = to ?? (typeof fields.phone === 'string' ? fields.phone : undefined);
      if (!raw) throw invalid('to', `the contact has no phone number for a ${kind} channel`);
      const n = normalisePhone(raw, country);
      if (!n.ok) {
        // Without a contact the country to read a national number with is the account's, not a list's.
        throw invalid('to', contactId || country ? n.reason : `"${raw}" is not a valid phone number (give +country code, or set the account's country: PATCH /v1/settings/policy)`);
      }
      return { ...r, address: String(n.value), match: { phone: String(n.value) } };
    }
    case 'push':
    case 'db_update':
      if (!contactId) throw invalid('contact_id', `a ${kind} message needs contact_id`);
      return { ...r, address: contactId, match: {} };
    case 'webhook':
      return { ...r, address: to ?? contactId ?? '', match: {} };
  }
}

export interface Rendered {
  content: RenderedContent;
  templateId: string | null;
  templateName: string | null;
}

/** Renders the template (or inline content) for this recipient. */
export async function renderFor(
  db: Queryable, account: AccountInfo, req: SendRequest, kind: ChannelKind, recipient: Recipient, unsubscribeUrl: string | undefined,
  otp?: OtpVariables,
): Promise<Rendered> {
  const ctx = {
    contact: recipient.fields,
    data: req.data ?? {},
    account: { name: account.name },
    unsubscribe_url: unsubscribeUrl,
    ...renderLocale(recipient.fields, recipient.listCountry, account),
    ...(otp ? { otp } : {}),
  };
  // Partials ({% render 'name' %}) come only from this account's own templates.
  const opts = { loadPartial: accountPartials(db, account.id) };
  if (req.template_id) {
    const t = await getTemplate(db, account.id, req.template_id);
    if (!t) throw new AppError(422, 'invalid_request', `template_id: template "${req.template_id}" not found`, [{ field: 'template_id', message: 'not found' }]);
    if (t.channel_type !== kind) throw invalid('template_id', `template is for ${t.channel_type}, the channel sends ${kind}`);
    const content = await renderTemplate({ channel_type: kind, subject: t.subject, body: t.body }, ctx, opts);
    return { content, templateId: t.id, templateName: t.name };
  }
  const c = req.content;
  if (!c) throw invalid('template_id', 'give template_id or content');
  if (c.body !== undefined) {
    return { content: await renderTemplate({ channel_type: kind, subject: c.subject ?? null, body: c.body }, ctx, opts), templateId: null, templateName: null };
  }
  if (c.text === undefined && c.html === undefined) throw invalid('content', 'give content.body, content.text or content.html');
  const content: RenderedContent = { text: c.text ?? '', ...(c.subject !== undefined ? { subject: c.subject } : {}), ...(c.html !== undefined ? { html: c.html } : {}) };
  if (kind === 'email' && !content.subject) throw invalid('content.subject', 'an email needs a subject');
  return { content, templateId: null, templateName: null };
}

export type { ChannelRow };
