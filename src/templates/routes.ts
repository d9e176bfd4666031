import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../http/deps.js';
import type { ChannelKind } from '../channels/port.js';
import { conflict, invalid, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { withTransaction } from '../db/index.js';
import { recordAudit } from '../audit/index.js';
import { templateKind } from './kinds.js';
import { bodyFormat, checkTemplate, type TemplateSource } from './render.js';
import { previewTemplate } from './preview.js';
import { LIMITS } from './liquid.js';
import {
  accountPartials, deleteTemplate, getTemplate, insertTemplate, listTemplates,
  templateNameTaken, updateTemplate, type TemplateRow,
} from './sql.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
// `body` is optional in the schema so that a missing body is our 422 naming it, like a bad one.
const TemplateFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  channel_type: Type.String({ description: 'email, sms, push, voice, webhook or db_update (or a provider type: smtp, smpp, http_sms, web_push)' }),
  subject: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { description: 'Liquid; the email subject or push title' })),
  body: Type.Optional(Type.String({ description: 'Liquid; MJML when it starts with <mjml>' })),
};

export function templateView(t: TemplateRow) {
  return {
    id: t.id, name: t.name, channel_type: t.channel_type, subject: t.subject, body: t.body,
    format: bodyFormat(t), created_at: t.created_at, updated_at: t.updated_at,
  };
}

// What a preview renders for: a contact of the account and/or sample data.
const SampleFields = {
  contact_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};

interface TemplateInput {
  name: string;
  channel_type: ChannelKind;
  subject: string | null;
  body: string;
}

type DraftFields = { channel_type: string; subject?: string | null; body?: string };

/**
 * The parts of a template as written, saved or not: its kind, a body that is there and within
 * the limit, a blank subject read as none. Each failure is a 422 naming its field.
 */
function draftSource(t: DraftFields): TemplateSource & { subject: string | null } {
  const kind = templateKind(t.channel_type);
  if (t.body === undefined || !t.body.trim()) throw invalid('body', 'is required');
  if (t.body.length > LIMITS.parseChars) throw invalid('body', `is longer than ${LIMITS.parseChars / 1024} KB`);
  return { channel_type: kind, subject: t.subject?.trim() ? t.subject : null, body: t.body };
}

/** The checks beyond the schema, in the order a caller fixes them; each names its field. */
async function checkInput(deps: AppDeps, accountId: string, t: DraftFields & { name: string }, exceptId?: string): Promise<TemplateInput> {
  const name = t.name.trim();
  if (!name) throw invalid('name', 'must not be blank');
  const source = draftSource(t);
  if (source.channel_type === 'email' && !source.subject) throw invalid('subject', 'is required for email templates');
  if (await templateNameTaken(deps.pool, accountId, name, exceptId)) throw conflict(`a template named "${name}" already exists`, 'name');
  const input = { name, ...source };
  await checkTemplate(input, { loadPartial: accountPartials(deps.pool, accountId) });
  return input;
}

export const templateRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;

  app.post('/templates', {
    schema: { tags: ['messaging'], body: Type.Object(TemplateFields, { additionalProperties: false }) },
  }, async (req, reply) => {
    const accountId = req.auth.accountId;
    const input = await checkInput(deps, accountId, req.body);
    const row = await withTransaction(pool, async (tx) => {
      const t = await insertTemplate(tx, { account_id: accountId, id: newId('tpl'), ...input });
      await recordAudit(tx, { accountId, actor: req.auth.actor, action: 'template.created', target: t.id, detail: { name: t.name, channel_type: t.channel_type } });
      return t;
    });
    return reply.status(201).send(templateView(row));
  });

  app.get('/templates', { schema: { tags: ['messaging'] } }, async (req) => ({
    templates: (await listTemplates(pool, req.auth.accountId)).map(templateView),
  }));

  app.get('/templates/:id', { schema: { tags: ['messaging'], params: IdParams } }, async (req) => {
    const t = await getTemplate(pool, req.auth.accountId, req.params.id);
    if (!t) throw notFound('template');
    return templateView(t);
  });

  app.patch('/templates/:id', {
    schema: {
      tags: ['messaging'], params: IdParams,
      body: Type.Object({ ...TemplateFields, name: Type.Optional(TemplateFields.name), channel_type: Type.Optional(TemplateFields.channel_type) }, { additionalProperties: false }),
    },
  }, async (req) => {
    const accountId = req.auth.accountId;
    const current = await getTemplate(pool, accountId, req.params.id);
    if (!current) throw notFound('template');
    const b = req.body;
    const input = await checkInput(deps, accountId, {
      name: b.name ?? current.name,
      channel_type: b.channel_type ?? current.channel_type,
      subject: b.subject === undefined ? current.subject : b.subject,
      body: b.body ?? current.body,
    }, current.id);
    const row = await withTransaction(pool, async (tx) => {
      const t = await updateTemplate(tx, accountId, current.id, input);
      if (!t) throw notFound('template');
      await recordAudit(tx, { accountId, actor: req.auth.actor, action: 'template.updated', target: t.id, detail: { fields: Object.keys(b) } });
      return t;
    });
    return templateView(row);
  });

  app.delete('/templates/:id', { schema: { tags: ['messaging'], params: IdParams } }, async (req, reply) => {
    const accountId = req.auth.accountId;
    await withTransaction(pool, async (tx) => {
      if (!(await deleteTemplate(tx, accountId, req.params.id))) throw notFound('template');
      await recordAudit(tx, { accountId, actor: req.auth.actor, action: 'template.deleted', target: req.params.id });
    });
    return reply.status(204).send();
  });

  // Rendering changes nothing, so a viewer may preview.
  app.post('/templates/:id/preview', {
    config: { role: 'viewer' },
    schema: {
      tags: ['messaging'], params: IdParams,
      body: Type.Optional(Type.Object(SampleFields, { additionalProperties: false })),
    },
  }, async (req) => {
    const accountId = req.auth.accountId;
    const t = await getTemplate(pool, accountId, req.params.id);
    if (!t) throw notFound('template');
    return previewTemplate(pool, accountId, t, req.body ?? {}, { publicUrl: deps.config.publicUrl });
  });

  // An unsaved draft, rendered as the saved template would be: the console's live preview.
  // Fastify's router tries static segments before parameters, so this path is never read as a
  // template id (and `/templates/:id/preview` is one segment longer).
  app.post('/templates/preview', {
    config: { role: 'viewer' },
    schema: {
      tags: ['messaging'],
      body: Type.Object({
        channel_type: TemplateFields.channel_type, subject: TemplateFields.subject, body: TemplateFields.body, ...SampleFields,
      }, { additionalProperties: false }),
    },
  }, async (req) => {
    const { contact_id, data, ...draft } = req.body;
    return previewTemplate(pool, req.auth.accountId, draftSource(draft), { contact_id, data }, { publicUrl: deps.config.publicUrl });
  });
};
