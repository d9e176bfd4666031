import type { Queryable } from '../../../db/index.js';

export interface ImportError {
  line: number;
  field: string;
  value?: string;
  reason: string;
}

/** A batch's errors in one statement (one jsonb parameter, like upsertContacts). */
export async function insertImportErrors(db: Queryable, accountId: string, importId: string, errors: readonly ImportError[]): Promise<void> {
  if (errors.length === 0) return;
  await db.query(
    `INSERT INTO import_errors (account_id, import_id, line, field, value, reason)
     SELECT $1, $2, e.line, e.field, e.value, e.reason
     FROM jsonb_to_recordset($3::jsonb) AS e(line bigint, field text, value text, reason text)`,
    [accountId, importId, JSON.stringify(errors)],
  );
}
