import { withTransaction, type Pool } from '../../db/index.js';
import type { AppDeps } from '../../http/deps.js';
import type { JobContext, JobHandler } from '../../jobs/index.js';
import type { Logger } from '../../core/logger.js';
import type { ListSchema } from '../fields.js';
import { getList } from '../sql/lists.js';
import { columnFields } from './column-mapping.js';
import { readCsvRows, type CsvRow } from './csv-reader.js';
import { mergePrepared, prepareBatch, writeBatch, type PreparedBatch, type WriteMode } from './import-batch.js';
import type { ImportRow } from './sql/import-row.js';
import { startImport } from './sql/start-import.js';
import { finishImport } from './sql/finish-import.js';
import { deleteImportChunks } from './sql/delete-import-chunks.js';
import { readImportChunk } from './sql/read-import-chunk.js';
import { recordImportBatch } from './sql/record-import-batch.js';

/**
 * A batch (one transaction) ends at BATCH_ROWS rows or BATCH_CELLS cells, whichever comes first,
 * so a 200-column file does not hold ten times the memory of a 20-column one. Measured on 200k
 * 20-field rows in a worker process (2 busy cores): 2,000 rows → 8.0k rows/s, peak RSS 273 MB;
 * 5,000 → 7.9k rows/s, 317 MB; 10,000 → 7.4k rows/s, 367 MB (with the upsert for every row).
 * Again with new contacts by COPY (after a key look-up) and parsing in slices, bench/import.ts,
 * 200k rows, same runs: 5,000 → 15.8k rows/s end to end, 272 MB; 10,000 (and 200k cells) →
 * 14.8k, 328 MB; 2,500 → 13.9k and 12.9k, 272 MB. Parsing and normalising (Conversa's CPU) is
 * now the longer side; the COPY of 5,000 rows takes ~150–200 ms of PostgreSQL.
 */
export const BATCH_ROWS = 5000;
const BATCH_CELLS = 100_000;

/** Another worker took the import over (this one lost its lease): stop without writing. */
class ImportTakenOver extends Error {}

/** The stored file, chunk by chunk, reading the next chunk while the current one is parsed. */
async function* storedChunks(pool: Pool, accountId: string, importId: string): AsyncGenerator<Buffer> {
  let seq = 0;
  let next = readImportChunk(pool, accountId, importId, seq);
  for (;;) {
    const data = await next;
    if (!data) return;
    next = readImportChunk(pool, accountId, importId, ++seq);
    next.catch(() => {}); // awaited on the next turn; a consumer that stops early never will
    yield data;
  }
}

interface RunContext {
  deps: AppDeps;
  pool: Pool;
  log: Logger;
  signal: AbortSignal;
  imp: ImportRow;
  list: ListSchema;
}

/**
 * Reads the file from the start, skips the rows already committed, and commits the rest batch by
 * batch: contacts, errors and progress in one transaction each, so a crash anywhere loses or
 * doubles nothing. Parsing and normalising the next batch overlaps the write of the previous one.
 */
async function runImport(c: RunContext): Promise<'done' | 'released'> {
  const { pool, imp, list } = c;
  const { account_id: accountId, id } = imp;
  const columns = columnFields(imp.options.header, imp.options.mapping);
  let committed = imp.rows;
  let skip = imp.rows;
  // The batch being gathered: rows prepared slice by slice as they are parsed (so that normalising
  // does not hold the event loop for a whole batch), and rows not prepared yet.
  let parts: PreparedBatch[] = [];
  let unprepared: CsvRow[] = [];
  let rowsInBatch = 0;
  let cells = 0;
  let pending: Promise<void> = Promise.resolve();
  const mode: WriteMode = { copy: true };

  const commit = async (from: number, b: PreparedBatch): Promise<void> => {
    const counts = await withTransaction(pool, async (tx) => {
      const n = await writeBatch(tx, id, list, b, mode);
      if (!(await recordImportBatch(tx, accountId, id, from, n))) throw new ImportTakenOver();
      return n;
    });
    c.deps.metrics.importRows.inc({ outcome: 'inserted' }, counts.inserted);
    c.deps.metrics.importRows.inc({ outcome: 'updated' }, counts.updated);
    c.deps.metrics.importRows.inc({ outcome: 'rejected' }, counts.rejected);
  };
  const prepareSlice = (): void => {
    if (unprepared.length) parts.push(prepareBatch(list, columns, unprepared, imp.options.delimiter));
    unprepared = [];
  };
  const flush = async (): Promise<void> => {
    prepareSlice();
    const prepared = mergePrepared(parts);
    parts = [];
    rowsInBatch = 0;
    cells = 0;
    await pending;
    const from = committed;
    committed += prepared.size;
    pending = commit(from, prepared);
    pending.catch(() => {}); // awaited before the next batch or at the end
  };

  for await (const rows of readCsvRows(storedChunks(pool, accountId, id), imp.options)) {
    for (const row of rows) {
      if (skip > 0) {
        skip--;
        continue;
      }
      unprepared.push(row);
      rowsInBatch++;
      cells += row.fields.length;
      if (rowsInBatch < BATCH_ROWS && cells < BATCH_CELLS) continue;
      await flush();
      if (c.signal.aborted) {
        await pending;
        return 'released';
      }
    }
    prepareSlice();
  }
  if (rowsInBatch) await flush();
  await pending;
  await withTransaction(pool, async (tx) => {
    await finishImport(tx, accountId, id, { status: 'done' });
    await deleteImportChunks(tx, accountId, id);
  });
  c.log.info({ import: id, rows: committed }, 'import done');
  return 'done';
}

async function failImport(pool: Pool, imp: Pick<ImportRow, 'account_id' | 'id'>, error: string): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await finishImport(tx, imp.account_id, imp.id, { status: 'failed', error });
    await deleteImportChunks(tx, imp.account_id, imp.id);
  });
}

/** The `contacts.import` job: payload `{import_id}`. */
export function importJobHandler(deps: AppDeps): JobHandler {
  return async ({ job, pool, log, signal }: JobContext) => {
    const importId = job.payload.import_id;
    if (typeof importId !== 'string') throw new Error('contacts.import job without an import_id');
    const imp = await startImport(pool, job.account_id, importId);
    if (!imp) return 'done'; // already finished (a replayed job) or gone
    const list = await getList(pool, job.account_id, imp.list_id);
    if (!list) {
      await failImport(pool, imp, 'the list was deleted before the import ran');
      return 'done';
    }
    try {
      return await runImport({ deps, pool, log, signal, imp, list });
    } catch (err) {
      if (err instanceof ImportTakenOver) {
        log.warn({ import: imp.id }, 'import taken over by another worker; stopping');
        return 'released';
      }
      // The runner retries with backoff; after the last attempt the import is failed for good.
      if (job.attempts >= job.max_attempts) await failImport(pool, imp, (err as Error).message);
      throw err;
    }
  };
}
