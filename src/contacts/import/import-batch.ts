import type { PoolClient } from '../../db/index.js';
import { activeFields, type FieldDef, type ListSchema } from '../fields.js';
import { normaliseContacts, type NormalisedContact } from '../normalise-contacts.js';
import { dedupeByKey, existingKeys, upsertContacts } from '../sql/upsert-contacts.js';
import { writeContacts } from '../sql/copy-contacts.js';
import type { CsvRow } from './csv-reader.js';
import { insertImportErrors, type ImportError } from './sql/insert-import-errors.js';
import type { BatchCounts } from './sql/record-import-batch.js';

/** Longest value kept in an error row: enough to recognise it, not a copy of a huge cell. */
const MAX_ERROR_VALUE = 500;

/** A batch of rows, validated and normalised, ready to write. */
export interface PreparedBatch {
  /** Records in the batch (each is counted once: inserted, updated or rejected). */
  size: number;
  contacts: NormalisedContact[];
  /** The file line of each contact (by its index in `contacts`' source records). */
  lines: number[];
  errors: ImportError[];
  /** Lines already rejected (a record with several bad values is one rejected row). */
  rejectedLines: Set<number>;
}

const clip = (v: string | undefined): string | undefined => (v !== undefined && v.length > MAX_ERROR_VALUE ? v.slice(0, MAX_ERROR_VALUE) + '…' : v);

/**
 * Turns rows into field records (only mapped, non-blank cells: a blank cell leaves the contact's
 * stored value alone rather than erasing it) and normalises them. Pure CPU: the job runs it for
 * the next batch while PostgreSQL writes the previous one.
 */
export function prepareBatch(list: ListSchema, columns: readonly (string | null)[], rows: readonly CsvRow[], delimiter: string): PreparedBatch {
  const mapped: [number, string][] = [];
  columns.forEach((key, i) => key && mapped.push([i, key]));
  const records: Record<string, string>[] = [];
  const lines: number[] = [];
  const errors: ImportError[] = [];
  const rejectedLines = new Set<number>();
  for (const row of rows) {
    if (row.error) {
      errors.push({ line: row.line, field: '', value: clip(row.fields.join(delimiter)) || undefined, reason: row.error });
      rejectedLines.add(row.line);
      continue;
    }
    const record: Record<string, string> = {};
    for (const [i, key] of mapped) {
      const v = row.fields[i];
      if (v !== undefined && v.trim() !== '') record[key] = v;
    }
    records.push(record);
    lines.push(row.line);
  }
  const { contacts, rejected } = normaliseContacts(list, records, { rejectUnknown: false });
  for (const r of rejected) {
    const line = lines[r.index]!;
    errors.push({ line, field: r.field, value: clip(r.value), reason: r.reason });
    rejectedLines.add(line);
  }
  return { size: rows.length, contacts, lines, errors, rejectedLines };
}

/** One batch from batches prepared one after another (indexes into `lines` shifted to match). */
export function mergePrepared(parts: readonly PreparedBatch[]): PreparedBatch {
  if (parts.length === 1) return parts[0]!;
  const out: PreparedBatch = { size: 0, contacts: [], lines: [], errors: [], rejectedLines: new Set() };
  for (const p of parts) {
    const offset = out.lines.length;
    for (const c of p.contacts) {
      c.index += offset;
      out.contacts.push(c);
    }
    for (const l of p.lines) out.lines.push(l);
    for (const e of p.errors) out.errors.push(e);
    for (const l of p.rejectedLines) out.rejectedLines.add(l);
    out.size += p.size;
  }
  return out;
}

/** Required fields a new contact must bring (the key field is checked by normaliseContacts). */
function requiredFields(list: ListSchema): FieldDef[] {
  return activeFields(list).filter((f) => f.required && f.key !== list.key_field);
}

/**
 * Rejects new contacts that lack a required field; an existing contact (in the list, or earlier
 * in this batch) may be updated without them.
 */
function rejectIncompleteNew(b: PreparedBatch, required: readonly FieldDef[], existing: ReadonlySet<string>): NormalisedContact[] {
  const seen = new Set<string>();
  return b.contacts.filter((c) => {
    if (existing.has(c.key) || seen.has(c.key)) return true;
    const missing = required.filter((f) => c.data[f.key] === undefined || c.data[f.key] === null);
    if (missing.length === 0) {
      seen.add(c.key);
      return true;
    }
    const line = b.lines[c.index]!;
    for (const f of missing) b.errors.push({ line, field: f.key, reason: 'is required for a new contact' });
    b.rejectedLines.add(line);
    return false;
  });
}

/**
 * How an import writes its batches, carried from one batch to the next. Without required fields
 * nothing needs the existing keys, and they are not looked up (a `key_value = ANY($3)` query
 * against a table without statistics yet scans the whole list, 253 ms for 5,000 keys against
 * 305k contacts; a per-key LATERAL probe picked the list's other index and scanned it per key):
 * the batch is COPYed as if all new, and if a key exists the COPY fails and the batch goes
 * through the upsert (writeContacts). That costs one wasted COPY per run of batches that update,
 * so after a batch that updated contacts the next ones take the upsert directly, until one of
 * them updates none.
 */
export interface WriteMode {
  /** Try the COPY for keys not known to exist. */
  copy: boolean;
}

/**
 * Writes a prepared batch inside the caller's transaction, on its client (new contacts go in by
 * COPY, writeContacts): the new contacts by COPY and the others by the upsert, then its errors.
 * Returns what it counted; records folded into an earlier one of the same key count as updates,
 * so inserted + updated + rejected = size.
 */
export async function writeBatch(db: PoolClient, importId: string, list: ListSchema, b: PreparedBatch, mode: WriteMode = { copy: true }): Promise<BatchCounts> {
  const required = requiredFields(list);
  let contacts = b.contacts;
  let existing: Set<string> | undefined;
  if (required.length) {
    existing = await existingKeys(db, list.account_id, list.id, [...new Set(b.contacts.map((c) => c.key))]);
    contacts = rejectIncompleteNew(b, required, existing);
  }
  const { rows, folded } = dedupeByKey(contacts);
  const { inserted, updated } = existing || mode.copy
    ? await writeContacts(db, list.account_id, list.id, rows, existing)
    : await upsertContacts(db, list.account_id, list.id, rows);
  mode.copy = updated === 0;
  b.errors.sort((x, y) => x.line - y.line);
  await insertImportErrors(db, list.account_id, importId, b.errors);
  return { rows: b.size, inserted, updated: updated + folded, rejected: b.rejectedLines.size };
}
