import type { Queryable } from '../../db/index.js';
import type { Logger } from '../../core/logger.js';
import { fieldMap, type ListSchema } from '../fields.js';
import { compositeIndexName, exprKind, fieldExpr, indexName, statisticsName } from './field-expr.js';
import { filterFields, type FilterNode } from './filter-schema.js';
import { indexStatus } from './sql/index-status.js';
import { createExpressionIndex, type ExpressionIndex } from './sql/create-expression-index.js';
import { dropIndex } from './sql/drop-index.js';
import { analyzeContacts } from './sql/analyze-contacts.js';
import { createExpressionStatistics } from './sql/create-expression-statistics.js';
import { existingStatistics } from './sql/statistics-status.js';

/** A partial index for one list, and (per field) the table-wide statistics the planner needs to use it well. */
export interface ExpressionPlan extends ExpressionIndex {
  statistics?: string;
}

/** Conditions a b-tree can narrow on: equalities first in a composite key, then ranges. */
const EQUALITY_OPS = new Set(['eq', 'in']);
const RANGE_OPS = new Set(['gt', 'gte', 'lt', 'lte', 'between', 'within_last_days', 'within_next_days']);
const MAX_COMPOSITE = 4;

/**
 * One composite index per saved segment over the indexable conditions of its top-level AND —
 * equalities first, then ranges. With single-field indexes the planner takes the most selective
 * one and visits the heap for every row it returns, then filters: on 1M contacts with
 * city = … AND balance BETWEEN … AND due_date within 30 days that meant 86k heap pages and
 * 0.3–3 s a count (2 loaded cores); the composite index narrows on all three conditions and
 * visits only the 6.8k matching pages — and none on pages VACUUM marked all-visible.
 */
export function compositeIndexFor(list: Pick<ListSchema, 'account_id' | 'id' | 'fields'>, filter: FilterNode): ExpressionPlan | undefined {
  const fields = fieldMap(list);
  const conditions = 'and' in filter ? filter.and : [filter];
  const eq: string[] = [];
  const range: string[] = [];
  for (const c of conditions) {
    if (!('field' in c)) continue;
    const def = fields.get(c.field);
    if (!def || exprKind(def.type) === 'boolean') continue;
    const expr = fieldExpr(def);
    if (eq.includes(expr) || range.includes(expr)) continue;
    if (EQUALITY_OPS.has(c.op)) eq.push(expr);
    else if (RANGE_OPS.has(c.op)) range.push(expr);
  }
  const exprs = [...eq, ...range].slice(0, MAX_COMPOSITE);
  if (exprs.length < 2) return undefined;
  return { name: compositeIndexName(list.account_id, list.id, exprs), accountId: list.account_id, listId: list.id, expr: exprs.join(', ') };
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
  const composite = compositeIndexFor(list, filter);
  if (composite) out.push(composite);
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
  const stats = await existingStatistics(db, todo.flatMap((ix) => (ix.statistics ? [ix.statistics] : [])));
  let built = 0;
  for (const ix of todo) {
    if (ix.statistics && !stats.has(ix.statistics)) {
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
