import type { Queryable } from '../../../db/index.js';
import { idLiteral } from '../field-expr.js';

export const INDEX_NAME = /^cx_[a-z0-9_]{1,60}$/;

export interface ExpressionIndex {
  name: string;
  accountId: string;
  listId: string;
  /** From fieldExpr(def) — code-built text around a checked key literal. */
  expr: string;
}

/**
 * A partial expression index for one field of one list. DDL takes no parameters, so every piece
 * of the text is checked first: the name against INDEX_NAME, the ids by idLiteral, the expression
 * built by fieldExpr. CONCURRENTLY keeps writes to contacts flowing during the build, and cannot
 * run inside a transaction: give it the pool, not a transaction's client.
 */
export async function createExpressionIndex(db: Queryable, ix: ExpressionIndex): Promise<void> {
  if (!INDEX_NAME.test(ix.name)) throw new Error(`refusing index name ${JSON.stringify(ix.name)}`);
  await db.query(
    `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${ix.name} ON contacts (${ix.expr})
     WHERE list_id = ${idLiteral(ix.listId)} AND account_id = ${idLiteral(ix.accountId)}`,
  );
}
