import { isUtf8 } from 'node:buffer';
import { invalid } from '../../core/errors.js';
import { CsvRowParser, utf8Transcoder, type CsvRow } from './csv-reader.js';

/** Delimiters we detect; `tab` is how the API spells the tab character. */
export const DELIMITERS = { ',': ',', ';': ';', tab: '\t' } as const;
export type DelimiterName = keyof typeof DELIMITERS;

export interface Sniffed {
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
  delimiter: string;
  header: string[];
  /** Complete data rows found in the sample (the preview shows the first few). */
  rows: CsvRow[];
}

// Magic numbers of what people upload by mistake: zip (xlsx, docx), OLE (xls), pdf, png, gzip, jpeg.
const MAGIC = [[0x50, 0x4b, 0x03, 0x04], [0xd0, 0xcf, 0x11, 0xe0], [0x25, 0x50, 0x44, 0x46], [0x89, 0x50, 0x4e, 0x47], [0x1f, 0x8b], [0xff, 0xd8, 0xff]];

const startsWith = (buf: Buffer, bytes: readonly number[]): boolean => bytes.every((b, i) => buf[i] === b);

/**
 * The encoding, from a BOM or else from whether the sample is valid UTF-8: anything else is taken
 * as Windows-1252, what Excel on Windows writes for Spanish text (and a superset of Latin-1).
 * `complete` says the sample is the whole file; if not, a character cut at its end is ignored.
 */
export function detectEncoding(sample: Buffer, complete: boolean): Sniffed['encoding'] {
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return 'utf-8';
  if (startsWith(sample, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(sample, [0xfe, 0xff])) return 'utf-16be';
  return isUtf8(complete ? sample : sample.subarray(0, completeUtf8Length(sample))) ? 'utf-8' : 'windows-1252';
}

/** Length of the sample without a multi-byte UTF-8 sequence cut short at its end. */
function completeUtf8Length(buf: Buffer): number {
  for (let i = buf.length - 1; i >= Math.max(0, buf.length - 4); i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need <= buf.length ? buf.length : i;
  }
  return buf.length;
}

/** A binary file, not text: a NUL byte (outside UTF-16) or a known file signature. */
export function looksBinary(sample: Buffer, encoding: Sniffed['encoding']): boolean {
  if (MAGIC.some((m) => startsWith(sample, m))) return true;
  return !encoding.startsWith('utf-16') && sample.includes(0);
}

/** The delimiter the header line uses most (outside quotes); a comma when it has none. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

/**
 * Reads the start of an upload: rejects what is not a CSV file and finds its encoding, delimiter
 * (unless given), header and first rows. `complete` says the sample is the whole file.
 */
export async function sniffCsv(sample: Buffer, complete: boolean, delimiter?: string): Promise<Sniffed> {
  const encoding = detectEncoding(sample, complete);
  if (looksBinary(sample, encoding)) throw invalid('file', 'not a CSV file (it looks like a binary file: send the spreadsheet saved as CSV)');
  const utf8 = utf8Transcoder(encoding)(sample);
  const text = utf8.toString('utf8', 0, Math.min(utf8.length, 64 * 1024)).replace(/^\uFEFF/, '');
  if (complete && utf8.toString('utf8').replace(/^\uFEFF/, '').trim() === '') throw invalid('file', 'the file is empty');
  const delim = delimiter ?? detectDelimiter(text);
  const parser = new CsvRowParser(delim);
  const rows = await parser.write(utf8);
  if (complete) rows.push(...(await parser.end()));
  const header = parser.header;
  if (!header || header.every((h) => h === '')) {
    throw invalid('file', 'no header row found at the start of the file: is this a CSV file?');
  }
  return { encoding, delimiter: delim, header, rows };
}

export function delimiterName(d: string): DelimiterName {
  return d === '\t' ? 'tab' : d === ';' ? ';' : ',';
}
