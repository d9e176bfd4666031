import type { Readable } from 'node:stream';
import { withTransaction, type Pool } from '../../db/index.js';
import { AppError, invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { enqueueJob } from '../../jobs/index.js';
import type { ListSchema } from '../fields.js';
import { checkMapping, mapColumns, type ColumnMapping } from './column-mapping.js';
import { sniffCsv } from './sniff.js';
import { insertImport } from './sql/insert-import.js';
import { insertImportChunk } from './sql/insert-import-chunk.js';
import { setImportBytes } from './sql/set-import-bytes.js';
import type { ImportOptions } from './sql/import-row.js';

export const IMPORT_JOB = 'contacts.import';

/**
 * Size of a stored piece of the file. 1 MB keeps a worker's memory flat (one piece in flight)
 * while a 100 MB upload is only 100 rows and 100 round trips.
 */
export const CHUNK_BYTES = 1024 * 1024;

export const tooLarge = (limit: number): AppError =>
  new AppError(413, 'payload_too_large', `the file is larger than the import limit of ${limit} bytes`);

/**
 * The request body as an iterator that leaves it alone when we stop early: destroying an HTTP
 * request destroys its socket, and the client would never read our 4xx answer.
 */
export function bodyIterator(body: Readable): AsyncIterator<Buffer | string> {
  return body.iterator({ destroyOnReturn: false });
}

/** Re-cuts a byte stream into ~CHUNK_BYTES pieces; throws 413 once it passes `limit` bytes. */
export async function* chunked(source: AsyncIterator<Buffer | string>, limit: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  let total = 0;
  for (let r = await source.next(); !r.done; r = await source.next()) {
    const buf = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    total += buf.length;
    if (total > limit) throw tooLarge(limit);
    parts.push(buf);
    size += buf.length;
    if (size >= CHUNK_BYTES) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

/** Reads at most `max` bytes of the body (the preview): the sample, and whether it is the whole file. */
export async function readSample(source: AsyncIterator<Buffer | string>, max: number): Promise<{ sample: Buffer; complete: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  for (let r = await source.next(); !r.done; r = await source.next()) {
    const buf = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    parts.push(buf);
    size += buf.length;
    if (size >= max) return { sample: Buffer.concat(parts, size).subarray(0, max), complete: false };
  }
  return { sample: Buffer.concat(parts, size), complete: true };
}

export interface UploadRequest {
  accountId: string;
  list: ListSchema;
  body: AsyncIterator<Buffer | string>;
  limit: number;
  delimiter?: string;
  mapping?: ColumnMapping;
  /** For multipart: whether the file was cut at the size limit (busboy stops, it does not throw). */
  truncated?: () => boolean;
}

/**
 * Streams an upload into import_chunks and queues its job, all in one transaction: a refused or
 * broken upload (413, 422, a dropped connection) leaves no import and no chunk behind, and a
 * worker can never see a half-stored file. The header is checked against the list on the first
 * chunk, before anything is written.
 */
export async function storeUpload(pool: Pool, req: UploadRequest): Promise<string> {
  const pieces = chunked(req.body, req.limit);
  const first = await pieces.next();
  if (first.done) throw invalid('file', 'the file is empty');
  const second = await pieces.next();
  const sniffed = await sniffCsv(first.value, second.done === true, req.delimiter);
  const mapping = mapColumns(req.list, sniffed.header, req.mapping);
  checkMapping(req.list, sniffed.header, mapping);
  const options: ImportOptions = { delimiter: sniffed.delimiter, encoding: sniffed.encoding, header: sniffed.header, mapping };
  const { accountId } = req;
  return withTransaction(pool, async (tx) => {
    const id = newId('imp');
    await insertImport(tx, { accountId, id, listId: req.list.id, options });
    let seq = 0;
    let bytes = 0;
    const store = async (piece: Buffer): Promise<void> => {
      await insertImportChunk(tx, accountId, id, seq++, piece);
      bytes += piece.length;
    };
    await store(first.value);
    for (let piece = second; !piece.done; piece = await pieces.next()) await store(piece.value);
    if (req.truncated?.()) throw tooLarge(req.limit);
    await setImportBytes(tx, accountId, id, bytes);
    await enqueueJob(tx, { accountId, kind: IMPORT_JOB, payload: { import_id: id } });
    return id;
  });
}
