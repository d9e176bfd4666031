import { Readable, pipeline } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import type { Queryable } from '../../db/index.js';
import { invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { recordAudit } from '../../audit/index.js';
import { normaliseSuppressionValue, type SuppressionType } from './normalise.js';
import { insertSuppressionBatch } from './store.js';

/** Rows per INSERT: one statement with two array parameters, a few ms each. */
export const IMPORT_BATCH = 5_000;
/** Rejected lines listed in the answer; `rejected_total` counts them all (a wrong file can reject a million). */
export const MAX_REJECTED_SHOWN = 1_000;

export interface SuppressionImport {
  accountId: string;
  list: string;
  type: SuppressionType;
  category: string | null;
  reason: string;
  /** Country for phones without `+` (the account's). */
  defaultCountry: string | null;
  actor: string;
}

export interface RejectedLine {
  line: number;
  value: string;
  reason: string;
}

export interface SuppressionImportResult {
  list: string;
  imported: number;
  duplicates: number;
  rejected: RejectedLine[];
  rejected_total: number;
}

/**
 * Imports a do-not-contact file into a named list: one value per line, the first column of a
 * `,` `;` or tab separated file, an optional header (a first line that is not a value and looks
 * like a column name). Streams: records are parsed as bytes arrive and written 5,000 at a time,
 * so a million-number regulator file (Colombia's RNE) runs in flat memory. Values already in the
 * list (or twice in the file) count as duplicates. Each batch commits on its own: a failed upload
 * can be sent again, and what is already there counts as duplicates.
 *
 * An unreadable file (a quote never closed) is reported on its line and the import stops there.
 */
export async function importSuppressionList(
  db: Queryable,
  body: AsyncIterable<Buffer | string>,
  o: SuppressionImport,
): Promise<SuppressionImportResult> {
  const result: SuppressionImportResult = { list: o.list, imported: 0, duplicates: 0, rejected: [], rejected_total: 0 };
  const reject = (r: RejectedLine): void => {
    result.rejected_total++;
    if (result.rejected.length < MAX_REJECTED_SHOWN) result.rejected.push(r);
  };
  let ids: string[] = [];
  let values: string[] = [];
  const flush = async (): Promise<void> => {
    if (values.length === 0) return;
    const inserted = await insertSuppressionBatch(db, { accountId: o.accountId, type: o.type, ids, values, reason: o.reason, category: o.category, list: o.list });
    result.imported += inserted;
    result.duplicates += values.length - inserted;
    ids = [];
    values = [];
  };

  const parser = parse({
    delimiter: [',', ';', '\t'], bom: true, trim: true, info: true,
    relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_empty_values: true,
  });
  const records = pipeline(Readable.from(body), parser, () => {}); // errors surface in the loop below
  let seen = 0;
  let headerSkipped = false;
  // Where the last good record ended, to place an error on the line its record began (csv-parse
  // reports where it gave up, the end of the file for a quote never closed).
  let lastLine = 0;
  let lastEmpty = 0;
  try {
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: Info }>) {
      lastLine = info.lines;
      lastEmpty = info.empty_lines;
      const raw = record[0] ?? '';
      const n = normaliseSuppressionValue(o.type, raw, o.defaultCountry);
      seen++;
      if (!n.ok) {
        if (seen === 1 && looksLikeHeader(o.type, raw)) {
          headerSkipped = true;
          continue;
        }
        reject({ line: info.lines, value: raw.slice(0, 100), reason: n.reason });
        continue;
      }
      ids.push(newId('sup'));
      values.push(n.value);
      if (values.length >= IMPORT_BATCH) await flush();
    }
  } catch (err) {
    if (!isCsvError(err)) throw err;
    const emptyNow = (err as CsvError & { empty_lines?: number }).empty_lines;
    const skipped = typeof emptyNow === 'number' ? Math.max(0, emptyNow - lastEmpty) : 0;
    reject({ line: lastLine + 1 + skipped, value: '', reason: `unreadable CSV (${err.code}): nothing from this line on was imported` });
  }
  await flush();
  if (seen === (headerSkipped ? 1 : 0)) throw invalid('body', 'the file has no values: send one email or phone number per line');

  await recordAudit(db, {
    accountId: o.accountId, actor: o.actor, action: 'suppression.imported', target: o.list,
    detail: { type: o.type, category: o.category, imported: result.imported, duplicates: result.duplicates, rejected: result.rejected_total },
  });
  return result;
}

/** A first line such as `telefono`, `phone_number` or `email`: no digits for phones, no `@` for emails. */
function looksLikeHeader(type: SuppressionType, raw: string): boolean {
  return type === 'phone' ? !/\d/.test(raw) : !raw.includes('@');
}

function isCsvError(err: unknown): err is CsvError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('CSV_');
}
