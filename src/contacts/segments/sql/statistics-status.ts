import type { Queryable } from '../../../db/index.js';

/** Which of these extended statistics objects exist. */
export async function existingStatistics(db: Queryable, names: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT stxname AS name FROM pg_statistic_ext WHERE stxname = ANY($1::text[]) AND stxnamespace = current_schema()::regnamespace`,
    [names],
  );
  return new Set(rows.map((r) => r.name));
}
