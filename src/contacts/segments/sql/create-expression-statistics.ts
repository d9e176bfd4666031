import type { Queryable } from '../../../db/index.js';
import { INDEX_NAME } from './create-expression-index.js';

/**
 * Statistics on a field's expression over the whole contacts table (PostgreSQL 14+). The planner
 * ignores the statistics ANALYZE gathers for a PARTIAL expression index (selfuncs.c skips indexes
 * with a predicate), so without this it guesses 0.5% for `=` and 33% for `>` whatever the data.
 * Measured on 1.3M contacts: `amount > 9990` (1,052 rows) counted in 3–8 ms with these
 * statistics, 58–134 ms without (a parallel bitmap scan planned for a third of the table).
 * The text is built like the index DDL: checked name, expression from fieldExpr.
 */
export async function createExpressionStatistics(db: Queryable, s: { name: string; expr: string }): Promise<void> {
  if (!INDEX_NAME.test(s.name)) throw new Error(`refusing statistics name ${JSON.stringify(s.name)}`);
  await db.query(`CREATE STATISTICS IF NOT EXISTS ${s.name} ON ${s.expr} FROM contacts`);
}
