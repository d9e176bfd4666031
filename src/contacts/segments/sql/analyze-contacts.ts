import type { Queryable } from '../../../db/index.js';

/**
 * Statistics for new expression indexes: until ANALYZE runs, the planner guesses an expression's
 * selectivity (0.5% for equality) and may ignore the index it was just given.
 */
export async function analyzeContacts(db: Queryable): Promise<void> {
  await db.query('ANALYZE contacts');
}
