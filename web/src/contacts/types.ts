/** The Contact Manager's shapes as the API sends them (API.md, "Contact Manager"). */

export const FIELD_TYPES = ['text', 'number', 'date', 'datetime', 'boolean', 'email', 'phone', 'enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const DATE_FORMATS = ['yyyy-mm-dd', 'dd/mm/yyyy', 'mm/dd/yyyy'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];
export type DecimalSeparator = '.' | ',';

export interface FieldDef {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  options?: string[];
}

export interface StandardField {
  key: string;
  label: string;
  type: FieldType;
}

export interface ContactList {
  id: string;
  name: string;
  key_field: string;
  default_country: string | null;
  date_format: DateFormat;
  decimal_separator: DecimalSeparator;
  fields: FieldDef[];
  standard_fields: StandardField[];
  contact_count: number;
  created_at: string;
  updated_at: string;
}

export interface NewList {
  name: string;
  key_field: string;
  fields: FieldDef[];
  default_country?: string;
  date_format?: DateFormat;
  decimal_separator?: DecimalSeparator;
}

/** `default_country: null` clears it. */
export type ListPatch = Partial<Pick<NewList, 'name' | 'date_format' | 'decimal_separator' | 'fields'>> & { default_country?: string | null };

export type FieldValue = string | number | boolean | null;

export interface Contact {
  id: string;
  list_id: string;
  key: string;
  fields: Record<string, FieldValue>;
  created_at: string;
  updated_at: string;
}

export type FilterOp =
  | 'eq' | 'neq' | 'in' | 'not_in' | 'contains' | 'starts_with'
  | 'gt' | 'gte' | 'lt' | 'lte' | 'between'
  | 'is_empty' | 'is_not_empty' | 'within_last_days' | 'within_next_days';

export type ConditionValue = string | number | boolean | Array<string | number | boolean>;

export type Filter =
  | { and: Filter[] }
  | { or: Filter[] }
  | { not: Filter }
  | { field: string; op: FilterOp; value?: ConditionValue };

export interface SearchRequest {
  filter?: Filter;
  limit?: number;
  cursor?: string | null;
  sort?: { field: string; direction: 'asc' | 'desc' };
}

export interface SearchResult {
  contacts: Contact[];
  next_cursor: string | null;
}

export interface Segment {
  id: string;
  list_id: string;
  name: string;
  filter: Filter;
  created_at?: string;
}

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ImportJob {
  id: string;
  list_id?: string;
  status: ImportStatus;
  rows: number;
  inserted: number;
  updated: number;
  rejected: number;
  bytes?: number;
  error?: string;
  created_at?: string;
  finished_at?: string | null;
}

export interface ImportPreview {
  delimiter: string;
  encoding: string;
  header: string[];
  rows: string[][];
  mapping: Record<string, string | null>;
}

/** The fields in reach on a list: its own, then the standard ones it does not redefine. */
export function allFields(list: Pick<ContactList, 'fields' | 'standard_fields'>): FieldDef[] {
  const own = new Set(list.fields.map((f) => f.key));
  return [...list.fields, ...(list.standard_fields ?? []).filter((f) => !own.has(f.key))];
}
