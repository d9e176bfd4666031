import type { Queryable } from '../../db/index.js';
import type { PolicyView } from '../../accounts/policy.js';
import type { Category, ChannelKind } from '../../channels/port.js';
import { capWindowStarts, contactForPolicy, type SentCounts } from '../policy/index.js';
import { decidePolicy, policyTimeZone, type PolicyDecision, type SuppressionHit } from '../policy/decide.js';
import type { Recipient } from '../compose.js';

/**
 * The policy gate for a batch of one account's recipients: the same pure decision as a single
 * send, with its I/O done for the whole batch — one query for the suppressions of every address,
 * one for the frequency-cap counts of every contact (only when caps are set and it is marketing).
 */
export async function decideBatch(
  db: Queryable,
  args: { accountId: string; category: Category; channelKind: ChannelKind; now: Date; policy: PolicyView },
  recipients: Recipient[],
): Promise<PolicyDecision[]> {
  const hits = await suppressionHits(db, args.accountId, recipients);
  const counts = await capCounts(db, args, recipients);
  return recipients.map((r) => {
    const contact = r.contactId ? contactForPolicy(r.fields) : null;
    const found = [...(r.match.email ? hits.get('email:' + r.match.email.toLowerCase()) ?? [] : []), ...(r.match.phone ? hits.get('phone:' + r.match.phone) ?? [] : [])];
    return decidePolicy({
      category: args.category, channelKind: args.channelKind, now: args.now, contact, policy: args.policy,
      suppressions: found, sentCounts: (r.contactId && counts.get(r.contactId)) || { day: 0, week: 0, month: 0 },
    });
  });
}

async function suppressionHits(db: Queryable, accountId: string, recipients: Recipient[]): Promise<Map<string, SuppressionHit[]>> {
  // Suppressions store emails lower-cased and phones in E.164, which is how recipients carry them.
  const emails = [...new Set(recipients.flatMap((r) => (r.match.email ? [r.match.email.toLowerCase()] : [])))];
  const phones = [...new Set(recipients.flatMap((r) => (r.match.phone ? [r.match.phone] : [])))];
  const map = new Map<string, SuppressionHit[]>();
  if (emails.length === 0 && phones.length === 0) return map;
  const { rows } = await db.query<SuppressionHit & { type: string; value: string }>(
    `SELECT type, value, list_name, reason, category FROM suppressions
     WHERE account_id = $1 AND ((type = 'email' AND value = ANY($2::text[])) OR (type = 'phone' AND value = ANY($3::text[])))`,
    [accountId, emails, phones],
  );
  for (const r of rows) {
    const key = `${r.type}:${r.value}`;
    const list = map.get(key) ?? [];
    list.push({ list_name: r.list_name, reason: r.reason, category: r.category });
    map.set(key, list);
  }
  return map;
}

async function capCounts(
  db: Queryable,
  args: { accountId: string; category: Category; now: Date; policy: PolicyView },
  recipients: Recipient[],
): Promise<Map<string, SentCounts>> {
  const caps = args.policy.frequency_caps ?? {};
  const capped = caps.day !== undefined || caps.week !== undefined || caps.month !== undefined;
  const map = new Map<string, SentCounts>();
  if (args.category !== 'marketing' || !capped) return map;
  const ids = recipients.flatMap((r) => (r.contactId ? [r.contactId] : []));
  if (ids.length === 0) return map;
  // Period starts depend on each contact's time zone; counting from the earliest start of any
  // zone in the batch and splitting per contact in SQL keeps it one query.
  const starts = recipients.map((r) => capWindowStarts(args.now, policyTimeZone(r.contactId ? contactForPolicy(r.fields) : null, args.policy)));
  const { rows } = await db.query<{ contact_id: string; day: number; week: number; month: number }>(
    `SELECT m.contact_id,
            count(*) FILTER (WHERE m.sent_at >= u.day_start)::int AS day,
            count(*) FILTER (WHERE m.sent_at >= u.week_start)::int AS week,
            count(*) FILTER (WHERE m.sent_at >= u.month_start)::int AS month
       FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) AS u(contact_id, day_start, week_start, month_start)
       JOIN messages m ON m.account_id = $1 AND m.contact_id = u.contact_id AND m.category = 'marketing'
        AND m.sent_at IS NOT NULL AND m.sent_at >= least(u.day_start, u.week_start, u.month_start)
      GROUP BY m.contact_id`,
    [args.accountId, recipients.map((r) => r.contactId), starts.map((s) => s.day), starts.map((s) => s.week), starts.map((s) => s.month)],
  );
  for (const r of rows) map.set(r.contact_id, { day: r.day, week: r.week, month: r.month });
  return map;
}
