import { AppError, invalid } from '../../core/errors.js';
import { activeFields, type ListSchema } from '../fields.js';

export type ColumnMapping = Record<string, string | null>;

/** `Teléfono`, `TELEFONO`, `tele_fono` and `Tele fono` all become `telefono`. */
export function headerKey(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** The `mapping` query parameter: a JSON object of column header → field key, or null to skip. */
export function parseMappingParam(raw: string | undefined): ColumnMapping | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('mapping', 'is not valid JSON (expected {"column header": "field_key" | null})');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid('mapping', 'must be a JSON object of column header → field key or null');
  }
  const out: ColumnMapping = Object.create(null) as ColumnMapping; // a header may be "__proto__"
  for (const [header, key] of Object.entries(parsed)) {
    if (key !== null && typeof key !== 'string') throw invalid(`mapping.${header}`, 'must be a field key or null');
    out[header] = key;
  }
  return out;
}

/**
 * Matches each column to a field: the explicit mapping first, then a field whose key or label
 * equals the header ignoring case, accents, spaces and punctuation. Unmatched columns map to
 * null (not imported). Throws for a mapping to an unknown field or for a column that is not there.
 */
export function mapColumns(list: ListSchema, header: readonly string[], explicit: ColumnMapping = {}): ColumnMapping {
  const fields = activeFields(list);
  const byKey = new Map(fields.map((f) => [f.key, f.key]));
  const byName = new Map<string, string>();
  for (const f of fields) if (!byName.has(headerKey(f.key))) byName.set(headerKey(f.key), f.key);
  for (const f of fields) if (!byName.has(headerKey(f.label))) byName.set(headerKey(f.label), f.key);
  for (const [h, key] of Object.entries(explicit)) {
    if (!header.includes(h)) throw invalid(`mapping.${h}`, `the file has no column "${h}" (columns: ${header.join(', ')})`);
    if (key !== null && !byKey.has(key)) throw invalid(`mapping.${h}`, `unknown field "${key}" on this list`);
  }
  const mapping: ColumnMapping = Object.create(null) as ColumnMapping;
  for (const h of header) {
    mapping[h] = Object.hasOwn(explicit, h) ? explicit[h]! : h === '' ? null : (byName.get(headerKey(h)) ?? null);
  }
  return mapping;
}

/**
 * What an import needs from the header: at least one column mapped, the key field among them,
 * and no field fed by two columns. Errors name the field (or column) at fault.
 */
export function checkMapping(list: ListSchema, header: readonly string[], mapping: ColumnMapping): void {
  const seen = new Map<string, string>();
  for (const h of header) {
    const key = Object.hasOwn(mapping, h) ? mapping[h] : null;
    if (!key) continue;
    const other = seen.get(key);
    if (other !== undefined) {
      throw invalid(`mapping.${h}`, `columns "${other}" and "${h}" both map to field "${key}"; map one of them to null`);
    }
    seen.set(key, h);
  }
  if (seen.size === 0) {
    throw new AppError(422, 'invalid_request', `no column of the file matches a field of this list (columns: ${header.join(', ')})`, [
      { field: 'header', message: 'no column matches a field key or label of the list; give a mapping' },
    ]);
  }
  if (!seen.has(list.key_field)) {
    throw invalid(list.key_field, `the key field "${list.key_field}" has no column in the file (columns: ${header.join(', ')}); add one or map it`);
  }
}

/** Column index → field key (or null), as the import job reads rows. */
export function columnFields(header: readonly string[], mapping: ColumnMapping): (string | null)[] {
  return header.map((h) => (Object.hasOwn(mapping, h) ? mapping[h]! : null));
}
