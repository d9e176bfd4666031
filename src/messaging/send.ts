import type { AppDeps } from '../http/deps.js';
import { withTransaction, type PoolClient } from '../db/index.js';
import { newId } from '../core/ids.js';
import { resolveChannel } from '../channels/service.js';
import type { ChannelKind } from '../channels/port.js';
import { checkPolicy } from './policy/check.js';
import { loadAccountInfo, renderFor, resolveRecipient, type SendRequest } from './compose.js';
import { decodeAttachments, refsOf, storeAttachments } from './attachments.js';
import { claimIdempotencyKey, requestHash, storeIdempotentAnswer } from './idempotency.js';
import { prepareMessage, unsubscribeFor } from './prepare.js';
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
  /** An OTP code the template shows as `otp.code`. */
  otp?: string;
}

/**
 * The path of one message up to the outbox (DESIGN.md): resolve channel and recipient, render,
 * policy gate, tracking — then the message row, its outbox entry and its idempotency key in one
 * transaction. A suppressed message is kept (with its reason) and never queued; a deferred one is
 * queued for its window's opening.
 */
export async function sendMessage(deps: AppDeps, accountId: string, req: SendRequest, opts: SendOptions = {}): Promise<SendAnswer> {
  const { pool, clock, config } = deps;
  const attachments = decodeAttachments(req.attachments, config.attachmentLimit);
  const account = await loadAccountInfo(pool, accountId);
  const channel = await resolveChannel(pool, accountId, req, deps.sandbox);
  const kind = channel.kind as ChannelKind;
  const recipient = await resolveRecipient(pool, account, req, kind);
  const unsubscribe = unsubscribeFor(recipient, config.publicUrl);
  const rendered = await renderFor(pool, account, req, kind, recipient, unsubscribe.links.unsubscribe, opts.otp);
  const decision = await checkPolicy(pool, {
    accountId, category: req.category, channelKind: kind, contact: recipient.contactId ? recipient.fields : null,
    contactId: recipient.contactId, address: recipient.match, now: clock.now(),
  });
  const prepared = prepareMessage({
    accountId, id: newId('msg'), channel, recipient, content: rendered.content, templateId: rendered.templateId,
    templateName: rendered.templateName, decision, category: req.category, data: req.data ?? {}, attachments: refsOf(attachments),
    unsubscribe, publicUrl: config.publicUrl, source: opts.source ?? null,
  });
  const m = prepared.message;
  const answer: SendAnswer = {
    statusCode: 202,
    body: {
      id: m.id, status: m.status,
      ...(decision.decision !== 'send' ? { reason: decision.reason } : {}),
      ...(prepared.dueAt ? { due_at: prepared.dueAt.toISOString() } : {}),
    },
  };
  return withTransaction(pool, async (tx: PoolClient) => {
    if (opts.idempotencyKey) {
      const first = await claimIdempotencyKey(tx, accountId, opts.idempotencyKey, requestHash(req));
      if (first) return { statusCode: first.status_code, body: first.response as SendAnswer['body'] };
    }
    await storeAttachments(tx, accountId, attachments);
    await writeMessages(tx, accountId, [prepared]);
    if (opts.idempotencyKey) await storeIdempotentAnswer(tx, accountId, opts.idempotencyKey, answer.statusCode, answer.body);
    return answer;
  });
}
