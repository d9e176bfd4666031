/** An import as stored (migration 003_imports.sql). */
export interface ImportRow {
  account_id: string;
  id: string;
  list_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  rows: number;
  inserted: number;
  updated: number;
  rejected: number;
  bytes: number;
  options: ImportOptions;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** How to read the file, decided when it was uploaded. */
export interface ImportOptions {
  delimiter: string;
  encoding: string;
  header: string[];
  /** Column header → field key, or null for a column that is not imported. */
  mapping: Record<string, string | null>;
}

export const IMPORT_COLS =
  'account_id, id, list_id, status, rows, inserted, updated, rejected, bytes, options, error, created_at, started_at, finished_at';
