import type { AppDeps } from '../http/deps.js';
import { withTransaction, type PoolClient, type Queryable } from '../db/index.js';
import { newId } from '../core/ids.js';
import { resolveChannel } from '../channels/service.js';
import type { ChannelKind, RenderedContent } from '../channels/port.js';
import type { OtpVariables } from '../templates/index.js';
import { checkPolicy } from './policy/check.js';
import type { PolicyDecision } from './policy/decide.js';
import { loadAccountInfo, renderFor, resolveRecipient, type AccountInfo, type SendRequest } from './compose.js';
import { decodeAttachments, refsOf, storeAttachments, type NewAttachment } from './attachments.js';
import { claimIdempotencyKey, requestHash, storeIdempotentAnswer } from './idempotency.js';
import { prepareMessage, unsubscribeFor, type PreparedMessage } from './prepare.js';
import { writeMessages } from './sql/write-messages.js';
import type { MessageStatus } from './status.js';

export { OUTBOX_CHANNEL } from './sql/write-messages.js';

export interface SendAnswer {
  statusCode: number;
  body: { id: string; status: MessageStatus; reason?: string; due_at?: string };
}

export interface SendOptions {
  idempotencyKey?: string;
  /** Who asked (a flow step, an OTP, a broadcast): kept on the message for events back into flows. */
  source?: Record<string, unknown>;
  /** An OTP message: see OtpRendering. */
  otp?: OtpRendering;
  /** The account, when the caller has it already (one read fewer on a hot path). */
  account?: AccountInfo;
}

/**
 * An OTP is rendered twice: with the real code for the provider (sealed into the outbox row, gone
 * once sent) and with the mask for the message row that the API, the console and the archive show.
 * Its links are never rewritten for tracking.
 */
export interface OtpRendering {
  real: OtpVariables;
  masked: OtpVariables;
  /** Seals the real content for the message id (AES-GCM with the server key, the id as AAD). */
  seal: (content: RenderedContent, messageId: string) => Buffer;
}

/** A message rendered and through the policy gate, not yet written. */
export interface PreparedSend {
  prepared: PreparedMessage;
  answer: SendAnswer;
  attachments: NewAttachment[];
  requestHash: string;
}

/**
 * Everything before the write: resolve channel and recipient, render, policy gate, tracking. Reads
 * only — the caller writes it with `commitSend` in its own transaction (an OTP writes its row beside it).
 */
export async function prepareSend(
  deps: AppDeps, accountId: string, req: SendRequest, opts: SendOptions = {},
  /** Where the reads go: a caller already holding a transaction passes it (never a second pool client). */
  db: Queryable = deps.pool,
): Promise<PreparedSend> {
  const { clock, config } = deps;
  const pool = db;
  const attachments = decodeAttachments(req.attachments, config.attachmentLimit);
  const account = opts.account ?? (await loadAccountInfo(pool, accountId));
  const channel = await resolveChannel(pool, accountId, req, deps.sandbox);
  const kind = channel.kind as ChannelKind;
  const recipient = await resolveRecipient(pool, account, req, kind);
  const unsubscribe = unsubscribeFor(recipient, config.publicUrl);
  const rendered = await renderFor(pool, account, req, kind, recipient, unsubscribe.links.unsubscribe, opts.otp?.masked);
  const gate = await checkPolicy(pool, {
    accountId, category: req.category, channelKind: kind, contact: recipient.contactId ? recipient.fields : null,
    contactId: recipient.contactId, address: recipient.match, now: clock.now(),
  });
  // A code waited for at a login cannot wait for a window to open: sending windows (even ones an
  // account set for transactional mail) never hold an OTP; suppressions and opt-outs still stop it.
  const decision: PolicyDecision = opts.otp && gate.decision === 'defer' ? { decision: 'send' } : gate;
  const id = newId('msg');
  const prepared = prepareMessage({
    accountId, id, channel, recipient, content: rendered.content, templateId: rendered.templateId,
    templateName: rendered.templateName, decision, category: req.category, data: req.data ?? {}, attachments: refsOf(attachments),
    unsubscribe, publicUrl: config.publicUrl, source: opts.source ?? null, ...(opts.otp ? { track: false } : {}),
  });
  if (opts.otp && prepared.message.status !== 'suppressed') {
    const real = await renderFor(pool, account, req, kind, recipient, unsubscribe.links.unsubscribe, opts.otp.real);
    prepared.sealed = opts.otp.seal(real.content, id);
  }
  const m = prepared.message;
  const answer: SendAnswer = {
    statusCode: 202,
    body: {
      id: m.id, status: m.status,
      ...(decision.decision !== 'send' ? { reason: decision.reason } : {}),
      ...(prepared.dueAt ? { due_at: prepared.dueAt.toISOString() } : {}),
    },
  };
  return { prepared, answer, attachments, requestHash: requestHash(req) };
}

/** Writes a prepared message (row, tokens, first event, outbox entry) in the caller's transaction. */
export async function commitSend(tx: PoolClient, accountId: string, p: PreparedSend): Promise<void> {
  await storeAttachments(tx, accountId, p.attachments);
  await writeMessages(tx, accountId, [p.prepared]);
}

/**
 * The path of one message up to the outbox (DESIGN.md): resolve channel and recipient, render,
 * policy gate, tracking — then the message row, its outbox entry and its idempotency key in one
 * transaction. A suppressed message is kept (with its reason) and never queued; a deferred one is
 * queued for its window's opening.
 */
export async function sendMessage(deps: AppDeps, accountId: string, req: SendRequest, opts: SendOptions = {}): Promise<SendAnswer> {
  const p = await prepareSend(deps, accountId, req, opts);
  return withTransaction(deps.pool, async (tx: PoolClient) => {
    if (opts.idempotencyKey) {
      const first = await claimIdempotencyKey(tx, accountId, opts.idempotencyKey, p.requestHash);
      if (first) return { statusCode: first.status_code, body: first.response as SendAnswer['body'] };
    }
    await commitSend(tx, accountId, p);
    if (opts.idempotencyKey) await storeIdempotentAnswer(tx, accountId, opts.idempotencyKey, p.answer.statusCode, p.answer.body);
    return p.answer;
  });
}
