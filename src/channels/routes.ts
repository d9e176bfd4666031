import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../http/deps.js';
import { newId } from '../core/ids.js';
import { notFound } from '../core/errors.js';
import { recordAudit } from '../audit/index.js';
import { deleteChannel, insertChannel, listChannels, updateChannel } from './sql.js';
import { channelView, parseCost, patchedConfig, prepareNewConfig, providerOf, requireChannel } from './service.js';
import { sandboxChannel, SANDBOX_CHANNEL_IDS } from './sandbox/channels.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Config = Type.Record(Type.String(), Type.Unknown(), { description: 'Provider settings (API.md, "Messaging"); secrets are write-only' });

/** `POST|GET /v1/channels`, `GET|PATCH|DELETE /v1/channels/{id}`. Changing channels needs admin: they hold credentials. */
export const channelRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;

  app.post('/channels', {
    config: { role: 'admin' },
    schema: {
      tags: ['messaging'],
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 200 }),
        type: Type.String({ minLength: 1, maxLength: 32, description: 'smtp, smpp, http_sms, web_push, voice, webhook or db_update' }),
        config: Type.Optional(Config),
        cost_per_message: Type.Optional(Type.Number({ minimum: 0 })),
      }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const provider = providerOf(req.body.type);
    const config = await prepareNewConfig(provider, req.body.config ?? {});
    const row = await insertChannel(pool, {
      account_id: req.auth.accountId, id: newId('chn'), name: req.body.name, type: provider.type, kind: provider.kind,
      config, cost_per_message: parseCost(req.body.cost_per_message) ?? '0', sandbox: false,
    });
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'channel.created', target: row.id });
    return reply.status(201).send(channelView(row));
  });

  app.get('/channels', { schema: { tags: ['messaging'] } }, async (req) => {
    const rows = await listChannels(pool, req.auth.accountId);
    const channels = rows.map(channelView);
    if (deps.sandbox) {
      for (const id of Object.values(SANDBOX_CHANNEL_IDS)) channels.push(channelView(sandboxChannel(req.auth.accountId, id, deps.sandbox)!));
    }
    return { channels };
  });

  app.get('/channels/:id', { schema: { tags: ['messaging'], params: IdParams } }, async (req) => {
    const sbx = deps.sandbox && sandboxChannel(req.auth.accountId, req.params.id, deps.sandbox);
    return channelView(sbx || (await requireChannel(pool, req.auth.accountId, req.params.id)));
  });

  app.patch('/channels/:id', {
    config: { role: 'admin' },
    schema: {
      tags: ['messaging'], params: IdParams,
      body: Type.Object({
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        config: Type.Optional(Config),
        cost_per_message: Type.Optional(Type.Number({ minimum: 0 })),
      }, { additionalProperties: false }),
    },
  }, async (req) => {
    const current = await requireChannel(pool, req.auth.accountId, req.params.id);
    const config = req.body.config ? await patchedConfig(providerOf(current.type), current.config, req.body.config) : undefined;
    const row = await updateChannel(pool, req.auth.accountId, current.id, { name: req.body.name, config, cost_per_message: parseCost(req.body.cost_per_message) });
    if (!row) throw notFound('channel');
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'channel.updated', target: row.id });
    return channelView(row);
  });

  app.delete('/channels/:id', { config: { role: 'admin' }, schema: { tags: ['messaging'], params: IdParams } }, async (req, reply) => {
    if (!(await deleteChannel(pool, req.auth.accountId, req.params.id))) throw notFound('channel');
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'channel.deleted', target: req.params.id });
    return reply.status(204).send();
  });
};
