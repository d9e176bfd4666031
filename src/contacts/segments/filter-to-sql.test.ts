import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldMap, type FieldDef } from '../fields.js';
import { compileFilter, escapeLike, localDate, relativeRange, type CompileContext } from './filter-to-sql.js';
import { validateFilter } from './filter-schema.js';
import { fieldExpr, indexName, keyLiteral } from './field-expr.js';
import { SqlParams } from './sql-fragment.js';
import { afterCursor, decodeCursor, encodeCursor, orderBy, type Sort } from './sort-cursor.js';

const fields: FieldDef[] = [
  { key: 'name', label: 'Name', type: 'text' },
  { key: 'amount', label: 'Amount', type: 'number' },
  { key: 'due', label: 'Due', type: 'date' },
  { key: 'seen', label: 'Seen', type: 'datetime' },
  { key: 'vip', label: 'VIP', type: 'boolean' },
];
const list = { fields, default_country: 'CO', date_format: 'yyyy-mm-dd' as const, decimal_separator: '.' as const };
// 02:30 UTC on 15 March is still 14 March in Bogotá (UTC−5).
const ctx: CompileContext = { fields: fieldMap(list), now: new Date('2026-03-15T02:30:00.000Z'), timezone: 'America/Bogota' };

/** SQL and parameters of a filter, numbered after two scope parameters as in the real statements. */
function sql(filter: unknown): { text: string; values: unknown[] } {
  const p = new SqlParams(['acc', 'lst']);
  const text = compileFilter(validateFilter(list, filter), ctx)(p);
  return { text, values: p.values.slice(2) };
}

const AMOUNT = `(CASE WHEN jsonb_typeof(c.data->'amount') = 'number' THEN (c.data->>'amount')::numeric END)`;

test('each op compiles to a typed, parameterised expression', () => {
  const cases: [unknown, string, unknown[]][] = [
    [{ field: 'name', op: 'eq', value: 'Ana' }, `(c.data->>'name') = $3::text`, ['Ana']],
    [{ field: 'name', op: 'neq', value: 'Ana' }, `(c.data->>'name') IS DISTINCT FROM $3::text`, ['Ana']],
    [{ field: 'amount', op: 'gt', value: 5 }, `${AMOUNT} > $3::numeric`, [5]],
    [{ field: 'amount', op: 'lte', value: -2.5 }, `${AMOUNT} <= $3::numeric`, [-2.5]],
    [{ field: 'amount', op: 'in', value: [1, 2, 1] }, `${AMOUNT} = ANY($3::numeric[])`, [[1, 2]]],
    [{ field: 'name', op: 'not_in', value: ['a', 'b'] }, `((c.data->>'name') = ANY($3::text[])) IS NOT TRUE`, [['a', 'b']]],
    [{ field: 'amount', op: 'between', value: [1, 9] }, `(${AMOUNT} >= $3::numeric AND ${AMOUNT} <= $4::numeric)`, [1, 9]],
    [{ field: 'name', op: 'contains', value: '50%_off\\' }, `(c.data->>'name') ILIKE $3::text`, ['%50\\%\\_off\\\\%']],
    [{ field: 'name', op: 'starts_with', value: 'An' }, `(c.data->>'name') ILIKE $3::text`, ['An%']],
    [{ field: 'name', op: 'is_empty' }, `coalesce((c.data->>'name'), '') = ''`, []],
    [{ field: 'amount', op: 'is_not_empty' }, `${AMOUNT} IS NOT NULL`, []],
    [{ field: 'vip', op: 'eq', value: true }, `(c.data->'vip') = $3::jsonb`, ['true']],
    [{ field: 'vip', op: 'is_empty' }, `(c.data->'vip') IS NULL`, []],
    [{ field: 'due', op: 'lt', value: '2026-03-01' }, `(c.data->>'due') < $3::text`, ['2026-03-01']],
    [{ field: 'due', op: 'within_next_days', value: 7 }, `((c.data->>'due') >= $3::text AND (c.data->>'due') <= $4::text)`, ['2026-03-14', '2026-03-21']],
    [{ field: 'due', op: 'within_last_days', value: 14 }, `((c.data->>'due') >= $3::text AND (c.data->>'due') <= $4::text)`, ['2026-02-28', '2026-03-14']],
    [{ field: 'seen', op: 'within_last_days', value: 1 }, `((c.data->>'seen') >= $3::text AND (c.data->>'seen') <= $4::text)`, ['2026-03-14T02:30:00.000Z', '2026-03-15T02:30:00.000Z']],
  ];
  for (const [filter, text, values] of cases) assert.deepEqual(sql(filter), { text, values }, JSON.stringify(filter));
});

test('and / or / not nest with parentheses; not treats "no value" as not matching', () => {
  const r = sql({ or: [{ and: [{ field: 'amount', op: 'gte', value: 1 }, { field: 'vip', op: 'eq', value: false }] }, { not: { field: 'name', op: 'eq', value: 'x' } }] });
  assert.equal(r.text, `((${AMOUNT} >= $3::numeric AND (c.data->'vip') = $4::jsonb) OR (((c.data->>'name') = $5::text) IS NOT TRUE))`);
  assert.deepEqual(r.values, [1, 'false', 'x']);
});

test('values never reach the SQL text; keys are checked literals', () => {
  const evil = `x'); DROP TABLE contacts; --`;
  const r = sql({ or: [{ field: 'name', op: 'eq', value: evil }, { field: 'name', op: 'contains', value: evil }, { field: 'name', op: 'in', value: [evil] }] });
  assert.equal(r.text.includes('DROP'), false);
  assert.deepEqual(r.values[0], evil);
  assert.throws(() => keyLiteral(`a'b`), /refusing/);
  assert.throws(() => keyLiteral('Name'), /refusing/);
  assert.throws(() => fieldExpr({ key: `x' OR 1=1 --`, type: 'text' }), /refusing/);
  assert.equal(escapeLike('a%b_c\\d'), 'a\\%b\\_c\\\\d');
});

test('index expressions are the filter expressions without the alias', () => {
  const def = { key: 'amount', type: 'number' } as const;
  assert.equal(fieldExpr(def, 'c').replaceAll('c.data', 'data'), fieldExpr(def));
  const name = indexName('acc_01ABC', 'lst_01JD0000000000000000000000', { key: 'a_very_long_field_key_that_goes_on_and_on', type: 'number' });
  assert.ok(name.length <= 63, name);
  assert.match(name, /^cx_lst_01jd0000000000000000000000_a_very_long_field_ke_[0-9a-f]{8}$/);
  // Another type, another account: another name.
  assert.notEqual(indexName('acc_01ABC', 'lst_1', { key: 'k', type: 'number' }), indexName('acc_01ABC', 'lst_1', { key: 'k', type: 'text' }));
  assert.notEqual(indexName('acc_01ABC', 'lst_1', { key: 'k', type: 'text' }), indexName('acc_01ABD', 'lst_1', { key: 'k', type: 'text' }));
});

test('relative ranges: calendar days in the account time zone, instants for datetimes', () => {
  assert.equal(localDate(new Date('2026-03-15T04:59:59Z'), 'America/Bogota'), '2026-03-14');
  assert.equal(localDate(new Date('2026-03-15T05:00:00Z'), 'America/Bogota'), '2026-03-15');
  assert.equal(localDate(new Date('2026-03-14T23:30:00Z'), 'Asia/Tokyo'), '2026-03-15');
  const at = { now: new Date('2026-12-31T12:00:00Z'), timezone: 'UTC' };
  assert.deepEqual(relativeRange({ type: 'date' }, 'within_next_days', 1, at), ['2026-12-31', '2027-01-01']);
  assert.deepEqual(relativeRange({ type: 'date' }, 'within_last_days', 0, at), ['2026-12-31', '2026-12-31']);
  assert.deepEqual(relativeRange({ type: 'datetime' }, 'within_next_days', 2, at), ['2026-12-31T12:00:00.000Z', '2027-01-02T12:00:00.000Z']);
});

test('keyset: order with no-value rows last, and the rows after a cursor', () => {
  const sort: Sort = { field: { key: 'amount', type: 'number' }, direction: 'desc' };
  assert.deepEqual(orderBy(sort), { order: `${AMOUNT} DESC NULLS LAST, c.id DESC`, value: `${AMOUNT}::text` });
  const p = new SqlParams(['acc', 'lst']);
  const after = afterCursor(sort, decodeCursor(sort, encodeCursor(sort, { value: '10.50', id: 'ct_9' })))(p);
  assert.equal(after, `(${AMOUNT} < $4::numeric OR (${AMOUNT} = $4::numeric AND c.id < $3::text) OR ${AMOUNT} IS NULL)`);
  assert.deepEqual(p.values.slice(2), ['ct_9', '10.50']);
  const nulls = afterCursor(sort, { value: null, id: 'ct_9' })(new SqlParams());
  assert.equal(nulls, `(${AMOUNT} IS NULL AND c.id < $1::text)`);
  assert.equal(afterCursor({ direction: 'asc' }, { value: null, id: 'ct_1' })(new SqlParams()), 'c.id > $1::text');
});

test('cursors are refused when forged or made for another sort', () => {
  const byAmount: Sort = { field: { key: 'amount', type: 'number' }, direction: 'asc' };
  const byId: Sort = { direction: 'asc' };
  const forge = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const bad = [
    'not base64 json!',
    encodeCursor(byId, { value: null, id: 'ct_1' }),
    forge({ s: 'amount:asc', v: '1; DROP TABLE contacts', id: 'ct_1' }),
    forge({ s: 'amount:asc', v: '1' }),
    forge({ s: 'amount:asc', id: 'ct_1' }),
    forge({ s: 'amount:desc', v: '1', id: 'ct_1' }),
  ];
  for (const c of bad) assert.throws(() => decodeCursor(byAmount, c), (e: { code?: string }) => e.code === 'invalid_cursor', c);
  assert.deepEqual(decodeCursor(byAmount, forge({ s: 'amount:asc', v: null, id: 'ct_1' })), { value: null, id: 'ct_1' });
});
