import { createHash } from 'node:crypto';
import { FIELD_KEY_PATTERN, type FieldDef, type FieldType } from '../fields.js';

/**
 * The SQL expression each field type is filtered, sorted and indexed on. Filters, sorts and the
 * `cx_` expression indexes all call `fieldExpr`, so the planner sees the index's exact expression.
 *
 * The field key is the one thing emitted as a literal instead of a parameter: an expression index
 * only matches a query whose expression names the same constant key, and `data->>$1` is not
 * `data->>'amount'`. That is safe because keys come from the list definition and must match
 * FIELD_KEY_PATTERN (checked again here); values always travel as parameters.
 */
export type ExprKind = 'text' | 'number' | 'boolean';

const KIND: Record<FieldType, ExprKind> = {
  text: 'text', email: 'text', phone: 'text', enum: 'text',
  // ISO dates and UTC datetimes are fixed-width, so text order is time order.
  date: 'text', datetime: 'text',
  number: 'number', boolean: 'boolean',
};

export const exprKind = (type: FieldType): ExprKind => KIND[type];

/** The cast a parameter compared with this kind of expression needs. */
export const castOf = (kind: ExprKind): 'text' | 'numeric' | 'jsonb' =>
  kind === 'number' ? 'numeric' : kind === 'boolean' ? 'jsonb' : 'text';

/** `'amount'` — a field key as a SQL string literal, after proving it is a plain identifier. */
export function keyLiteral(key: string): string {
  if (!FIELD_KEY_PATTERN.test(key)) throw new Error(`refusing to put field key ${JSON.stringify(key)} in SQL text`);
  return `'${key.replace(/'/g, "''")}'`;
}

const ID_PATTERN = /^[a-z]+_[0-9A-Z]+$/;

/** `'lst_01J…'` — an account or list id as a SQL literal, for index DDL that cannot take parameters. */
export function idLiteral(id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`refusing to put id ${JSON.stringify(id)} in SQL text`);
  return `'${id}'`;
}

/**
 * The typed expression of a field over `data` (or `<alias>.data`).
 * Numbers are guarded by `jsonb_typeof`: a stray string in a number field (say, after a field
 * changed type) then reads as "no value" instead of failing every count with a cast error — and
 * an index build over such a row would fail too, leaving an INVALID index behind.
 */
export function fieldExpr(def: Pick<FieldDef, 'key' | 'type'>, alias?: 'c'): string {
  const col = alias ? `${alias}.data` : 'data';
  const k = keyLiteral(def.key);
  switch (exprKind(def.type)) {
    case 'number':
      return `(CASE WHEN jsonb_typeof(${col}->${k}) = 'number' THEN (${col}->>${k})::numeric END)`;
    case 'boolean':
      return `(${col}->${k})`;
    case 'text':
      return `(${col}->>${k})`;
  }
}

/**
 * `cx_<list id>_<key>_<hash>`: PostgreSQL cuts names at 63 bytes, and list ids are only unique per
 * account, so a short hash of (account, list, key, kind) keeps two different indexes from sharing a
 * name — with IF NOT EXISTS a clash would silently skip the second. The kind is in the hash so a
 * field that changes type gets an index on its new expression.
 */
export function indexName(accountId: string, listId: string, def: Pick<FieldDef, 'key' | 'type'>): string {
  return boundedName(`cx_${listId.toLowerCase()}_`, def.key, `${accountId}|${listId}|${def.key}|${exprKind(def.type)}`);
}

/** `cx_stat_<key>_<hash>`: one statistics object per distinct expression, shared by every list. */
export function statisticsName(def: Pick<FieldDef, 'key' | 'type'>): string {
  return boundedName('cx_stat_', def.key, `${def.key}|${exprKind(def.type)}`);
}

function boundedName(head: string, key: string, hashed: string): string {
  const hash = createHash('sha256').update(hashed).digest('hex').slice(0, 8);
  const room = 63 - head.length - hash.length - 1;
  return `${head}${key.slice(0, Math.max(room, 0))}_${hash}`;
}

/** `cx_<list id>_seg_<hash>`: a segment's composite index, named by what it indexes (two segments
 * filtering the same fields share one). */
export function compositeIndexName(accountId: string, listId: string, exprs: readonly string[]): string {
  const hash = createHash('sha256').update(`${accountId}|${listId}|${exprs.join('|')}`).digest('hex').slice(0, 12);
  return `cx_${listId.toLowerCase()}_seg_${hash}`.slice(0, 63);
}
