import { AppError, invalid } from '../core/errors.js';
import {
  DATE_FORMATS, FIELD_KEY_PATTERN, FIELD_TYPES, MAX_FIELDS, STANDARD_FIELDS, activeFields,
  type DateFormat, type FieldDef, type FieldType,
} from './fields.js';
import type { ListRow } from './sql/lists.js';

/** Keys that would collide with a contact's own attributes in exports and views. */
const RESERVED_KEYS = new Set(['id', 'list_id', 'key', 'created_at', 'updated_at', 'fields']);

export interface FieldInput {
  key: string;
  label?: string;
  type: string;
  required?: boolean;
  options?: string[];
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

export function checkCountry(code: string | null | undefined, field = 'default_country'): string | null {
  if (code === null || code === undefined) return null;
  if (!/^[A-Z]{2}$/.test(code) || !regionNames.of(code)) throw invalid(field, `"${code}" is not an ISO 3166 alpha-2 country code (e.g. CO)`);
  return code;
}

/** Validates a list's own field definitions; errors name the field by its position. */
export function checkFields(input: readonly FieldInput[]): FieldDef[] {
  if (input.length > MAX_FIELDS) {
    throw invalid(`fields[${MAX_FIELDS}]`, `a list has at most ${MAX_FIELDS} fields (got ${input.length})`);
  }
  const seen = new Set<string>();
  return input.map((f, i) => {
    const at = `fields[${i}]`;
    if (!FIELD_KEY_PATTERN.test(f.key)) throw invalid(`${at}.key`, `"${f.key}" must be lower-case letters, digits and _ and start with a letter (max 63)`);
    if (RESERVED_KEYS.has(f.key)) throw invalid(`${at}.key`, `"${f.key}" is reserved`);
    if (seen.has(f.key)) throw invalid(`${at}.key`, `duplicate field key "${f.key}"`);
    seen.add(f.key);
    if (!(FIELD_TYPES as readonly string[]).includes(f.type)) throw invalid(`${at}.type`, `"${f.type}" is not one of ${FIELD_TYPES.join(', ')}`);
    const type = f.type as FieldType;
    const def: FieldDef = { key: f.key, label: f.label?.trim() || f.key, type, required: f.required ?? false };
    if (type === 'enum') {
      const opts = f.options ?? [];
      if (opts.length === 0) throw invalid(`${at}.options`, 'an enum field needs at least one option');
      if (new Set(opts).size !== opts.length) throw invalid(`${at}.options`, 'options must be unique');
      if (opts.some((o) => o.trim() === '')) throw invalid(`${at}.options`, 'options cannot be empty');
      def.options = opts;
    } else if (f.options !== undefined) {
      throw invalid(`${at}.options`, 'only enum fields take options');
    }
    const std = STANDARD_FIELDS.find((s) => s.key === f.key);
    if (std?.format && type === std.type) def.format = std.format;
    return def;
  });
}

export function checkKeyField(keyField: string, fields: FieldDef[]): void {
  const def = activeFields({ fields }).find((f) => f.key === keyField);
  if (!def) throw invalid('key_field', `"${keyField}" is not a field of this list`);
  if (def.type === 'boolean') throw invalid('key_field', 'a boolean cannot identify a contact');
}

export function checkDateFormat(v: string | undefined): DateFormat | undefined {
  if (v === undefined) return undefined;
  if (!(DATE_FORMATS as readonly string[]).includes(v)) throw invalid('date_format', `must be one of ${DATE_FORMATS.join(', ')}`);
  return v as DateFormat;
}

/**
 * A field change on a list is a migration of its data: a new key is instant (no value yet), a
 * missing key is a removal (data kept, out of reach), a type change of a list with contacts is
 * refused — its values were validated as the old type.
 */
export function planFieldChange(
  current: FieldDef[],
  next: FieldDef[],
  keyField: string,
  hasContacts: boolean,
  now: string,
): { fields: FieldDef[]; readded: string[] } {
  const old = new Map(current.map((f) => [f.key, f]));
  const nextKeys = new Set(next.map((f) => f.key));
  const readded: string[] = [];
  next.forEach((f, i) => {
    const before = old.get(f.key);
    if (!before) return;
    if (before.removed_at) readded.push(f.key);
    else if (before.type !== f.type && hasContacts) {
      throw new AppError(409, 'conflict', `fields[${i}].type: cannot change "${f.key}" from ${before.type} to ${f.type} on a list with contacts; add a new field instead`, [
        { field: `fields[${i}].type`, message: 'type change on a list with contacts' },
      ]);
    }
  });
  if (!nextKeys.has(keyField) && current.some((f) => f.key === keyField && !f.removed_at)) {
    throw invalid('fields', `the key field "${keyField}" cannot be removed`);
  }
  const removed = current
    .filter((f) => !nextKeys.has(f.key))
    .map((f) => (f.removed_at ? f : { ...f, removed_at: now }));
  return { fields: [...next, ...removed], readded };
}

export function listView(l: ListRow, contactCount?: number) {
  const own = l.fields.filter((f) => !f.removed_at).map(({ key, label, type, required, options }) => ({
    key, label, type, required: required ?? false, ...(options ? { options } : {}),
  }));
  const ownKeys = new Set(own.map((f) => f.key));
  return {
    id: l.id,
    name: l.name,
    key_field: l.key_field,
    default_country: l.default_country,
    date_format: l.date_format,
    decimal_separator: l.decimal_separator,
    fields: own,
    standard_fields: STANDARD_FIELDS.filter((f) => !ownKeys.has(f.key)).map(({ key, label, type }) => ({ key, label, type })),
    ...(contactCount === undefined ? {} : { contact_count: contactCount }),
    created_at: l.created_at,
    updated_at: l.updated_at,
  };
}
