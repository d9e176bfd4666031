import type { Queryable } from '../../db/index.js';
import type { Logger } from '../../core/logger.js';
import { fieldMap, type ListSchema } from '../fields.js';
import { exprKind, fieldExpr, indexName, statisticsName } from './field-expr.js';
import { filterFields, type FilterNode } from './filter-schema.js';
import { indexStatus } from './sql/index-status.js';
import { createExpressionIndex, type ExpressionIndex } from './sql/create-expression-index.js';
import { dropIndex } from './sql/drop-index.js';
import { analyzeContacts } from './sql/analyze-contacts.js';
import { createExpressionStatistics } from './sql/create-expression-statistics.js';
import { existingStatistics } from './sql/statistics-status.js';

/** A field's partial index for one list, and the table-wide statistics the planner needs to use it well. */
export interface ExpressionPlan extends ExpressionIndex {
  statistics: string;
}

/**
 * Saved segments get expression indexes on the fields they filter, so counting a segment over a
 * list of a million contacts reads index entries instead of every contact's jsonb. Live counts
 * and searches from the builder do not create any: a user typing would otherwise leave an index
 * per field they glanced at. Each indexed expression also gets statistics (see
 * create-expression-statistics.ts), without which the planner misjudges the index.
 * Booleans get neither: a flag splits a list in two halves, and a scan beats an index that
 * returns half the table while every write pays for it.
 */
export function indexesFor(list: Pick<ListSchema, 'account_id' | 'id' | 'fields'>, filter: FilterNode): ExpressionPlan[] {
  const fields = fieldMap(list);
  const out: ExpressionPlan[] = [];
  for (const key of filterFields(filter)) {
    const def = fields.get(key);
    if (!def || exprKind(def.type) === 'boolean') continue;
    out.push({
      name: indexName(list.account_id, list.id, def), statistics: statisticsName(def),
      accountId: list.account_id, listId: list.id, expr: fieldExpr(def),
    });
  }
  return out;
}

// Builds in progress in this process, by index name: a second save of the same segment joins the
// first build instead of queueing a duplicate behind its lock.
const inflight = new Map<string, Promise<number>>();

/**
 * Creates the missing statistics and indexes one after another (CREATE INDEX CONCURRENTLY takes a
 * lock that conflicts with itself on the same table, so parallel builds would only queue), then
 * ANALYZEs if it created any. Resolves to the number of objects created. `db` must be the pool: CONCURRENTLY refuses to
 * run in a transaction.
 */
export function ensureIndexes(db: Queryable, indexes: ExpressionPlan[]): Promise<number> {
  const joined = indexes.map((ix) => inflight.get(ix.name)).filter((p): p is Promise<number> => p !== undefined);
  const todo = indexes.filter((ix) => !inflight.has(ix.name));
  const run = buildMissing(db, todo);
  for (const ix of todo) inflight.set(ix.name, run);
  const forget = (): void => todo.forEach((ix) => inflight.delete(ix.name));
  run.then(forget, forget);
  return Promise.all([run, ...joined]).then(([built]) => built);
}

async function buildMissing(db: Queryable, todo: ExpressionPlan[]): Promise<number> {
  if (todo.length === 0) return 0;
  const status = await indexStatus(db, todo.map((ix) => ix.name));
  const stats = await existingStatistics(db, todo.map((ix) => ix.statistics));
  let built = 0;
  for (const ix of todo) {
    if (!stats.has(ix.statistics)) {
      await createExpressionStatistics(db, { name: ix.statistics, expr: ix.expr });
      stats.add(ix.statistics);
      built++;
    }
    const valid = status.get(ix.name);
    if (valid === true) continue;
    if (valid === false) await dropIndex(db, ix.name);
    await createExpressionIndex(db, ix);
    built++;
  }
  if (built > 0) await analyzeContacts(db);
  return built;
}

/**
 * Starts the builds without waiting: an index over a million rows takes seconds, and the HTTP
 * answer must not. A failure only costs speed (counts fall back to a scan), so it is logged.
 */
export function ensureIndexesInBackground(db: Queryable, log: Logger, indexes: ExpressionPlan[]): void {
  if (indexes.length === 0) return;
  ensureIndexes(db, indexes).catch((err: unknown) => {
    log.warn({ err, indexes: indexes.map((ix) => ix.name) }, 'segment index build failed');
  });
}

/** Waits for every build started in this process (tests; a graceful shutdown). */
export async function waitForIndexBuilds(): Promise<void> {
  await Promise.allSettled([...inflight.values()]);
}
