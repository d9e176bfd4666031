import type { PolicyView } from '../../accounts/policy.js';
import type { Category, ChannelKind } from '../../channels/port.js';
import { reachedCap, type SentCounts } from './caps.js';
import { sendingTime } from './schedule.js';
import { resolveTimeZone } from './time.js';
import { windowsFor } from './windows.js';

/** What the gate needs to know about the contact; null when the message has only a raw `to`. */
export interface PolicyContact {
  timezone?: string | null;
  country?: string | null;
  consent_marketing?: boolean | null;
  consent_transactional?: boolean | null;
}

/** A suppression matching the message's address (findSuppressionHits), before category rules. */
export interface SuppressionHit {
  /** The named list (a regulator's do-not-contact list), or null for the account's own list. */
  list_name: string | null;
  reason: string;
  /** Null: every category. */
  category: string | null;
}

export interface PolicyInput {
  category: Category;
  channelKind: ChannelKind;
  now: Date;
  contact: PolicyContact | null;
  /** The account's policy (PolicyView carries its timezone and country). */
  policy: PolicyView;
  suppressions: readonly SuppressionHit[];
  /** Marketing messages sent to this contact in the current periods (see capWindowStarts). */
  sentCounts: SentCounts;
}

export type SuppressReason = 'no_consent' | 'opted_out' | 'suppressed' | 'frequency_cap';

export type PolicyDecision =
  | { decision: 'send' }
  | { decision: 'suppress'; reason: SuppressReason; list?: string | null; detail?: string }
  | { decision: 'defer'; reason: 'quiet_hours' | 'holiday'; due_at: Date };

/**
 * The policy gate (DESIGN.md, "The path of a message"): consent, then suppression lists, then
 * frequency caps, then quiet hours and holidays. Pure: the caller loads the policy, the matching
 * suppressions and the counts, and passes the time. The first rule that stops the message
 * names itself; a closed window never drops a message, it defers it to the next opening.
 */
export function decidePolicy(input: PolicyInput): PolicyDecision {
  return checkConsent(input) ?? checkSuppressions(input) ?? checkCaps(input) ?? checkSendingTime(input);
}

/** The zone a contact's windows and cap periods are read in: theirs, else the account's, else UTC. */
export function policyTimeZone(contact: PolicyContact | null, policy: Pick<PolicyView, 'timezone'>): string {
  return resolveTimeZone(contact?.timezone, policy.timezone);
}

/**
 * Marketing needs an explicit yes (`consent_marketing === true`): a false is an opt-out, an
 * unknown is no consent. A message to a raw address with no contact has no consent on record,
 * so it may be transactional only. Transactional mail needs no opt-in and is stopped only by
 * an explicit `consent_transactional === false`; it ignores the marketing opt-out.
 */
function checkConsent({ category, contact }: PolicyInput): PolicyDecision | undefined {
  if (category === 'marketing') {
    if (contact?.consent_marketing === true) return undefined;
    return contact?.consent_marketing === false
      ? { decision: 'suppress', reason: 'opted_out', detail: 'the contact opted out of marketing' }
      : { decision: 'suppress', reason: 'no_consent', detail: contact ? 'the contact has not consented to marketing' : 'marketing needs a contact with consent; this message has only an address' };
  }
  if (contact?.consent_transactional === false) {
    return { decision: 'suppress', reason: 'opted_out', detail: 'the contact opted out of transactional messages' };
  }
  return undefined;
}

/**
 * A suppression applies when it covers every category (null) or exactly this one, so a
 * marketing opt-out never stops a transactional message. When several apply, the account's own
 * list is named first, then named lists alphabetically: the same hits always give the same answer.
 */
function checkSuppressions({ category, suppressions }: PolicyInput): PolicyDecision | undefined {
  const applicable = suppressions.filter((s) => s.category === null || s.category === category);
  if (applicable.length === 0) return undefined;
  applicable.sort((a, b) => (a.list_name === null ? -1 : b.list_name === null ? 1 : a.list_name < b.list_name ? -1 : a.list_name > b.list_name ? 1 : 0));
  const hit = applicable[0]!;
  return { decision: 'suppress', reason: 'suppressed', list: hit.list_name, ...(hit.reason ? { detail: hit.reason } : {}) };
}

/** Caps count marketing only; transactional messages are never capped. */
function checkCaps({ category, policy, sentCounts }: PolicyInput): PolicyDecision | undefined {
  if (category !== 'marketing') return undefined;
  const hit = reachedCap(policy.frequency_caps ?? {}, sentCounts);
  if (!hit) return undefined;
  return { decision: 'suppress', reason: 'frequency_cap', detail: `${hit.cap} marketing message${hit.cap === 1 ? '' : 's'} per ${hit.period} already sent` };
}

/**
 * Only the time rules (sending windows, holidays), for a deferred message coming due: the policy
 * or the contact may have changed since it was deferred, and it must never go out inside a window.
 */
export function recheckSendingTime(input: Pick<PolicyInput, 'category' | 'channelKind' | 'now' | 'contact' | 'policy'>): PolicyDecision {
  return checkSendingTime(input);
}

/**
 * Windows of this category (and this kind, when the window names one) in the contact's zone;
 * holidays of the contact's country, else the account's, when the policy holds this category
 * on holidays.
 */
function checkSendingTime({ category, channelKind, now, contact, policy }: Pick<PolicyInput, 'category' | 'channelKind' | 'now' | 'contact' | 'policy'>): PolicyDecision {
  const holidaysApply = policy.holidays?.enabled === true && (policy.holidays.categories ?? []).includes(category);
  const country = validCountry(contact?.country) ?? validCountry(policy.country);
  const t = sendingTime({
    now,
    timeZone: policyTimeZone(contact, policy),
    windows: windowsFor(policy.sending_windows ?? [], category, channelKind),
    holidayCountry: holidaysApply ? country : null,
  });
  return t.open ? { decision: 'send' } : { decision: 'defer', reason: t.reason, due_at: t.due_at };
}

function validCountry(c: string | null | undefined): string | null {
  return typeof c === 'string' && /^[A-Za-z]{2}$/.test(c) ? c.toUpperCase() : null;
}
