import { fieldMap, type FieldDef, type ListSchema } from './fields.js';
import { contextOf, normaliseValue } from './field-types.js';

export interface Rejection {
  /** Index of the record in the call (0-based), or the CSV line number for imports. */
  index: number;
  field: string;
  reason: string;
  value?: string;
}

export interface NormalisedContact {
  /** The record's index in the input. */
  index: number;
  key: string;
  /** Normalised values; null means "clear this field". */
  data: Record<string, string | number | boolean | null>;
}

export interface NormaliseOptions {
  /** Upserts may omit required fields of an existing contact; a full import row may not. */
  requireRequired?: boolean;
  /** Unknown keys are errors for API calls; imports map columns beforehand. */
  rejectUnknown?: boolean;
}

/**
 * Validates a batch of raw records against a list. A record with any bad value is rejected whole
 * (each bad field named), and the good records of the same batch still go through.
 */
export function normaliseContacts(
  list: ListSchema,
  records: readonly Record<string, unknown>[],
  opts: NormaliseOptions = {},
): { contacts: NormalisedContact[]; rejected: Rejection[] } {
  const fields = fieldMap(list);
  const ctx = contextOf(list);
  const countryField = fields.get('country');
  const required = [...fields.values()].filter((f) => f.required);
  const contacts: NormalisedContact[] = [];
  const rejected: Rejection[] = [];
  records.forEach((record, index) => {
    const errors: Rejection[] = [];
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      rejected.push({ index, field: '', reason: 'must be an object of field values' });
      return;
    }
    // The contact's own country (if given and valid) is the default for its phone numbers.
    let country: string | null = null;
    if (countryField && record.country !== undefined) {
      const c = normaliseValue(countryField, record.country, ctx);
      if (c.ok && typeof c.value === 'string') country = c.value;
    }
    const data: NormalisedContact['data'] = {};
    for (const [k, v] of Object.entries(record)) {
      const def: FieldDef | undefined = fields.get(k);
      if (!def) {
        if (opts.rejectUnknown !== false) errors.push({ index, field: k, reason: `unknown field "${k}" on this list` });
        continue;
      }
      const n = normaliseValue(def, v, ctx, country);
      if (n.ok && n.value === null && def.required) errors.push({ index, field: k, reason: 'is required and cannot be cleared' });
      else if (n.ok) data[k] = n.value;
      else errors.push({ index, field: k, reason: n.reason, value: v === undefined || v === null ? undefined : String(v) });
    }
    const key = data[list.key_field];
    if (key === null || key === undefined) {
      if (!errors.some((e) => e.field === list.key_field)) {
        errors.push({ index, field: list.key_field, reason: `the key field "${list.key_field}" is required` });
      }
    }
    if (opts.requireRequired) {
      for (const f of required) {
        if ((data[f.key] === null || data[f.key] === undefined) && !errors.some((e) => e.field === f.key)) {
          errors.push({ index, field: f.key, reason: 'is required' });
        }
      }
    }
    if (errors.length) rejected.push(...errors);
    else contacts.push({ index, key: String(key), data });
  });
  return { contacts, rejected };
}
