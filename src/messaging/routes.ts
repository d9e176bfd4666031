import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../http/deps.js';
import { AppError, invalid, notFound } from '../core/errors.js';
import { toChannelKind } from '../channels/kinds.js';
import { loadChannel } from '../channels/service.js';
import { MESSAGE_STATUSES } from './status.js';
import { sendMessage } from './send.js';
import type { SendRequest } from './compose.js';
import { checkIdempotencyKey } from './idempotency.js';
import { findMessages, getMessage, messageEvents, type MessageRow } from './sql/messages.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const AttachmentInput = Type.Object({
  filename: Type.String({ minLength: 1, maxLength: 255 }),
  content_type: Type.String({ minLength: 1, maxLength: 255 }),
  content: Type.String({ description: 'base64' }),
}, { additionalProperties: false });

export const SendBody = Type.Object({
  contact_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  channel_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  channel_type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  template_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  content: Type.Optional(Type.Object({
    subject: Type.Optional(Type.String({ maxLength: 998 })),
    body: Type.Optional(Type.String({ maxLength: 1_000_000, description: 'Liquid, rendered like a template' })),
    text: Type.Optional(Type.String({ maxLength: 1_000_000 })),
    html: Type.Optional(Type.String({ maxLength: 5_000_000 })),
  }, { additionalProperties: false })),
  category: Type.Union([Type.Literal('transactional'), Type.Literal('marketing')]),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  attachments: Type.Optional(Type.Array(AttachmentInput, { maxItems: 20 })),
}, { additionalProperties: false });

function messageView(m: MessageRow) {
  return {
    id: m.id, status: m.status, channel_type: m.channel_type, channel_id: m.channel_id, to: m.to_address,
    contact_id: m.contact_id, category: m.category, template_id: m.template_id,
    subject: m.content.subject ?? null, segments: m.segments, cost: Number(m.cost), attempts: m.attempts,
    error: m.error, policy: m.policy, created_at: m.created_at, sent_at: m.sent_at,
  };
}

/** `POST /v1/messages`, `GET /v1/messages[/{id}]`, `GET /v1/sandbox/messages`, `POST /v1/channels/{id}/test`. */
export const messageRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;

  app.post('/messages', {
    // Room for base64 attachments up to the configured limit; checkAttachments names the one over it.
    bodyLimit: Math.ceil(deps.config.attachmentLimit * 1.5) + 1024 * 1024,
    schema: {
      tags: ['messaging'], body: SendBody,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
    },
  }, async (req, reply) => {
    const key = checkIdempotencyKey(req.headers['idempotency-key']);
    const answer = await sendMessage(deps, req.auth.accountId, req.body as SendRequest, { idempotencyKey: key });
    return reply.status(answer.statusCode).send(answer.body);
  });

  app.get('/messages/:id', { schema: { tags: ['messaging'], params: IdParams } }, async (req) => {
    const m = await getMessage(pool, req.auth.accountId, req.params.id);
    if (!m) throw notFound('message');
    const events = await messageEvents(pool, req.auth.accountId, m.id);
    return { ...messageView(m), content: m.content, events: events.map((e) => ({ type: e.type, at: e.at, detail: e.detail })) };
  });

  app.get('/messages', {
    schema: {
      tags: ['messaging'],
      querystring: Type.Object({
        contact_id: Type.Optional(Type.String({ maxLength: 64 })),
        status: Type.Optional(Type.String()),
        channel_type: Type.Optional(Type.String()),
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        cursor: Type.Optional(Type.String({ maxLength: 200 })),
      }),
    },
  }, async (req) => {
    const q = req.query;
    if (q.status && !(MESSAGE_STATUSES as readonly string[]).includes(q.status)) throw invalid('status', `one of ${MESSAGE_STATUSES.join(', ')}`);
    const limit = q.limit ?? 50;
    const rows = await findMessages(pool, req.auth.accountId, {
      contactId: q.contact_id, status: q.status, channelType: q.channel_type ? toChannelKind(q.channel_type) : undefined,
      from: q.from, to: q.to, after: q.cursor ? decodeCursor(q.cursor) : undefined, limit,
    });
    const last = rows[rows.length - 1];
    return {
      messages: rows.map(messageView),
      next_cursor: rows.length === limit && last ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString('base64url') : null,
    };
  });

  app.post('/channels/:id/test', {
    schema: {
      tags: ['messaging'], params: IdParams,
      body: Type.Object({ to: Type.String({ minLength: 1, maxLength: 2048 }), text: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    if (!(await loadChannel(pool, req.auth.accountId, req.params.id, deps.sandbox))) throw notFound('channel');
    const text = req.body.text ?? 'Conversa test message';
    const answer = await sendMessage(deps, req.auth.accountId, {
      channel_id: req.params.id, to: req.body.to, category: 'transactional',
      content: { subject: 'Conversa test message', text },
    }, { source: { kind: 'channel_test' } });
    return reply.status(answer.statusCode).send(answer.body);
  });

  app.get('/sandbox/messages', {
    schema: {
      tags: ['messaging'],
      querystring: Type.Object({
        to: Type.Optional(Type.String()),
        channel_type: Type.Optional(Type.String()),
        since: Type.Optional(Type.String({ format: 'date-time' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      }),
    },
  }, async (req) => {
    if (!deps.sandbox) throw new AppError(404, 'not_found', 'the sandbox is off (CONVERSA_SANDBOX=0 or channels configured)');
    const q = req.query;
    const r = await pool.query(
      `SELECT id, message_id, channel_type, to_address AS to, subject, text, raw, duplicates, received_at
       FROM sandbox_messages WHERE account_id = $1 AND ($2::text IS NULL OR to_address = $2)
         AND ($3::text IS NULL OR channel_type = $3) AND ($4::timestamptz IS NULL OR received_at >= $4)
       ORDER BY received_at DESC, id DESC LIMIT $5`,
      [req.auth.accountId, q.to ?? null, q.channel_type ? toChannelKind(q.channel_type) : null, q.since ?? null, q.limit ?? 100],
    );
    return r.rows;
  });
};

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return { createdAt: v[0], id: v[1] };
  } catch { /* fall through */ }
  throw invalid('cursor', 'not a cursor from a previous page');
}
