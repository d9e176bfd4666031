import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { AppError, invalid } from '../../core/errors.js';
import { MAX_REJECTED_SHOWN, importSuppressionList } from './import.js';
import { normaliseSuppressionValue, type SuppressionType } from './normalise.js';
import { MAX_LIST_NAME, addSuppression, removeSuppression } from './service.js';
import { accountCountry, listSuppressions, type SuppressionRow } from './store.js';

const SuppressionTypeSchema = Type.Union([Type.Literal('email'), Type.Literal('phone')]);
const CategorySchema = Type.Union([Type.Literal('transactional'), Type.Literal('marketing')], { description: 'absent: every category' });
const ListName = Type.String({ minLength: 1, maxLength: MAX_LIST_NAME, description: "a named list (a regulator's, e.g. RNE); absent: the account's own list" });

const SuppressionOut = Type.Object({
  id: Type.String(), type: Type.String(), value: Type.String(), reason: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]), list: Type.Union([Type.String(), Type.Null()]), created_at: Type.String(),
});

/** Body types taken as the import file. Excel on Windows labels .csv files application/vnd.ms-excel. */
const FILE_TYPES = ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel'];

function suppressionView(r: SuppressionRow) {
  return { id: r.id, type: r.type, value: r.value, reason: r.reason, category: r.category, list: r.list_name, created_at: r.created_at.toISOString() };
}

/**
 * `/v1/suppressions`: addresses that must not be contacted, the account's own and named
 * (regulator) lists. A POST of an address already on the list (same list and category) answers
 * 200 with the existing entry instead of 201: adding is idempotent, so a retried call or a bounce
 * handler racing an operator never fails. Removing one needs the admin role: it lets messages
 * flow again to someone who asked for them to stop.
 */
export const suppressionRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;

  app.post('/suppressions', {
    schema: {
      tags: ['messaging'], summary: 'Suppress an email address or phone number',
      body: Type.Object({
        type: SuppressionTypeSchema,
        value: Type.String({ minLength: 1, maxLength: 320 }),
        reason: Type.Optional(Type.String({ maxLength: 500 })),
        category: Type.Optional(CategorySchema),
        list: Type.Optional(ListName),
      }, { additionalProperties: false }),
      response: { 200: SuppressionOut, 201: SuppressionOut },
    },
  }, async (req, reply) => {
    const b = req.body;
    const { suppression, created } = await addSuppression(pool, {
      accountId: req.auth.accountId, type: b.type, value: b.value, reason: b.reason ?? '', category: b.category ?? null,
      list: b.list ?? null, actor: req.auth.actor,
    });
    return reply.status(created ? 201 : 200).send(suppressionView(suppression));
  });

  app.get('/suppressions', {
    schema: {
      tags: ['messaging'], summary: 'List suppressions, newest first',
      querystring: Type.Object({
        type: Type.Optional(SuppressionTypeSchema),
        value: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'an address, normalised before matching' })),
        list: Type.Optional(ListName),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ suppressions: Type.Array(SuppressionOut), next_cursor: Type.Union([Type.String(), Type.Null()]) }) },
    },
  }, async (req) => {
    const q = req.query;
    const limit = q.limit ?? 100;
    let value: string | undefined;
    if (q.value !== undefined) {
      // Without a type, an address with @ is an email; anything else is read as a phone.
      const type: SuppressionType = q.type ?? (q.value.includes('@') ? 'email' : 'phone');
      const n = normaliseSuppressionValue(type, q.value, type === 'phone' ? await accountCountry(pool, req.auth.accountId) : null);
      if (!n.ok) throw invalid('value', n.reason);
      value = n.value;
    }
    const rows = await listSuppressions(pool, req.auth.accountId, { type: q.type, value, list: q.list, before: q.cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { suppressions: page.map(suppressionView), next_cursor: rows.length > limit ? page[page.length - 1]!.id : null };
  });

  app.delete('/suppressions/:id', {
    config: { role: 'admin' },
    schema: { tags: ['messaging'], summary: 'Remove a suppression', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }) },
  }, async (req, reply) => {
    await removeSuppression(pool, req.auth.accountId, req.params.id, req.auth.actor);
    return reply.status(204).send();
  });

  await app.register(importRoute, { deps });
};

/**
 * The import takes a file, not JSON: in its own encapsulated scope the body arrives as a stream
 * (never buffered, whatever the contacts import registers in its scope), and is parsed as it comes.
 */
const importRoute: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;
  const limit = deps.config.importBodyLimit;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(FILE_TYPES, (_req, payload, done) => done(null, payload));

  app.post('/suppressions/imports', {
    bodyLimit: limit,
    schema: {
      tags: ['messaging'],
      summary: "Import a regulator's do-not-contact list (text/csv or text/plain: one value per line, first column)",
      querystring: Type.Object({
        list: ListName,
        type: SuppressionTypeSchema,
        category: Type.Optional(CategorySchema),
        reason: Type.Optional(Type.String({ maxLength: 500 })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          list: Type.String(), imported: Type.Integer(), duplicates: Type.Integer(), rejected_total: Type.Integer(),
          rejected: Type.Array(Type.Object({ line: Type.Integer(), value: Type.String(), reason: Type.String() }), { description: `the first ${MAX_REJECTED_SHOWN}` }),
        }),
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    if (q.list.trim() === '') throw invalid('list', 'must not be blank');
    if (!(req.body instanceof Readable)) throw invalid('body', 'send the file as a text/csv or text/plain body');
    if (Number(req.headers['content-length']) > limit) {
      reply.header('connection', 'close');
      throw tooLarge(limit);
    }
    try {
      return await importSuppressionList(pool, capped(req.body, limit), {
        accountId: req.auth.accountId, list: q.list.trim(), type: q.type, category: q.category ?? null,
        reason: q.reason ?? `imported into ${q.list.trim()}`, defaultCountry: await accountCountry(pool, req.auth.accountId), actor: req.auth.actor,
      });
    } catch (err) {
      // The rest of the body may be unread: close the connection after answering.
      reply.header('connection', 'close');
      throw err;
    }
  });
};

const tooLarge = (limit: number): AppError =>
  new AppError(413, 'payload_too_large', `the file is larger than the import limit of ${limit} bytes`);

/** The body's chunks, failing with 413 past `limit` bytes (a chunked upload has no content-length to check first). */
async function* capped(body: Readable, limit: number): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (bytes > limit) throw tooLarge(limit);
    yield buf;
  }
}
