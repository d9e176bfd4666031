import type { Queryable } from '../../../db/index.js';

/** Which of these indexes exist, and whether each is valid (a failed CONCURRENTLY build leaves an invalid one). */
export async function indexStatus(db: Queryable, names: string[]): Promise<Map<string, boolean>> {
  const { rows } = await db.query<{ name: string; valid: boolean }>(
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
     WHERE c.relname = ANY($1::text[]) AND c.relnamespace = current_schema()::regnamespace`,
    [names],
  );
  return new Map(rows.map((r) => [r.name, r.valid]));
}
