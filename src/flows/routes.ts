import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../http/deps.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { withTransaction } from '../db/index.js';
import { recordAudit } from '../audit/index.js';
import { definitionJsonSchema } from './definition/schema.js';
import { checkDefinition } from './checks.js';
import { flowExamples } from './examples.js';
import { scheduleEntry } from './entries/scheduler.js';
import { deleteFlow, getFlow, getVersion, insertFlow, listFlows, listVersions, publishVersion, updateDraft, type FlowRow } from './sql/flows.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Definition = Type.Unknown({ description: 'A flow definition (GET /v1/flows/schema; docs/flows.md)' });

export function flowView(f: FlowRow) {
  return { id: f.id, name: f.name, list_id: f.list_id, status: f.status, draft: f.draft, version: f.version, created_at: f.created_at, updated_at: f.updated_at };
}

/** Flow definitions: drafts, publishing, versions. */
export const flowDefinitionRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;
  const requireFlow = async (accountId: string, id: string) => {
    const f = await getFlow(pool, accountId, id);
    if (!f) throw notFound('flow');
    return f;
  };

  app.get('/flows/schema', { schema: { tags: ['flows'] } }, async () => definitionJsonSchema());
  app.get('/flows/examples', { schema: { tags: ['flows'] } }, async () => ({ examples: await flowExamples() }));

  app.post('/flows', {
    schema: {
      tags: ['flows'],
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), list_id: Type.String({ minLength: 1, maxLength: 64 }), definition: Definition }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const def = await checkDefinition(pool, req.auth.accountId, req.body.list_id, req.body.definition, deps.config.ssrfAllow);
    const flow = await insertFlow(pool, { accountId: req.auth.accountId, id: newId('flw'), name: req.body.name, listId: req.body.list_id, draft: def });
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'flow.created', target: flow.id });
    return reply.status(201).send(flowView(flow));
  });

  app.get('/flows', { schema: { tags: ['flows'] } }, async (req) => ({ flows: (await listFlows(pool, req.auth.accountId)).map(flowView) }));

  app.get('/flows/:id', { schema: { tags: ['flows'], params: IdParams } }, async (req) => flowView(await requireFlow(req.auth.accountId, req.params.id)));

  app.put('/flows/:id', {
    schema: {
      tags: ['flows'], params: IdParams,
      body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), definition: Definition }, { additionalProperties: false }),
    },
  }, async (req) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    const def = await checkDefinition(pool, req.auth.accountId, flow.list_id, req.body.definition, deps.config.ssrfAllow);
    const row = await updateDraft(pool, req.auth.accountId, flow.id, { name: req.body.name, draft: def });
    if (!row) throw notFound('flow');
    return flowView(row);
  });

  app.delete('/flows/:id', { schema: { tags: ['flows'], params: IdParams } }, async (req, reply) => {
    if (!(await deleteFlow(pool, req.auth.accountId, req.params.id))) throw notFound('flow');
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'flow.deleted', target: req.params.id });
    return reply.status(204).send();
  });

  app.post('/flows/:id/publish', { schema: { tags: ['flows'], params: IdParams } }, async (req, reply) => {
    const published = await withTransaction(pool, async (tx) => {
      const flow = await getFlow(tx, req.auth.accountId, req.params.id, { forUpdate: true });
      if (!flow) throw notFound('flow');
      // The draft was valid when saved; the list or the network rules may have changed since.
      const def = await checkDefinition(tx, req.auth.accountId, flow.list_id, flow.draft, deps.config.ssrfAllow);
      const v = await publishVersion(tx, req.auth.accountId, flow, def, req.auth.actor);
      await scheduleEntry(tx, req.auth.accountId, flow.id, v.version, def, deps.clock.now());
      await recordAudit(tx, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'flow.published', target: flow.id, detail: { version: v.version } });
      return v;
    });
    return reply.status(201).send(published);
  });

  app.get('/flows/:id/versions', { schema: { tags: ['flows'], params: IdParams } }, async (req) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    return { versions: await listVersions(pool, req.auth.accountId, flow.id) };
  });

  app.get('/flows/:id/versions/:version', {
    schema: { tags: ['flows'], params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), version: Type.Integer({ minimum: 1 }) }) },
  }, async (req) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    const v = await getVersion(pool, req.auth.accountId, flow.id, req.params.version);
    if (!v) throw notFound('version');
    return v;
  });
};

