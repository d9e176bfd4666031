import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import type { JobHandler } from '../../jobs/index.js';
import { AppError, invalid, notFound } from '../../core/errors.js';
import { getList } from '../sql/lists.js';
import { mapColumns, parseMappingParam } from './column-mapping.js';
import { importErrorsCsv } from './errors-csv.js';
import { importJobHandler } from './import-job.js';
import { DELIMITERS, delimiterName, sniffCsv } from './sniff.js';
import { IMPORT_JOB, bodyIterator, readSample, storeUpload, tooLarge } from './upload.js';
import { getImport } from './sql/get-import.js';
import { listImports } from './sql/list-imports.js';
import type { ImportRow } from './sql/import-row.js';

/** Body types taken as a CSV file. Excel on Windows labels .csv files application/vnd.ms-excel. */
const CSV_TYPES = ['text/csv', 'text/plain', 'application/octet-stream', 'text/tab-separated-values', 'application/csv', 'application/vnd.ms-excel'];

/** The preview reads this much: enough for the header and ten rows of any sane file. */
const PREVIEW_BYTES = 256 * 1024;

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const UploadQuery = Type.Object({
  delimiter: Type.Optional(Type.Union([Type.Literal(','), Type.Literal(';'), Type.Literal('tab')], { description: 'auto-detected by default' })),
  mapping: Type.Optional(Type.String({ maxLength: 100_000, description: 'JSON object: column header → field key, or null to skip the column' })),
});
const ImportOut = Type.Object({
  id: Type.String(), list_id: Type.String(), status: Type.String(), rows: Type.Number(), inserted: Type.Number(),
  updated: Type.Number(), rejected: Type.Number(), bytes: Type.Number(), error: Type.Optional(Type.String()),
  created_at: Type.String(), started_at: Type.Union([Type.String(), Type.Null()]), finished_at: Type.Union([Type.String(), Type.Null()]),
});

const unsupported = (type: string | undefined): AppError =>
  new AppError(415, 'unsupported_media_type', `cannot import ${type ? `a ${type} body` : 'this body'}: send the file as text/csv, or multipart/form-data with a "file" part`);

function importView(i: ImportRow) {
  return {
    id: i.id, list_id: i.list_id, status: i.status, rows: i.rows, inserted: i.inserted, updated: i.updated,
    rejected: i.rejected, bytes: i.bytes, ...(i.error ? { error: i.error } : {}),
    created_at: i.created_at.toISOString(), started_at: i.started_at?.toISOString() ?? null, finished_at: i.finished_at?.toISOString() ?? null,
  };
}

/** The uploaded file as bytes, from a raw CSV body or the multipart part named `file`. */
async function uploadBody(req: FastifyRequest, limit: number): Promise<{ body: AsyncIterator<Buffer | string>; truncated?: () => boolean }> {
  if (req.isMultipart()) {
    const part = await req.file({ limits: { fileSize: limit, files: 1, parts: 20 }, throwFileSizeLimit: false });
    if (!part || part.fieldname !== 'file') throw invalid('file', 'send the CSV in a multipart part named "file"');
    if (!CSV_TYPES.includes(part.mimetype)) throw unsupported(part.mimetype);
    return { body: bodyIterator(part.file), truncated: () => part.file.truncated };
  }
  if (!(req.body instanceof Readable)) return { body: { next: async () => ({ done: true, value: undefined }) } }; // no body
  if (Number(req.headers['content-length']) > limit) throw tooLarge(limit);
  return { body: bodyIterator(req.body) };
}

const delimiterOf = (name: keyof typeof DELIMITERS | undefined): string | undefined => (name ? DELIMITERS[name] : undefined);

export const importRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;
  const limit = deps.config.importBodyLimit;

  // This plugin's routes take files, not JSON: the body arrives as a stream (never buffered);
  // any other type is a 415 that says what to send.
  app.removeAllContentTypeParsers();
  await app.register(multipart, { limits: { fileSize: limit } });
  app.addContentTypeParser(CSV_TYPES, (_req, payload, done) => done(null, payload));
  app.addContentTypeParser('*', (req, _payload, done) => done(unsupported(req.headers['content-type']), undefined));

  app.post('/lists/:id/imports', {
    bodyLimit: limit,
    config: { role: 'editor' },
    schema: { tags: ['contacts'], summary: 'Import a CSV file into a list', params: IdParams, querystring: UploadQuery,
      response: { 202: Type.Object({ id: Type.String(), status: Type.String() }) } },
  }, async (req, reply) => {
    const list = await getList(pool, req.auth.accountId, req.params.id);
    if (!list) throw notFound('list');
    const mapping = parseMappingParam(req.query.mapping);
    try {
      const upload = await uploadBody(req, limit);
      const id = await storeUpload(pool, { accountId: req.auth.accountId, list, limit, delimiter: delimiterOf(req.query.delimiter), mapping, ...upload });
      return reply.status(202).send({ id, status: 'queued' });
    } catch (err) {
      // The rest of the body is not read: close the connection after answering.
      reply.header('connection', 'close');
      throw err;
    }
  });

  app.post('/lists/:id/imports/preview', {
    bodyLimit: limit,
    config: { role: 'editor' },
    schema: { tags: ['contacts'], summary: 'Detect the encoding, delimiter, header and column mapping of a CSV file', params: IdParams, querystring: UploadQuery },
  }, async (req, reply) => {
    const list = await getList(pool, req.auth.accountId, req.params.id);
    if (!list) throw notFound('list');
    const explicit = parseMappingParam(req.query.mapping);
    const { body } = await uploadBody(req, limit);
    const { sample, complete } = await readSample(body, PREVIEW_BYTES);
    if (!complete) reply.header('connection', 'close');
    if (sample.length === 0) throw invalid('file', 'the file is empty');
    const s = await sniffCsv(sample, complete, delimiterOf(req.query.delimiter));
    return {
      delimiter: delimiterName(s.delimiter), encoding: s.encoding, header: s.header,
      rows: s.rows.slice(0, 10).map((r) => r.fields), mapping: mapColumns(list, s.header, explicit),
    };
  });

  app.get('/lists/:id/imports', { schema: { tags: ['contacts'], params: IdParams } }, async (req) => {
    const list = await getList(pool, req.auth.accountId, req.params.id);
    if (!list) throw notFound('list');
    return { imports: (await listImports(pool, req.auth.accountId, list.id, 50)).map(importView) };
  });

  app.get('/imports/:id', { schema: { tags: ['contacts'], params: IdParams, response: { 200: ImportOut } } }, async (req) => {
    const imp = await getImport(pool, req.auth.accountId, req.params.id);
    if (!imp) throw notFound('import');
    return importView(imp);
  });

  app.get('/imports/:id/errors', { schema: { tags: ['contacts'], params: IdParams } }, async (req, reply) => {
    const imp = await getImport(pool, req.auth.accountId, req.params.id);
    if (!imp) throw notFound('import');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${imp.id}-errors.csv"`)
      .send(importErrorsCsv(pool, imp.account_id, imp.id));
  });
};

export function importJobHandlers(deps: AppDeps): Record<string, JobHandler> {
  return { [IMPORT_JOB]: importJobHandler(deps) };
}
