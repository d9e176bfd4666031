import { Readable } from 'node:stream';
import type { Queryable } from '../../db/index.js';
import { listImportErrors } from './sql/list-import-errors.js';

/** Rows fetched per query while streaming: bounded memory for an import with a million errors. */
const PAGE = 5000;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab / CR before one) as a formula:
 * the value comes from the uploaded file, so it is defused with a leading apostrophe (OWASP).
 */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** One CSV cell: neutralised, quoted when it holds a delimiter, quote or line break. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const s = neutralise(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function* errorLines(db: Queryable, accountId: string, importId: string): AsyncGenerator<string> {
  yield 'line,field,value,reason\r\n';
  let after = 0;
  for (;;) {
    const page = await listImportErrors(db, accountId, importId, after, PAGE);
    if (page.length === 0) return;
    yield page.map((e) => `${e.line},${csvCell(e.field)},${csvCell(e.value)},${csvCell(e.reason)}\r\n`).join('');
    after = page[page.length - 1]!.id;
  }
}

/** `line,field,value,reason`, streamed page by page (RFC 4180 line ends). */
export function importErrorsCsv(db: Queryable, accountId: string, importId: string): Readable {
  return Readable.from(errorLines(db, accountId, importId));
}
