import { AppError } from '../../core/errors.js';
import type { FieldDef } from '../fields.js';
import { castOf, exprKind, fieldExpr, type ExprKind } from './field-expr.js';
import type { SqlFragment } from './sql-fragment.js';

/**
 * Sorting and keyset paging for contact searches. A page ends with the last row's sort value and
 * id; the next page starts strictly after that pair — never OFFSET, which rescans every skipped
 * row (page 1,000 of 50 would read 50,000 rows) and skips or repeats rows when data changes.
 *
 * Rows without a value sort last in both directions, and the id breaks ties, so the order is
 * total and every row appears on exactly one page.
 */
export interface Sort {
  /** Undefined: by id, which (ids being time-ordered) is creation order. */
  field?: Pick<FieldDef, 'key' | 'type'>;
  direction: 'asc' | 'desc';
}

export interface CursorPosition {
  /** The last row's sort value as text (`numeric::text`, `jsonb::text`), or null for "no value". */
  value: string | null;
  id: string;
}

interface CursorJson {
  s: string;
  v: string | null;
  id: string;
}

/** Ties a cursor to the sort it was made for: a cursor from another sort is refused, not misread. */
const signature = (sort: Sort): string => `${sort.field?.key ?? '#id'}:${sort.direction}`;

export function encodeCursor(sort: Sort, pos: CursorPosition): string {
  const json: CursorJson = { s: signature(sort), v: pos.value, id: pos.id };
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

const badCursor = (): AppError =>
  new AppError(422, 'invalid_cursor', 'cursor: not a cursor of this search (start again without one)', [
    { field: 'cursor', message: 'not a cursor of this search' },
  ]);

const VALUE_SHAPE: Record<ExprKind, RegExp> = {
  number: /^-?\d+(\.\d+)?$/,
  boolean: /^(true|false)$/,
  text: /^[\s\S]{0,10000}$/,
};

/** Decodes a cursor and checks it fits `sort`, so a hand-made value can at worst fail with 422. */
export function decodeCursor(sort: Sort, raw: string): CursorPosition {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (typeof json !== 'object' || json === null) throw badCursor();
  const { s, v, id } = json as Partial<CursorJson>;
  if (s !== signature(sort) || typeof id !== 'string' || id.length === 0 || id.length > 64) throw badCursor();
  if (v === null || v === undefined) {
    if (sort.field && v === undefined) throw badCursor();
    return { value: null, id };
  }
  if (typeof v !== 'string' || !sort.field || !VALUE_SHAPE[exprKind(sort.field.type)].test(v)) throw badCursor();
  return { value: v, id };
}

/** The ORDER BY list and the text of the sort value each row carries into the next cursor. */
export function orderBy(sort: Sort): { order: string; value: string } {
  const dir = sort.direction === 'desc' ? 'DESC' : 'ASC';
  if (!sort.field) return { order: `c.id ${dir}`, value: 'NULL::text' };
  const e = fieldExpr(sort.field, 'c');
  return { order: `${e} ${dir} NULLS LAST, c.id ${dir}`, value: `${e}::text` };
}

/** Rows strictly after `pos` in `sort` order. */
export function afterCursor(sort: Sort, pos: CursorPosition): SqlFragment {
  return (p) => {
    const cmp = sort.direction === 'desc' ? '<' : '>';
    const id = p.add(pos.id, 'text');
    if (!sort.field) return `c.id ${cmp} ${id}`;
    const e = fieldExpr(sort.field, 'c');
    // Past the valued rows lie the rows without a value (NULLS LAST), in id order.
    if (pos.value === null) return `(${e} IS NULL AND c.id ${cmp} ${id})`;
    const v = p.add(pos.value, castOf(exprKind(sort.field.type)));
    return `(${e} ${cmp} ${v} OR (${e} = ${v} AND c.id ${cmp} ${id}) OR ${e} IS NULL)`;
  };
}
