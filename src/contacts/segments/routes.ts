import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../http/deps.js';
import { notFound } from '../../core/errors.js';
import { recordAudit } from '../../audit/index.js';
import { CountBody, IdParams, SearchBody, SegmentBody, SegmentPatch } from './schemas.js';
import {
  changeSegment, countMatching, countSegment, createSegment, requireList, requireSegment, resolveFilter, searchMatching, segmentView,
} from './service.js';
import { listSegments } from './sql/list-segments.js';
import { deleteSegment } from './sql/delete-segment.js';

/** Segments (saved filters) and the live count/search the console's filter builder calls. */
export const segmentRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;
  const tags = ['segments'];

  app.post('/lists/:id/segments', { schema: { tags, params: IdParams, body: SegmentBody } }, async (req, reply) => {
    const list = await requireList(pool, req.auth.accountId, req.params.id);
    const segment = await createSegment(deps, list, req.body);
    await recordAudit(pool, { accountId: list.account_id, actor: req.auth.actor, action: 'segment.created', target: segment.id });
    return reply.status(201).send(segmentView(segment));
  });

  app.get('/lists/:id/segments', { schema: { tags, params: IdParams } }, async (req) => {
    const list = await requireList(pool, req.auth.accountId, req.params.id);
    return { segments: (await listSegments(pool, list.account_id, list.id)).map(segmentView) };
  });

  app.get('/segments/:id', { schema: { tags, params: IdParams } }, async (req) =>
    segmentView(await requireSegment(pool, req.auth.accountId, req.params.id)));

  app.patch('/segments/:id', { schema: { tags, params: IdParams, body: SegmentPatch } }, async (req) => {
    const segment = await changeSegment(deps, req.auth.accountId, req.params.id, req.body);
    await recordAudit(pool, { accountId: segment.account_id, actor: req.auth.actor, action: 'segment.updated', target: segment.id });
    return segmentView(segment);
  });

  app.delete('/segments/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
    if (!(await deleteSegment(pool, req.auth.accountId, req.params.id))) throw notFound('segment');
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'segment.deleted', target: req.params.id });
    return reply.status(204).send();
  });

  app.get('/segments/:id/count', { schema: { tags, params: IdParams } }, async (req) =>
    ({ count: await countSegment(deps, req.auth.accountId, req.params.id) }));

  // Reads, though POSTs (a filter does not fit a query string): viewers may call them.
  app.post('/lists/:id/contacts/count', { config: { role: 'viewer' }, schema: { tags, params: IdParams, body: CountBody } }, async (req) => {
    const list = await requireList(pool, req.auth.accountId, req.params.id);
    const filter = await resolveFilter(pool, req.auth.accountId, list, req.body);
    return { count: await countMatching(deps, list, filter) };
  });

  app.post('/lists/:id/contacts/search', { config: { role: 'viewer' }, schema: { tags, params: IdParams, body: SearchBody } }, async (req) => {
    const list = await requireList(pool, req.auth.accountId, req.params.id);
    const filter = await resolveFilter(pool, req.auth.accountId, list, req.body);
    const { limit, cursor, sort } = req.body;
    return searchMatching(deps, list, { filter, limit: limit ?? 50, cursor: cursor ?? undefined, sort });
  });
};
