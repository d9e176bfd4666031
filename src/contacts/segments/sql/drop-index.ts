import type { Queryable } from '../../../db/index.js';
import { INDEX_NAME } from './create-expression-index.js';

/** Drops an index left invalid by a failed build, so IF NOT EXISTS does not keep skipping it. */
export async function dropIndex(db: Queryable, name: string): Promise<void> {
  if (!INDEX_NAME.test(name)) throw new Error(`refusing index name ${JSON.stringify(name)}`);
  await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}
