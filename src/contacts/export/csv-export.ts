import { Transform, pipeline, type Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Pool } from '../../db/index.js';
import type { Logger } from '../../core/logger.js';
import { activeFields, type FieldDef, type ListSchema } from '../fields.js';
import type { SqlFragment } from '../segments/index.js';
import { streamContacts, type ExportRow } from './sql/stream-contacts.js';

/** Meta columns first, then the list's active fields: its own fields, then the standard ones. */
export const META_COLUMNS = ['id', 'created_at', 'updated_at'] as const;

export function exportHeader(fields: readonly FieldDef[]): string[] {
  return [...META_COLUMNS, ...fields.map((f) => f.key)];
}

const FORMULA_START = /^[=+\-@\t\r]/;
const E164 = /^\+\d+$/;

/**
 * Formula injection: a spreadsheet runs a cell starting with = + - @ (or tab/CR before them) as a
 * formula, so `=HYPERLINK(…)` in a contact's name would run on the analyst's machine. Such
 * cells get a leading `'`, which spreadsheets show as text. The rule applies to strings only:
 *   - numbers and booleans leave as JSON gives them (`-5` stays a number; no formula is a number);
 *   - dates and datetimes are ISO and start with a digit;
 *   - phones are stored E.164, `+573001234567`: left as they are when they are exactly `+digits`,
 *     which no spreadsheet reads as a formula that does anything; any other phone text is treated
 *     as text and neutralised.
 */
export function csvCell(def: Pick<FieldDef, 'type'>, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (def.type === 'phone' && E164.test(text)) return text;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function rowCells(row: ExportRow, fields: readonly FieldDef[]): string[] {
  return [
    row.id, row.created_at.toISOString(), row.updated_at.toISOString(),
    ...fields.map((f) => csvCell(f, row.data[f.key])),
  ];
}

/**
 * The CSV of a list's contacts matching `where`, streamed: database cursor → cells → CSV text,
 * with backpressure end to end. A failure mid-stream can only cut the download short (the
 * status line has gone out), so it is logged.
 */
export async function exportCsv(pool: Pool, log: Pick<Logger, 'error'>, list: ListSchema, where: SqlFragment): Promise<Readable> {
  const fields = activeFields(list);
  const rows = await streamContacts(pool, { accountId: list.account_id, listId: list.id }, where);
  const toCells = new Transform({
    objectMode: true,
    transform(row: ExportRow, _enc, done) {
      done(null, rowCells(row, fields));
    },
  });
  const csv = stringify({ header: true, columns: exportHeader(fields) });
  return pipeline(rows, toCells, csv, (err) => {
    if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      log.error({ err, list_id: list.id }, 'contact export failed');
    }
  });
}
