import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { invalid, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { withTransaction } from '../../db/index.js';
import { enqueueJob } from '../../jobs/index.js';
import { recordAudit } from '../../audit/index.js';
import { requireList, requireSegment, validateFilter } from '../../contacts/segments/index.js';
import { resolveChannel } from '../../channels/service.js';
import { getTemplate } from '../../templates/index.js';
import { checkIdempotencyKey, claimIdempotencyKey, requestHash, storeIdempotentAnswer } from '../idempotency.js';
import { BROADCAST_JOB } from './run.js';
import { decodeAttachments, refsOf, storeAttachments } from '../attachments.js';
import { AttachmentInput } from '../routes.js';
import { getBroadcast, insertBroadcast, listBroadcasts, type BroadcastRow } from './sql.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function broadcastView(b: BroadcastRow) {
  return {
    id: b.id, status: b.status, list_id: b.list_id, segment_id: b.segment_id, channel_id: b.channel_id, template_id: b.template_id,
    category: b.category, total: b.total, queued: b.queued, deferred: b.deferred, suppressed: b.suppressed, skipped: b.skipped,
    error: b.error, created_at: b.created_at, started_at: b.started_at, finished_at: b.finished_at,
  };
}

/** `POST /v1/broadcasts` (a template to every contact of a segment or list), `GET /v1/broadcasts[/{id}]`. */
export const broadcastRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;

  app.post('/broadcasts', {
    bodyLimit: Math.ceil(deps.config.attachmentLimit * 1.5) + 1024 * 1024,
    schema: {
      tags: ['messaging'],
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
      body: Type.Object({
        segment_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        list_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'every contact of the list (instead of segment_id)' })),
        channel_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        channel_type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
        template_id: Type.String({ minLength: 1, maxLength: 64 }),
        category: Type.Union([Type.Literal('transactional'), Type.Literal('marketing')]),
        data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        attachments: Type.Optional(Type.Array(AttachmentInput, { maxItems: 20, description: 'one for all: stored once, sent with every message' })),
      }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const b = req.body;
    const accountId = req.auth.accountId;
    const key = checkIdempotencyKey(req.headers['idempotency-key']);
    if (!!b.segment_id === !!b.list_id) throw invalid('segment_id', 'give segment_id or list_id');
    const segment = b.segment_id ? await requireSegment(pool, accountId, b.segment_id).catch(() => { throw invalid('segment_id', 'segment not found'); }) : undefined;
    const list = await requireList(pool, accountId, segment?.list_id ?? b.list_id!).catch(() => { throw invalid('list_id', 'list not found'); });
    if (segment) validateFilter(list, segment.filter, 'segment_id');
    const channel = await resolveChannel(pool, accountId, b, deps.sandbox);
    const template = await getTemplate(pool, accountId, b.template_id);
    if (!template) throw invalid('template_id', 'template not found');
    if (template.channel_type !== channel.kind) throw invalid('template_id', `template is for ${template.channel_type}, the channel sends ${channel.kind}`);
    const attachments = decodeAttachments(b.attachments, deps.config.attachmentLimit);
    const answer = await withTransaction(pool, async (tx) => {
      if (key) {
        const first = await claimIdempotencyKey(tx, accountId, key, requestHash(b));
        if (first) return first.response as { id: string; status: string };
      }
      const row = await insertBroadcast(tx, {
        account_id: accountId, id: newId('bc'), list_id: list.id, segment_id: segment?.id ?? null, channel_id: channel.id,
        template_id: template.id, category: b.category, data: b.data ?? {}, attachments: refsOf(attachments),
      });
      await storeAttachments(tx, accountId, attachments);
      await enqueueJob(tx, { accountId, kind: BROADCAST_JOB, payload: { account_id: accountId, broadcast_id: row.id }, maxAttempts: 20 });
      await recordAudit(tx, { accountId, actor: req.auth.actor, action: 'broadcast.created', target: row.id, detail: { segment_id: row.segment_id, template_id: row.template_id } });
      const body = { id: row.id, status: row.status };
      if (key) await storeIdempotentAnswer(tx, accountId, key, 202, body);
      return body;
    });
    return reply.status(202).send(answer);
  });

  app.get('/broadcasts', { schema: { tags: ['messaging'] } }, async (req) => ({
    broadcasts: (await listBroadcasts(pool, req.auth.accountId, 100)).map(broadcastView),
  }));

  app.get('/broadcasts/:id', { schema: { tags: ['messaging'], params: IdParams } }, async (req) => {
    const b = await getBroadcast(pool, req.auth.accountId, req.params.id);
    if (!b) throw notFound('broadcast');
    return broadcastView(b);
  });
};

