import type { Queryable } from '../../db/index.js';
import { activeFields, type FieldDef, type ListSchema } from '../fields.js';
import { normaliseContacts, type NormalisedContact } from '../normalise-contacts.js';
import { dedupeByKey, existingKeys, upsertContacts } from '../sql/upsert-contacts.js';
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

/** Required fields a new contact must bring (the key field is checked by normaliseContacts). */
function requiredFields(list: ListSchema): FieldDef[] {
  return activeFields(list).filter((f) => f.required && f.key !== list.key_field);
}

/**
 * Rejects new contacts that lack a required field; an existing contact (in the list, or earlier
 * in this batch) may be updated without them. One query per batch, none without required fields.
 */
async function rejectIncompleteNew(db: Queryable, list: ListSchema, b: PreparedBatch): Promise<NormalisedContact[]> {
  const required = requiredFields(list);
  if (required.length === 0) return b.contacts;
  const known = await existingKeys(db, list.account_id, list.id, [...new Set(b.contacts.map((c) => c.key))]);
  return b.contacts.filter((c) => {
    if (known.has(c.key)) return true;
    const missing = required.filter((f) => c.data[f.key] === undefined || c.data[f.key] === null);
    if (missing.length === 0) {
      known.add(c.key);
      return true;
    }
    const line = b.lines[c.index]!;
    for (const f of missing) b.errors.push({ line, field: f.key, reason: 'is required for a new contact' });
    b.rejectedLines.add(line);
    return false;
  });
}

/**
 * Writes a prepared batch inside the caller's transaction: one upsert for its contacts, one
 * insert for its errors. Returns what it counted; records folded into an earlier one of the same
 * key count as updates, so inserted + updated + rejected = size.
 */
export async function writeBatch(db: Queryable, importId: string, list: ListSchema, b: PreparedBatch): Promise<BatchCounts> {
  const complete = await rejectIncompleteNew(db, list, b);
  const { rows, folded } = dedupeByKey(complete);
  const { inserted, updated } = await upsertContacts(db, list.account_id, list.id, rows);
  b.errors.sort((x, y) => x.line - y.line);
  await insertImportErrors(db, list.account_id, importId, b.errors);
  return { rows: b.size, inserted, updated: updated + folded, rejected: b.rejectedLines.size };
}
