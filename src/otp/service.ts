import type { AppDeps } from '../http/deps.js';
import { AppError, invalid, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { maskEmail, maskPhone } from '../core/mask.js';
import { serverKeys, unseal, seal } from '../core/server-keys.js';
import { withTransaction, type Queryable } from '../db/index.js';
import { getContact, getList } from '../contacts/index.js';
import { normaliseEmail, normalisePhone } from '../contacts/field-types.js';
import { claimIdempotencyKey, loadAccountInfo, requestHash, storeIdempotentAnswer } from '../messaging/index.js';
import { getTemplate } from '../templates/index.js';
import { generateCode, hashCode, sameHash } from './code.js';
import { otpLanguage } from './content.js';
import { decideVerify, type OtpStatus, type VerifyAnswer } from './decide.js';
import { sendFrom, type OtpMessageContext } from './deliver.js';
import { countAccount, countVerify } from './limits.js';
import { resolveOptions, type CreateOtpBody, type OtpChannel } from './options.js';
import { loadOtpSettings, type OtpSettings } from './settings.js';
import { attemptsOf, deliveriesOf, getOtp, insertDeliveries, insertOtp, recordVerify, type DeliveryRow, type OtpRow } from './sql.js';

export interface CreatedOtp {
  id: string;
  status: OtpStatus;
  channel: OtpChannel;
  channels: OtpChannel[];
  expires_at: string;
}

interface LoadedContact {
  id: string;
  address: { phone?: string; email?: string };
  language: unknown;
  country: string | null;
}

async function loadContact(db: Queryable, accountId: string, contactId: string): Promise<LoadedContact> {
  const c = await getContact(db, accountId, contactId);
  const list = c && (await getList(db, accountId, c.list_id));
  if (!c || !list) throw new AppError(422, 'invalid_request', `contact_id: contact "${contactId}" not found`, [{ field: 'contact_id', message: 'not found' }]);
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const phone = str(c.data.phone);
  const email = str(c.data.email)?.toLowerCase();
  return {
    id: c.id,
    address: { ...(phone ? { phone } : {}), ...(email ? { email } : {}) },
    language: c.data.language,
    country: str(c.data.country) ?? list.default_country,
  };
}

/** Pure: the channels of the asked order that have an address (push: a contact; its subscriptions are checked when sent). */
export function reachable(channels: OtpChannel[], address: { phone?: string; email?: string }, contactId: string | null): OtpChannel[] {
  return channels.filter((c) => (c === 'email' ? !!address.email : c === 'push' ? !!contactId : !!address.phone));
}

/** Templates per channel from `templates` and `template_id`, each checked to exist and be of its channel's kind. */
async function resolveTemplates(deps: AppDeps, accountId: string, body: CreateOtpBody, plan: OtpChannel[]): Promise<Partial<Record<OtpChannel, string>>> {
  const out: Partial<Record<OtpChannel, string>> = {};
  for (const [channel, id] of Object.entries(body.templates ?? {}) as Array<[OtpChannel, string]>) {
    const t = await getTemplate(deps.pool, accountId, id);
    if (!t) throw invalid(`templates.${channel}`, `template "${id}" not found`);
    if (t.channel_type !== channel) throw invalid(`templates.${channel}`, `template "${id}" is for ${t.channel_type}`);
    out[channel] = id;
  }
  if (body.template_id) {
    const t = await getTemplate(deps.pool, accountId, body.template_id);
    if (!t) throw invalid('template_id', `template "${body.template_id}" not found`);
    const channel = t.channel_type as OtpChannel;
    if (!body.channels.includes(channel)) throw invalid('template_id', `template is for ${t.channel_type}, which is not among the channels`);
    out[channel] ??= t.id;
  }
  return out;
}

const sealAad = (accountId: string, otpId: string) => `otp:${accountId}:${otpId}`;

/** The caller's addresses, normalised (E.164 with the contact's or the account's country; email). 422 naming the field. */
function normaliseDestination(to: CreateOtpBody['to'], country: string | null): { phone?: string; email?: string } {
  const out: { phone?: string; email?: string } = {};
  if (to?.phone) {
    const n = normalisePhone(to.phone, country);
    if (!n.ok) throw invalid('to.phone', n.reason);
    out.phone = String(n.value);
  }
  if (to?.email) {
    const n = normaliseEmail(to.email);
    if (!n.ok) throw invalid('to.email', n.reason);
    out.email = String(n.value);
  }
  return out;
}

/** POST /v1/otp: generate, hash, seal, send on the first channel that can take it — one transaction. */
export async function createOtp(deps: AppDeps, accountId: string, body: CreateOtpBody, idempotencyKey?: string): Promise<{ statusCode: number; body: CreatedOtp }> {
  const opts = resolveOptions(body);
  const now = deps.clock.now();
  const [settings, keys, account] = await Promise.all([loadOtpSettings(deps.pool, accountId), serverKeys(deps.pool, deps.config.secretKey), loadAccountInfo(deps.pool, accountId)]);
  const contact = body.contact_id ? await loadContact(deps.pool, accountId, body.contact_id) : undefined;
  const destination = normaliseDestination(body.to, contact?.country ?? account.country);
  // Kept (and shown masked) as it was when the OTP was asked for, the contact's addresses included.
  const address = { ...(contact?.address ?? {}), ...destination };
  const plan = reachable(opts.channels, address, contact?.id ?? null);
  if (plan.length === 0) throw invalid('channels', `no channel the contact can be reached on (${opts.channels.join(', ')}: no address for any)`);
  const templates = await resolveTemplates(deps, accountId, body, plan);
  const id = newId('otp');
  const code = generateCode(opts.length, opts.alphabet);
  const expiresAt = new Date(now.getTime() + opts.ttlSeconds * 1000);
  const language = otpLanguage(body.language, contact?.language, contact?.country ?? account.country);
  const ctx: OtpMessageContext = { accountId, otpId: id, contactId: contact?.id ?? null, destination, templates, language, context: opts.context, expiresAt, account };
  const timeouts = { ...settings.timeouts_seconds, ...opts.timeouts };
  // Counted before the transaction (one atomic upsert; inside it the counter's row lock would
  // serialise the account's creates). A retried request with its Idempotency-Key counts again.
  await countAccount(deps.pool, accountId, settings.per_account, now);
  return withTransaction(deps.pool, async (tx) => {
    if (idempotencyKey) {
      const first = await claimIdempotencyKey(tx, accountId, `otp:${idempotencyKey}`, requestHash(body));
      if (first) return { statusCode: first.status_code, body: first.response as CreatedOtp };
    }
    const { sent, deliveries } = await sendFrom(deps, tx, ctx, plan, 0, code, keys, settings, 'create');
    if (!sent) {
      const why = deliveries.map((d) => `${d.channel_type}: ${d.reason ?? ''}`).join('; ');
      throw invalid('channels', `no channel the contact can be reached on (${why})`);
    }
    // Written after its first message (which does not refer to it), already at its step.
    await insertOtp(tx, {
      account_id: accountId, id, contact_id: ctx.contactId, destination: address, channels: opts.channels, plan, step: sent.step,
      code_hash: hashCode(keys.otpHmac, id, code, opts.context), code_sealed: seal(keys.seal, code, sealAad(accountId, id)),
      code_length: opts.length, context: opts.context, require_context: opts.requireContext, templates, timeouts: opts.timeouts,
      language, max_attempts: opts.maxAttempts, expires_at: expiresAt, check_at: new Date(now.getTime() + timeouts[sent.channel] * 1000),
    }, deliveries);
    const answer: CreatedOtp = { id, status: 'pending', channel: sent.channel, channels: plan.slice(sent.step), expires_at: expiresAt.toISOString() };
    if (idempotencyKey) await storeIdempotentAnswer(tx, accountId, `otp:${idempotencyKey}`, 201, answer);
    return { statusCode: 201, body: answer };
  });
}

/** Who asked for a verify, kept with each attempt (the audit of a disputed login). */
export interface VerifySource {
  /** The end user's IP or device as the bank passed it; without it the per-source limit does not apply. */
  source: string | undefined;
  actor: string;
}

/** POST /v1/otp/{id}/verify: the row locked, the code compared in constant time, the attempt counted and kept. */
export async function verifyOtp(
  deps: AppDeps, accountId: string, id: string, input: { code: string; context?: Record<string, string> }, who: VerifySource,
  idempotencyKey?: string,
): Promise<VerifyAnswer> {
  const [settings, keys] = await Promise.all([loadOtpSettings(deps.pool, accountId), serverKeys(deps.pool, deps.config.secretKey)]);
  // The bank's backend calls from a few IPs for all its customers: only the source it names is limited.
  if (who.source) await countVerify(deps.pool, accountId, who.source, settings.per_verify_source, deps.clock.now());
  return withTransaction(deps.pool, async (tx) => {
    // A retried verify (the answer lost on the network) gets the first answer, not `already_used`.
    // The request is remembered by a keyed hash: an unkeyed one of a 6-digit code is no secret.
    const idem = idempotencyKey ? `otp-verify:${id}:${idempotencyKey}` : undefined;
    if (idem) {
      const first = await claimIdempotencyKey(tx, accountId, idem, hashCode(keys.otpHmac, id, input.code, input.context ?? null).toString('hex'));
      if (first) return first.response as VerifyAnswer;
    }
    const otp = await getOtp(tx, accountId, id, true);
    if (!otp) throw new AppError(404, 'not_found', 'otp not found', [{ field: 'id', message: 'not found' }]);
    if (otp.require_context && !input.context && otp.status === 'pending') {
      throw invalid('context', 'this OTP is bound to a context: verify with the same context (nothing was counted)');
    }
    // Without require_context a verify may leave the context out; one it gives must be the bound one.
    const context = input.context ?? otp.context;
    const matches = sameHash(hashCode(keys.otpHmac, otp.id, input.code, context), otp.code_hash);
    const { answer, change } = decideVerify({ status: otp.status, attempts: otp.attempts, maxAttempts: otp.max_attempts, expiresAt: otp.expires_at }, deps.clock.now(), matches);
    await recordVerify(tx, accountId, id, change.kind === 'attempt' ? change : null, answer.valid ? 'valid' : answer.reason, who);
    if (idem) await storeIdempotentAnswer(tx, accountId, idem, 200, answer);
    return answer;
  });
}

/** POST /v1/otp/{id}/resend: the next channel of the plan (or the one asked for; else the same one), same code. */
export async function resendOtp(deps: AppDeps, accountId: string, id: string, channel: OtpChannel | undefined): Promise<{ id: string; channel: OtpChannel; message_id: string }> {
  const [settings, keys] = await Promise.all([loadOtpSettings(deps.pool, accountId), serverKeys(deps.pool, deps.config.secretKey)]);
  const exists = await getOtp(deps.pool, accountId, id);
  if (!exists) throw new AppError(404, 'not_found', 'otp not found', [{ field: 'id', message: 'not found' }]);
  await countAccount(deps.pool, accountId, settings.per_account, deps.clock.now());
  return withTransaction(deps.pool, async (tx) => {
    const otp = await getOtp(tx, accountId, id, true);
    if (!otp) throw notFound('otp');
    const now = deps.clock.now();
    if (otp.status !== 'pending' && otp.status !== 'undeliverable') throw new AppError(409, 'conflict', `the OTP is ${otp.status}: request a new one`);
    if (now.getTime() >= otp.expires_at.getTime() || !otp.code_sealed) throw new AppError(409, 'conflict', 'the OTP has expired: request a new one');
    let from: number;
    if (channel) {
      from = otp.plan.indexOf(channel);
      if (from < 0) throw invalid('channel', `${channel} is not among this OTP's reachable channels (${otp.plan.join(', ')})`);
    } else {
      from = otp.step + 1 < otp.plan.length ? otp.step + 1 : Math.max(0, otp.step);
    }
    const code = unseal(keys.seal, otp.code_sealed, sealAad(accountId, id));
    // The asked channel only: a resend that cannot go says why instead of quietly using another.
    const plan = channel ? otp.plan.slice(0, from + 1) : otp.plan;
    const { sent, deliveries } = await sendFrom(deps, tx, contextOf(otp), plan, from, code, keys, settings, 'resend');
    if (!sent) throw invalid('channel', `could not resend (${deliveries.map((d) => `${d.channel_type}: ${d.reason ?? ''}`).join('; ')})`);
    await insertDeliveries(tx, accountId, id, deliveries);
    const timeouts = { ...settings.timeouts_seconds, ...otp.timeouts };
    // A resend on an earlier channel never walks the fallback back: the channels already tried
    // are not tried again (each would be a free message past the per-destination limit).
    if (sent.step >= otp.step) {
      await tx.query(
        `UPDATE otps SET step = $3, status = 'pending', check_at = $4 WHERE account_id = $1 AND id = $2`,
        [accountId, id, sent.step, new Date(now.getTime() + timeouts[sent.channel] * 1000)],
      );
    } else {
      await tx.query(`UPDATE otps SET status = 'pending' WHERE account_id = $1 AND id = $2`, [accountId, id]);
    }
    return { id, channel: sent.channel, message_id: sent.messageId };
  });
}

export function contextOf(otp: OtpRow): OtpMessageContext {
  return {
    accountId: otp.account_id, otpId: otp.id, contactId: otp.contact_id, destination: otp.destination, templates: otp.templates,
    language: otp.language ?? 'en', context: otp.context, expiresAt: otp.expires_at,
  };
}

export { loadContact, sealAad };

function maskDestination(d: OtpRow['destination'], contactAddress?: { phone?: string; email?: string }): { phone?: string; email?: string } {
  const phone = d.phone ?? contactAddress?.phone;
  const email = d.email ?? contactAddress?.email;
  return { ...(phone ? { phone: maskPhone(phone) } : {}), ...(email ? { email: maskEmail(email) } : {}) };
}

/** What GET /v1/otp[/{id}] shows: never the code, the destination masked. */
export function otpView(otp: OtpRow, deliveries: DeliveryRow[], now: Date) {
  const status: OtpStatus = (otp.status === 'pending' || otp.status === 'undeliverable') && now >= otp.expires_at ? 'expired' : otp.status;
  const sent = deliveries.filter((d) => d.outcome === 'sent');
  return {
    id: otp.id,
    status,
    channel: otp.plan[otp.step] ?? null,
    channels: otp.plan,
    contact_id: otp.contact_id,
    to: maskDestination(otp.destination),
    attempts_left: Math.max(0, otp.max_attempts - otp.attempts),
    max_attempts: otp.max_attempts,
    expires_at: otp.expires_at,
    created_at: otp.created_at,
    verified_at: otp.verified_at,
    verified_channel: otp.verified_channel,
    context: otp.context,
    deliveries: deliveries.map((d) => ({
      channel_type: d.channel_type, outcome: d.outcome, message_id: d.message_id,
      status: d.outcome === 'skipped' ? 'skipped' : d.status, reason: d.reason,
      queued_at: d.created_at, sent_at: d.sent_at, delivered_at: d.delivered_at,
    })),
    sent_count: sent.length,
  };
}

export async function getOtpView(deps: AppDeps, accountId: string, id: string) {
  const otp = await getOtp(deps.pool, accountId, id);
  if (!otp) throw notFound('otp');
  const [d, attempts] = await Promise.all([deliveriesOf(deps.pool, accountId, [id]), attemptsOf(deps.pool, accountId, id)]);
  return { ...otpView(otp, d.get(id) ?? [], deps.clock.now()), verifications: attempts };
}

export type { OtpSettings };
