import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import type { Queryable } from '../../db/index.js';
import { fieldMap } from '../fields.js';
import { getList } from '../sql/lists.js';
import { compileFilter, countContacts, validateFilter, waitForIndexBuilds } from './index.js';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(async () => { await waitForIndexBuilds(); await t.close(); });

const fields = [
  { key: 'doc', label: 'Doc', type: 'text' },
  { key: 'name', label: 'Name', type: 'text' },
  { key: 'amount', label: 'Amount', type: 'number' },
  { key: 'due', label: 'Due', type: 'date' },
  { key: 'vip', label: 'VIP', type: 'boolean' },
  { key: 'tier', label: 'Tier', type: 'enum', options: ['Gold', 'Silver'] },
];

async function newList(records: Record<string, unknown>[], key = t.key): Promise<string> {
  const l = await t.call('POST', '/v1/lists', { name: 'L', key_field: 'doc', fields }, { key });
  assert.equal(l.statusCode, 201, l.body);
  const up = await t.call('PUT', `/v1/lists/${l.json().id}/contacts`, { contacts: records }, { key });
  assert.deepEqual(up.json().rejected, [], up.body);
  return l.json().id;
}

// 25 contacts: amounts with ties (9, 9.5, 10, 100), every fifth without one; names with ties.
const AMOUNTS = [10, 9, 100, 10, 9.5];
const records = Array.from({ length: 25 }, (_, i) => ({
  doc: `d${String(i).padStart(2, '0')}`,
  name: ['Ana', 'Bea', 'Ana', 'Cid'][i % 4],
  ...(i % 5 === 0 ? {} : { amount: AMOUNTS[i % 5] }),
  vip: i % 2 === 0,
  tier: i % 3 === 0 ? 'Gold' : 'Silver',
}));

interface Row { id: string; key: string; fields: Record<string, unknown> }

async function allPages(listId: string, body: object, limit: number): Promise<{ rows: Row[]; pages: number }> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await t.call('POST', `/v1/lists/${listId}/contacts/search`, { ...body, limit, cursor });
    assert.equal(r.statusCode, 200, r.body);
    rows.push(...r.json().contacts);
    cursor = r.json().next_cursor;
    assert.ok(++pages < 100, 'paging does not end');
  } while (cursor);
  return { rows, pages };
}

/** The order the API promises: typed values, no-value rows last, ties by id in the same direction. */
function expectedOrder(rows: Row[], field: string, dir: 'asc' | 'desc'): string[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const [x, y] = [a.fields[field], b.fields[field]] as (number | string | undefined)[];
    if (x === undefined || y === undefined) return x === y ? sign * (a.id < b.id ? -1 : 1) : x === undefined ? 1 : -1;
    if (x !== y) return sign * (x < y ? -1 : 1);
    return sign * (a.id < b.id ? -1 : 1);
  }).map((r) => r.id);
}

test('keyset paging: by id, by a number with ties and missing values, by text; both directions', async () => {
  const listId = await newList(records);
  const byId = await allPages(listId, {}, 4);
  assert.equal(byId.rows.length, 25);
  assert.equal(byId.pages, 7);
  const ids = byId.rows.map((r) => r.id);
  assert.deepEqual(ids, [...ids].sort());
  for (const [field, dir] of [['amount', 'asc'], ['amount', 'desc'], ['name', 'asc'], ['name', 'desc']] as const) {
    for (const limit of [1, 4, 7]) {
      const { rows } = await allPages(listId, { sort: { field, direction: dir } }, limit);
      assert.deepEqual(rows.map((r) => r.id), expectedOrder(byId.rows, field, dir), `${field} ${dir} limit ${limit}`);
    }
  }
  // Numbers sort as numbers: 9 < 9.5 < 10 < 100, then the five without an amount.
  const { rows } = await allPages(listId, { sort: { field: 'amount' } }, 10);
  assert.deepEqual([...new Set(rows.map((r) => r.fields.amount))], [9, 9.5, 10, 100, undefined]);
  // A filter pages too; a cursor from another sort is refused.
  const vips = await allPages(listId, { filter: { field: 'vip', op: 'eq', value: true }, sort: { field: 'amount', direction: 'desc' } }, 3);
  assert.equal(vips.rows.length, 13);
  const first = (await t.call('POST', `/v1/lists/${listId}/contacts/search`, { limit: 2 })).json();
  const mixed = await t.call('POST', `/v1/lists/${listId}/contacts/search`, { limit: 2, cursor: first.next_cursor, sort: { field: 'amount' } });
  assert.equal(mixed.statusCode, 422);
  assert.equal(mixed.json().error.code, 'invalid_cursor');
  assert.equal((await t.call('POST', `/v1/lists/${listId}/contacts/search`, { limit: 1001 })).statusCode, 400);
});

test('segments: create, list, get, count, search by segment_id, patch, delete', async () => {
  const listId = await newList(records);
  const filter = { and: [{ field: 'amount', op: 'gte', value: 10 }, { field: 'tier', op: 'eq', value: 'gold' }] };
  const c = await t.call('POST', `/v1/lists/${listId}/segments`, { name: 'Gold debtors', filter });
  assert.equal(c.statusCode, 201, c.body);
  const seg = c.json();
  assert.match(seg.id, /^seg_/);
  assert.deepEqual(Object.keys(seg).sort(), ['created_at', 'filter', 'id', 'list_id', 'name', 'updated_at']);
  assert.equal(seg.filter.and[1].value, 'Gold', 'saved normalised');
  assert.deepEqual((await t.call('GET', `/v1/lists/${listId}/segments`)).json().segments.map((s: { id: string }) => s.id), [seg.id]);
  assert.equal((await t.call('GET', `/v1/segments/${seg.id}`)).json().name, 'Gold debtors');
  const expected = records.filter((r) => (r.amount ?? 0) >= 10 && r.tier === 'Gold').length;
  assert.equal((await t.call('GET', `/v1/segments/${seg.id}/count`)).json().count, expected);
  const found = (await t.call('POST', `/v1/lists/${listId}/contacts/search`, { segment_id: seg.id })).json();
  assert.equal(found.contacts.length, expected);
  assert.equal((await t.call('POST', `/v1/lists/${listId}/contacts/count`, { segment_id: seg.id })).json().count, expected);

  const bad = await t.call('POST', `/v1/lists/${listId}/segments`, { name: 'x', filter: { field: 'vip', op: 'gt', value: 1 } });
  assert.equal(bad.statusCode, 422);
  assert.equal(bad.json().error.details[0].field, 'filter.op');
  const badPatch = await t.call('PATCH', `/v1/segments/${seg.id}`, { filter: { or: [] } });
  assert.equal(badPatch.json().error.details[0].field, 'filter.or');

  const p = await t.call('PATCH', `/v1/segments/${seg.id}`, { name: 'Everyone with an amount', filter: { field: 'amount', op: 'is_not_empty' } });
  assert.equal(p.statusCode, 200, p.body);
  assert.equal(p.json().name, 'Everyone with an amount');
  assert.equal((await t.call('GET', `/v1/segments/${seg.id}/count`)).json().count, 20);
  assert.equal((await t.call('DELETE', `/v1/segments/${seg.id}`)).statusCode, 204);
  assert.equal((await t.call('GET', `/v1/segments/${seg.id}`)).statusCode, 404);
  assert.equal((await t.call('GET', `/v1/segments/${seg.id}/count`)).statusCode, 404);
  assert.equal((await t.call('DELETE', `/v1/segments/${seg.id}`)).statusCode, 404);
  assert.deepEqual((await t.call('GET', `/v1/lists/${listId}/segments`)).json().segments, []);
});

test('a segment whose field was removed from the list answers 422; a deleted list hides its segments', async () => {
  const listId = await newList(records.slice(0, 3));
  const seg = (await t.call('POST', `/v1/lists/${listId}/segments`, { name: 's', filter: { not: { field: 'tier', op: 'eq', value: 'Gold' } } })).json();
  const patch = await t.call('PATCH', `/v1/lists/${listId}`, { fields: fields.filter((f) => f.key !== 'tier') });
  assert.equal(patch.statusCode, 200, patch.body);
  const r = await t.call('GET', `/v1/segments/${seg.id}/count`);
  assert.equal(r.statusCode, 422);
  assert.equal(r.json().error.details[0].field, 'filter.not.field');
  assert.equal((await t.call('DELETE', `/v1/lists/${listId}`)).statusCode, 204);
  assert.equal((await t.call('GET', `/v1/segments/${seg.id}`)).statusCode, 404);
  assert.equal((await t.call('POST', `/v1/lists/${listId}/contacts/count`, {})).statusCode, 404);
});

test("another account's lists and segments are 404; a segment of another list is 422", async () => {
  const mine = await newList(records.slice(0, 3));
  const seg = (await t.call('POST', `/v1/lists/${mine}/segments`, { name: 's', filter: { field: 'vip', op: 'eq', value: true } })).json();
  const other = await t.newAccount();
  const theirs = await newList(records.slice(0, 2), other.key);
  const as = { key: other.key };
  const calls: [string, string, unknown?][] = [
    ['GET', `/v1/segments/${seg.id}`], ['GET', `/v1/segments/${seg.id}/count`],
    ['PATCH', `/v1/segments/${seg.id}`, { name: 'mine now' }], ['DELETE', `/v1/segments/${seg.id}`],
    ['GET', `/v1/lists/${mine}/segments`], ['POST', `/v1/lists/${mine}/segments`, { name: 'x', filter: { field: 'doc', op: 'is_empty' } }],
    ['POST', `/v1/lists/${mine}/contacts/count`, {}], ['POST', `/v1/lists/${mine}/contacts/search`, {}],
    ['POST', `/v1/lists/${theirs}/contacts/search`, { segment_id: seg.id }],
    ['GET', `/v1/lists/${mine}/export`],
  ];
  for (const [method, url, body] of calls) {
    const r = await t.call(method as 'GET', url, body, as);
    assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
  }
  assert.equal((await t.call('GET', `/v1/segments/${seg.id}`)).json().name, 's', 'untouched');
  const another = await newList(records.slice(0, 2));
  const wrong = await t.call('POST', `/v1/lists/${another}/contacts/search`, { segment_id: seg.id });
  assert.equal(wrong.statusCode, 422);
  assert.equal(wrong.json().error.details[0].field, 'segment_id');
});

/** Runs a statement as EXPLAIN on a client that may not scan the table sequentially. */
async function planOf(run: (db: Queryable) => Promise<unknown>): Promise<string> {
  const client = await t.db.pool.connect();
  try {
    await client.query('SET enable_seqscan = off');
    let plan = '';
    await run({
      query: (async (text: string, values: unknown[]) => {
        const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
        plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
        return { rows: [] };
      }) as unknown as Queryable['query'],
    });
    return plan;
  } finally {
    await client.query('RESET enable_seqscan');
    client.release();
  }
}

test('saving a segment builds expression indexes its counts can use (not for booleans)', async () => {
  const listId = await newList(records);
  const filter = { and: [{ field: 'amount', op: 'gt', value: 9 }, { field: 'due', op: 'within_next_days', value: 30 }, { field: 'vip', op: 'eq', value: true }] };
  const res = await t.call('POST', `/v1/lists/${listId}/segments`, { name: 'idx', filter });
  assert.equal(res.statusCode, 201);
  await waitForIndexBuilds();
  const { rows } = await t.db.pool.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'cx\\_${listId.toLowerCase()}\\_%' ORDER BY indexname`);
  const lower = listId.toLowerCase();
  assert.deepEqual(rows.map((r) => r.indexname.replace(/_[0-9a-f]{8,12}$/, '')), [`cx_${lower}_amount`, `cx_${lower}_due`, `cx_${lower}_seg`]);
  // The segment's composite index narrows on both indexable conditions (the boolean is left out).
  assert.match(rows[2]!.indexdef, /\(data ->> 'due'::text\)\)/);
  assert.match(rows[2]!.indexdef, /data -> 'amount'/);
  assert.doesNotMatch(rows[2]!.indexdef, /vip/);
  assert.match(rows[0]!.indexdef, /WHERE \(\(list_id = 'lst_\w+'::text\) AND \(account_id = 'acc_\w+'::text\)\)/);
  const valid = await t.db.pool.query(`SELECT bool_and(indisvalid) AS ok FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ANY($1)`, [rows.map((r) => r.indexname)]);
  assert.equal(valid.rows[0].ok, true);
  const stats = await t.db.pool.query(`SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE 'cx\\_stat\\_%' ORDER BY 1`);
  // Table-wide, shared with the earlier tests' lists: amount and due are there, the boolean is not.
  const statNames = stats.rows.map((r) => r.stxname.replace(/_[0-9a-f]{8}$/, ''));
  assert.ok(statNames.includes('cx_stat_amount') && statNames.includes('cx_stat_due'), String(statNames));
  assert.equal(statNames.includes('cx_stat_vip'), false);
  // Saving again builds nothing new.
  await t.call('POST', `/v1/lists/${listId}/segments`, { name: 'idx2', filter });
  await waitForIndexBuilds();
  assert.equal((await t.db.pool.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname LIKE 'cx\\_${listId.toLowerCase()}\\_%'`)).rows[0].n, 3);

  // The count's SQL (parameters for account and list) can use the partial expression index
  // (for a value beyond every amount, so the statistics make the index the obvious choice).
  const list = (await getList(t.db.pool, t.accountId, listId))!;
  const where = compileFilter(validateFilter(list, { field: 'amount', op: 'gt', value: 1000 }), { fields: fieldMap(list), now: new Date(), timezone: 'UTC' });
  const plan = await planOf((db) => countContacts(db, { accountId: t.accountId, listId }, where));
  assert.match(plan, new RegExp(rows[0]!.indexname), plan);
});
