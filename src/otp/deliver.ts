import type { AppDeps } from '../http/deps.js';
import { AppError } from '../core/errors.js';
import { seal, type ServerKeys } from '../core/server-keys.js';
import type { PoolClient, Queryable } from '../db/index.js';
import { commitSend, prepareSend, type AccountInfo, type PreparedSend } from '../messaging/index.js';
import { listSubscriptions } from '../channels/push/subscriptions.js';
import { contextText, defaultContent } from './content.js';
import { maskCode, spokenCode } from './code.js';
import { checkDestination, lockDestination, RateLimited } from './limits.js';
import type { OtpChannel } from './options.js';
import type { OtpSettings } from './settings.js';
import type { NewDelivery } from './sql.js';

/** What every send of one OTP shares. */
export interface OtpMessageContext {
  accountId: string;
  otpId: string;
  contactId: string | null;
  destination: { phone?: string; email?: string };
  templates: Partial<Record<OtpChannel, string>>;
  language: string;
  context: Record<string, string> | null;
  expiresAt: Date;
  /** The account when already read (a create); a fallback reads it once per message. */
  account?: AccountInfo;
}

/** Where a prepared message goes, for the per-destination limit: its normalised address (E.164, lower-case email). */
export function destKeyOf(channel: OtpChannel, to: string, contactId: string | null): string {
  switch (channel) {
    case 'sms':
    case 'voice':
      return `phone:${to}`;
    case 'email':
      return `email:${to.toLowerCase()}`;
    case 'push':
      return `push:${contactId ?? to}`;
  }
}

/** Why a channel was skipped, as a code (never the address: the view and the console show it). */
export type SkipReason = 'no_address' | 'no_channel' | 'no_push_subscription' | 'suppressed' | 'rate_limited' | 'not_rendered';

/** A channel's error that means "skip it" when creating: no address, no channel of that kind configured. */
function skipReasonOf(err: unknown): SkipReason | undefined {
  if (!(err instanceof AppError) || err.status !== 422) return undefined;
  if (err.details.some((d) => d.field === 'to' || d.field === 'contact_id')) return 'no_address';
  if (err.details.some((d) => d.field === 'channel_type')) return 'no_channel';
  return undefined;
}

/** Renders one channel's message (real code sealed, the row masked), through the policy gate. */
async function prepareChannel(deps: AppDeps, db: Queryable, o: OtpMessageContext, channel: OtpChannel, code: string, keys: ServerKeys, step: number): Promise<PreparedSend> {
  const minutes = Math.max(1, Math.round((o.expiresAt.getTime() - deps.clock.now().getTime()) / 60_000));
  const shared = { expires_in_minutes: minutes, ...(o.context ? { context: o.context, context_text: contextText(o.context) } : {}) };
  const masked = maskCode(code);
  const templateId = o.templates[channel];
  const to = channel === 'email' ? o.destination.email : channel === 'sms' || channel === 'voice' ? o.destination.phone : undefined;
  return prepareSend(deps, o.accountId, {
    ...(o.contactId ? { contact_id: o.contactId } : {}),
    ...(to ? { to } : {}),
    channel_type: channel,
    ...(templateId ? { template_id: templateId } : { content: defaultContent(channel, o.language) }),
    category: 'transactional',
    // A push lives no longer at the push service than its code does.
    data: { language: o.language, ...(channel === 'push' ? { ttl_seconds: Math.max(0, Math.floor((o.expiresAt.getTime() - deps.clock.now().getTime()) / 1000)) } : {}) },
  }, {
    source: { otp_id: o.otpId, step },
    ...(o.account ? { account: o.account } : {}),
    otp: {
      real: { code, spoken: spokenCode(code), ...shared },
      masked: { ...masked, ...shared },
      seal: (content, messageId) => seal(keys.seal, JSON.stringify(content), `${o.accountId}:${messageId}`),
    },
  }, db);
}

export interface SentStep {
  step: number;
  channel: OtpChannel;
  messageId: string;
  destKey: string;
}

/**
 * Sends the OTP on the first channel of `plan` from `from` that can take it, inside `tx` (every
 * read too: a transaction never waits for a second pool client). Skips a channel with no address,
 * no configured channel, a suppressed address — and, in a fallback, one whose destination reached
 * its limit or whose template no longer renders (for a create or a resend those are the caller's
 * 429 / 422). Returns the step that went out (undefined when none could) and the deliveries to record.
 */
export async function sendFrom(
  deps: AppDeps, tx: PoolClient, o: OtpMessageContext, plan: OtpChannel[], from: number, code: string, keys: ServerKeys,
  settings: OtpSettings, trigger: NewDelivery['trigger'],
): Promise<{ sent?: SentStep; deliveries: NewDelivery[] }> {
  const fallback = trigger === 'fallback';
  const deliveries: NewDelivery[] = [];
  const skip = (channel: OtpChannel, reason: SkipReason) => deliveries.push({ trigger, channel_type: channel, message_id: null, dest_key: null, outcome: 'skipped', reason });
  for (let step = from; step < plan.length; step++) {
    const channel = plan[step]!;
    if (channel === 'push' && (!o.contactId || (await listSubscriptions(tx, o.accountId, o.contactId)).length === 0)) {
      skip(channel, o.contactId ? 'no_push_subscription' : 'no_address');
      continue;
    }
    let p: PreparedSend;
    try {
      p = await prepareChannel(deps, tx, o, channel, code, keys, step);
    } catch (err) {
      const reason = skipReasonOf(err) ?? (fallback && err instanceof AppError ? 'not_rendered' : undefined);
      if (!reason) throw err;
      skip(channel, reason);
      continue;
    }
    if (p.prepared.message.status === 'suppressed') {
      skip(channel, 'suppressed');
      continue;
    }
    const key = destKeyOf(channel, p.prepared.message.to, o.contactId);
    await lockDestination(tx, o.accountId, key);
    try {
      await checkDestination(tx, o.accountId, key, settings.per_destination, deps.clock.now(), o.otpId, trigger);
    } catch (err) {
      if (!fallback || !(err instanceof RateLimited)) throw err;
      skip(channel, 'rate_limited');
      continue;
    }
    await commitSend(tx, o.accountId, p);
    deliveries.push({ trigger, channel_type: channel, message_id: p.prepared.message.id, dest_key: key, outcome: 'sent', reason: null });
    return { sent: { step, channel, messageId: p.prepared.message.id, destKey: key }, deliveries };
  }
  return { deliveries };
}
