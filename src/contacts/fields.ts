/**
 * The shape of a list's fields. Every contact stores its values in `contacts.data` (jsonb),
 * normalised by type (field-types.ts) so filters compare like with like:
 *   text, email, phone (E.164), enum → JSON string
 *   number                        → JSON number
 *   date                          → "YYYY-MM-DD"      (ISO strings sort as the dates they name)
 *   datetime                      → "YYYY-MM-DDTHH:MM:SS.sssZ" (UTC)
 *   boolean                       → JSON true/false
 * An absent key means "no value" (nulls are stripped on write).
 */
export const FIELD_TYPES = ['text', 'number', 'date', 'datetime', 'boolean', 'email', 'phone', 'enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Extra checks the standard fields get beyond their type. */
export type FieldFormat = 'timezone' | 'country' | 'language';

export interface FieldDef {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  options?: string[];
  format?: FieldFormat;
  /** Set when the field was removed: its data stays in storage but out of reach. */
  removed_at?: string;
  /** True for the standard fields every contact has. */
  standard?: boolean;
}

export const MAX_FIELDS = 200;
export const FIELD_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const DATE_FORMATS = ['yyyy-mm-dd', 'dd/mm/yyyy', 'mm/dd/yyyy'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** Fields every contact has unless the list defines its own field with the same key (API.md). */
export const STANDARD_FIELDS: readonly FieldDef[] = [
  { key: 'email', label: 'Email', type: 'email', standard: true },
  { key: 'phone', label: 'Phone', type: 'phone', standard: true },
  { key: 'timezone', label: 'Time zone', type: 'text', format: 'timezone', standard: true },
  { key: 'country', label: 'Country', type: 'text', format: 'country', standard: true },
  { key: 'language', label: 'Language', type: 'text', format: 'language', standard: true },
  { key: 'consent_marketing', label: 'Consent: marketing', type: 'boolean', standard: true },
  { key: 'consent_transactional', label: 'Consent: transactional', type: 'boolean', standard: true },
];

/** What the Contact Manager needs to know of a list to validate, store and query its contacts. */
export interface ListSchema {
  id: string;
  account_id: string;
  key_field: string;
  default_country: string | null;
  date_format: DateFormat;
  decimal_separator: '.' | ',';
  /** The list's own fields, including removed ones (with removed_at). */
  fields: FieldDef[];
}

/** The fields in reach: the list's active fields plus the standard fields it does not redefine. */
export function activeFields(list: Pick<ListSchema, 'fields'>): FieldDef[] {
  const own = list.fields.filter((f) => !f.removed_at);
  const ownKeys = new Set(own.map((f) => f.key));
  return [...own, ...STANDARD_FIELDS.filter((f) => !ownKeys.has(f.key))];
}

export function fieldMap(list: Pick<ListSchema, 'fields'>): Map<string, FieldDef> {
  return new Map(activeFields(list).map((f) => [f.key, f]));
}
