import type { Queryable } from '../../db/index.js';
import { notFound } from '../../core/errors.js';
import { policyView, type PolicyView } from '../../accounts/policy.js';
import type { Category, ChannelKind } from '../../channels/port.js';
import { findSuppressionHits } from '../suppressions/service.js';
import { capWindowStarts, type CapWindowStarts, type SentCounts } from './caps.js';
import { decidePolicy, policyTimeZone, type PolicyContact, type PolicyDecision } from './decide.js';

export interface CheckPolicyArgs {
  accountId: string;
  category: Category;
  channelKind: ChannelKind;
  /** The contact's fields (contacts.data: email, phone, timezone, country, consent_* …); null for a raw address. */
  contact: Readonly<Record<string, unknown>> | null;
  contactId: string | null;
  /** The message's address, matched against suppressions (normalised here). */
  address: { email?: string; phone?: string };
  now: Date;
  /** The account's policy when the caller already has it (a batch of one account's messages); loaded otherwise. */
  policy?: PolicyView;
}

/** The account's policy, timezone and country in one query. */
export async function loadAccountPolicy(db: Queryable, accountId: string): Promise<PolicyView> {
  const { rows } = await db.query<{ timezone: string; country: string | null; policy: Record<string, unknown> }>(
    `SELECT timezone, country, policy FROM accounts WHERE id = $1`,
    [accountId],
  );
  if (!rows[0]) throw notFound('account');
  return policyView(rows[0]);
}

/**
 * Marketing messages that went out to a contact since each period start, in one pass over the
 * caps index (messages_caps_idx: marketing rows with a sent_at).
 */
export async function countMarketingSent(db: Queryable, accountId: string, contactId: string, starts: CapWindowStarts): Promise<SentCounts> {
  const earliest = new Date(Math.min(starts.day.getTime(), starts.week.getTime(), starts.month.getTime()));
  const { rows } = await db.query<SentCounts>(
    `SELECT count(*) FILTER (WHERE sent_at >= $3) AS day,
            count(*) FILTER (WHERE sent_at >= $4) AS week,
            count(*) FILTER (WHERE sent_at >= $5) AS month
       FROM messages
      WHERE account_id = $1 AND contact_id = $2 AND category = 'marketing' AND sent_at IS NOT NULL AND sent_at >= $6`,
    [accountId, contactId, starts.day, starts.week, starts.month, earliest],
  );
  return rows[0] ?? { day: 0, week: 0, month: 0 };
}

/**
 * The policy gate with its I/O: loads the policy (unless given), the suppressions on the
 * address and, for a marketing message to a contact under caps, the counts; then decidePolicy.
 * Queries only what the decision can use: no counts for transactional mail or without caps.
 */
export async function checkPolicy(db: Queryable, args: CheckPolicyArgs): Promise<PolicyDecision> {
  const policy = args.policy ?? (await loadAccountPolicy(db, args.accountId));
  const contact = args.contact ? contactForPolicy(args.contact) : null;
  const suppressions = await findSuppressionHits(db, args.accountId, args.address, contact?.country ?? policy.country);
  const caps = policy.frequency_caps ?? {};
  const capped = caps.day !== undefined || caps.week !== undefined || caps.month !== undefined;
  const sentCounts = args.category === 'marketing' && args.contactId && capped
    ? await countMarketingSent(db, args.accountId, args.contactId, capWindowStarts(args.now, policyTimeZone(contact, policy)))
    : { day: 0, week: 0, month: 0 };
  return decidePolicy({ category: args.category, channelKind: args.channelKind, now: args.now, contact, policy, suppressions, sentCounts });
}

/**
 * The standard contact fields the gate reads. Consent must be a real boolean (contacts store
 * the normalised value); anything else is unknown, which for marketing means no consent.
 */
export function contactForPolicy(data: Readonly<Record<string, unknown>>): PolicyContact {
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
  return {
    timezone: str(data.timezone),
    country: str(data.country),
    consent_marketing: bool(data.consent_marketing),
    consent_transactional: bool(data.consent_transactional),
  };
}

/** A decision in words, for the console and the message's events ("why was this not sent?"). */
export function policyReasonText(d: PolicyDecision): string {
  switch (d.decision) {
    case 'send':
      return 'allowed by the sending policy';
    case 'defer': {
      const when = d.due_at.toISOString();
      return d.reason === 'holiday'
        ? `held for a public holiday; goes out at ${when}`
        : `held outside the sending hours (quiet hours); goes out at ${when}`;
    }
    case 'suppress':
      switch (d.reason) {
        case 'no_consent':
          return `not sent: no consent on record for marketing${d.detail ? ` (${d.detail})` : ''}`;
        case 'opted_out':
          return `not sent: ${d.detail ?? 'the contact opted out'}`;
        case 'suppressed':
          return `not sent: the address is on ${d.list ? `the suppression list "${d.list}"` : "the account's suppression list"}${d.detail ? ` (${d.detail})` : ''}`;
        case 'frequency_cap':
          return `not sent: frequency cap reached${d.detail ? ` (${d.detail})` : ''}`;
      }
  }
}
