import { Parser, type CsvError, type Info } from 'csv-parse';
import iconv from 'iconv-lite';
import { setImmediate } from 'node:timers/promises';

/** One record of the file: its fields, the line it starts on, and why it cannot be used (if so). */
export interface CsvRow {
  line: number;
  fields: string[];
  error?: string;
}

/**
 * A record far larger than any contact (200 fields of 10,000 characters is 2 MB) means a quote
 * that never closes; without a cap csv-parse would buffer the rest of the file into one field.
 */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * csv-parse's stream, with its output taken straight from `push`: every record arrives
 * synchronously while a chunk is written, and csv-parse's live counters are read there instead
 * of a per-record `info` snapshot (two object spreads per record). Same run, 200k 20-field rows:
 * 63k rows/s of CPU with `on_record`, 57k with `info: true`, 106k like this. Relies on
 * csv-parse 7 pushing each record through `this.push` (pinned; csv-reader.test.ts covers it).
 */
class RecordTap extends Parser {
  constructor(delimiter: string, private readonly sink: (record: string[], info: Info) => void) {
    super({ delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS });
    this.on('error', () => {}); // also handed to the write callback, which handles it
  }

  override push(record: unknown): boolean {
    if (Array.isArray(record)) this.sink(record as string[], this.info);
    return true;
  }
}

/**
 * csv-parse driven synchronously: chunks in, finished rows out, so a failure can never discard
 * rows already parsed (its stream side drops buffered records on error). Tracks the line each
 * record starts on (csv-parse reports the last one, and counts a quoted CRLF as two).
 * The first record is the header. Unusable input becomes an error row, never an exception:
 * a ragged row (relax_column_count) is reported and skipped; an unterminated quote (at the end
 * of the file, or a record past MAX_RECORD_CHARS) is reported on the line it opened and the file
 * ends there, as nothing after an open quote can be split into records reliably.
 */
export class CsvRowParser {
  header: string[] | undefined;
  /** Set once parsing stopped on an unrecoverable error (reported as the last row). */
  stopped = false;
  private readonly parser: RecordTap;
  private out: CsvRow[] = [];
  private lastLine = 0;
  private lastCsvLines = 0;
  private lastEmpty = 0;

  constructor(delimiter: string) {
    this.parser = new RecordTap(delimiter, (record, info) => this.onRecord(record, info));
  }

  /** Parses a chunk (UTF-8) and returns the rows it completed. */
  write(chunk: Buffer): Promise<CsvRow[]> {
    if (this.stopped) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.parser.write(chunk, (err) => resolve(this.take(err)));
    });
  }

  /** Ends the input and returns the last rows. */
  end(): Promise<CsvRow[]> {
    if (this.stopped) return Promise.resolve(this.take(undefined));
    return new Promise((resolve) => {
      this.parser.end((err?: Error | null) => resolve(this.take(err)));
    });
  }

  private take(err: Error | null | undefined): CsvRow[] {
    if (err && !this.stopped) {
      this.stopped = true;
      // csv-parse attaches its counters at the time of the error (empty lines before the record).
      const emptyNow = (err as CsvError).empty_lines;
      const empty = typeof emptyNow === 'number' ? Math.max(0, emptyNow - this.lastEmpty) : 0;
      this.out.push({ line: this.lastLine + 1 + empty, fields: [], error: describeParseError(err as CsvError) });
    }
    const rows = this.out;
    this.out = [];
    return rows;
  }

  private onRecord(record: string[], info: Info): void {
    const empty = info.empty_lines - this.lastEmpty;
    const line = this.lastLine + 1 + empty;
    // csv-parse counted more than one line: the record holds quoted line breaks; count them
    // ourselves (rare, so the common single-line record costs nothing extra).
    const span = info.lines - this.lastCsvLines - empty;
    this.lastLine = span > 1 ? line + countLineBreaks(record) : line;
    this.lastCsvLines = info.lines;
    this.lastEmpty = info.empty_lines;
    if (this.header === undefined) {
      this.header = record.map((h) => h.trim());
      return;
    }
    if (record.length !== this.header.length) {
      // csv-parse's relax_column_count lets it through; a shifted row would land in the wrong fields.
      if (isBlank(record)) return;
      this.out.push({ line, fields: record, error: `the row has ${record.length} fields, the header has ${this.header.length}` });
    } else if (!isBlank(record)) this.out.push({ line, fields: record });
  }
}

/** A row of bare delimiters, as spreadsheets leave below the data. */
function isBlank(record: readonly string[]): boolean {
  for (const f of record) if (f !== '' && f.trim() !== '') return false;
  return true;
}

function countLineBreaks(record: readonly string[]): number {
  let n = 0;
  for (const f of record) n += f.match(/\r\n|\r|\n/g)?.length ?? 0;
  return n;
}

function describeParseError(e: CsvError): string {
  if (e.code === 'CSV_QUOTE_NOT_CLOSED' || e.code === 'CSV_MAX_RECORD_SIZE') {
    return 'a quoted field is never closed: this line and everything after it were not imported';
  }
  return `unreadable CSV: ${e.message}; nothing after this line was imported`;
}

/** Turns the file's bytes into UTF-8 for csv-parse (which reads bytes); UTF-8 passes untouched. */
export function utf8Transcoder(encoding: string): (chunk: Buffer | undefined) => Buffer {
  if (encoding === 'utf-8') return (chunk) => chunk ?? Buffer.alloc(0);
  // The stream decoder keeps a character split across two chunks whole (UTF-16).
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });
  return (chunk) => Buffer.from(chunk ? decoder.write(chunk) : (decoder.end() ?? ''), 'utf8');
}

/**
 * Bytes parsed between two turns of the event loop (~300 rows of 20 fields, a few ms of CPU with
 * their normalising, which the job does slice by slice). Parsing a stored 1 MB chunk in one go,
 * then normalising a whole batch, never let the event loop run: the previous batch's transaction
 * (a handful of round trips) only advanced while the job waited for it, so reading and writing
 * took turns instead of overlapping (Conversa + PostgreSQL CPU ≈ the job's wall time). Same runs
 * of bench/import.ts, 200k 20-field rows, with the COPY path in both: 12.3k and 14.4k rows/s end
 * to end in slices vs 9.3k and 11.2k rows/s without; 8 KB and 16 KB slices were within the noise
 * of 64 KB (14.3k, 15.4k, 12.2k rows/s).
 */
export const PARSE_SLICE_BYTES = 64 * 1024;

/**
 * Reads a whole file, chunk by chunk, as rows (header in `parser.header` after the first).
 * Rows come in slices of at most PARSE_SLICE_BYTES of input, with a turn of the event loop
 * (setImmediate) before each slice so that I/O of concurrent work (the previous batch's
 * transaction) runs while the file is parsed.
 */
export async function* readCsvRows(
  chunks: AsyncIterable<Buffer>,
  opts: { delimiter: string; encoding: string },
): AsyncGenerator<CsvRow[], CsvRowParser> {
  const parser = new CsvRowParser(opts.delimiter);
  const transcode = utf8Transcoder(opts.encoding);
  for await (const chunk of chunks) {
    const data = transcode(chunk);
    for (let at = 0; at < data.length; at += PARSE_SLICE_BYTES) {
      await setImmediate();
      const rows = await parser.write(data.subarray(at, at + PARSE_SLICE_BYTES));
      if (rows.length) yield rows;
      if (parser.stopped) return parser;
    }
  }
  const tail = transcode(undefined);
  const rows = tail.length ? await parser.write(tail) : [];
  rows.push(...(await parser.end()));
  if (rows.length) yield rows;
  return parser;
}
