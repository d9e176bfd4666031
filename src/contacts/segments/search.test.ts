import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { fixedClock } from '../../core/clock.js';

// 02:30 UTC on 15 March 2026: still 14 March in Bogotá (UTC−5), where the account lives.
const clock = fixedClock('2026-03-15T02:30:00.000Z');
let t: TestApp;
let listId: string;

const list = {
  name: 'Cartera', key_field: 'doc', default_country: 'CO', date_format: 'dd/mm/yyyy', decimal_separator: ',',
  fields: [
    { key: 'doc', label: 'Doc', type: 'text', required: true },
    { key: 'name', label: 'Name', type: 'text' },
    { key: 'amount', label: 'Amount', type: 'number' },
    { key: 'due', label: 'Due', type: 'date' },
    { key: 'seen', label: 'Seen', type: 'datetime' },
    { key: 'vip', label: 'VIP', type: 'boolean' },
    { key: 'tier', label: 'Tier', type: 'enum', options: ['Gold', 'Silver'] },
  ],
};
const contacts = [
  { doc: 'c1', name: 'Ana Gómez', amount: 100, due: '14/03/2026', seen: '2026-03-14T12:00:00Z', vip: true, tier: 'Gold', email: 'ana@bank.co', phone: '3001234567' },
  { doc: 'c2', name: 'Bruno', amount: -5, due: '20/03/2026', seen: '2026-03-15T03:00:00Z', vip: false, tier: 'Silver', email: 'bruno@bank.co' },
  { doc: 'c3', name: '50% off_deal', amount: 100, due: '28/02/2026', vip: true, tier: 'Silver' },
  { doc: 'c4' },
  { doc: 'c5', name: 'ana maría', amount: '2,5', due: '01/01/2026', vip: false, phone: '+57 310 000 0000' },
  { doc: 'c6', name: "O'Brien", amount: 9, due: '21/03/2026', tier: 'Gold' },
];

before(async () => {
  t = await createTestApp({ clock });
  await t.db.pool.query(`UPDATE accounts SET timezone = 'America/Bogota' WHERE id = $1`, [t.accountId]);
  const l = await t.call('POST', '/v1/lists', list);
  assert.equal(l.statusCode, 201, l.body);
  listId = l.json().id;
  const up = await t.call('PUT', `/v1/lists/${listId}/contacts`, { contacts });
  assert.deepEqual(up.json().rejected, [], up.body);
});
after(async () => { await t.close(); });

/** The docs (keys) of the contacts a filter finds, sorted; and checks count agrees with search. */
async function docs(filter: unknown): Promise<string[]> {
  const s = await t.call('POST', `/v1/lists/${listId}/contacts/search`, { filter, limit: 1000 });
  assert.equal(s.statusCode, 200, s.body);
  const found = (s.json().contacts as { key: string }[]).map((c) => c.key).sort();
  const c = await t.call('POST', `/v1/lists/${listId}/contacts/count`, { filter });
  assert.equal(c.json().count, found.length, `count of ${JSON.stringify(filter)}`);
  return found;
}

test('every op on every type it applies to', async () => {
  const cases: [unknown, string[]][] = [
    // text: case-insensitive matching, % and _ literal, quotes harmless
    [{ field: 'name', op: 'eq', value: 'Bruno' }, ['c2']],
    [{ field: 'name', op: 'neq', value: 'Bruno' }, ['c1', 'c3', 'c4', 'c5', 'c6']],
    [{ field: 'name', op: 'contains', value: 'ANA' }, ['c1', 'c5']],
    [{ field: 'name', op: 'contains', value: '%' }, ['c3']],
    [{ field: 'name', op: 'contains', value: '_' }, ['c3']],
    [{ field: 'name', op: 'starts_with', value: "o'" }, ['c6']],
    [{ field: 'name', op: 'in', value: ['Bruno', 'ana maría'] }, ['c2', 'c5']],
    [{ field: 'name', op: 'not_in', value: ['Bruno', 'ana maría'] }, ['c1', 'c3', 'c4', 'c6']],
    [{ field: 'name', op: 'is_empty' }, ['c4']],
    [{ field: 'name', op: 'is_not_empty' }, ['c1', 'c2', 'c3', 'c5', 'c6']],
    // number: numeric order (9 < 100), decimal comma in values, negatives
    [{ field: 'amount', op: 'eq', value: '2,5' }, ['c5']],
    [{ field: 'amount', op: 'neq', value: 100 }, ['c2', 'c4', 'c5', 'c6']],
    [{ field: 'amount', op: 'gt', value: 9 }, ['c1', 'c3']],
    [{ field: 'amount', op: 'gte', value: 9 }, ['c1', 'c3', 'c6']],
    [{ field: 'amount', op: 'lt', value: 0 }, ['c2']],
    [{ field: 'amount', op: 'lte', value: '2,5' }, ['c2', 'c5']],
    [{ field: 'amount', op: 'between', value: [-5, 9] }, ['c2', 'c5', 'c6']],
    [{ field: 'amount', op: 'in', value: [9, 100] }, ['c1', 'c3', 'c6']],
    [{ field: 'amount', op: 'not_in', value: [9, 100] }, ['c2', 'c4', 'c5']],
    [{ field: 'amount', op: 'is_empty' }, ['c4']],
    // date: local format in values, ISO text order
    [{ field: 'due', op: 'eq', value: '14/03/2026' }, ['c1']],
    [{ field: 'due', op: 'lt', value: '2026-03-01' }, ['c3', 'c5']],
    [{ field: 'due', op: 'between', value: ['28/02/2026', '20/03/2026'] }, ['c1', 'c2', 'c3']],
    [{ field: 'due', op: 'gte', value: '2026-03-20' }, ['c2', 'c6']],
    [{ field: 'due', op: 'is_empty' }, ['c4']],
    // datetime
    [{ field: 'seen', op: 'gt', value: '2026-03-14T12:00:00Z' }, ['c2']],
    [{ field: 'seen', op: 'lte', value: '2026-03-14 12:00' }, ['c1']],
    [{ field: 'seen', op: 'is_not_empty' }, ['c1', 'c2']],
    // boolean
    [{ field: 'vip', op: 'eq', value: true }, ['c1', 'c3']],
    [{ field: 'vip', op: 'eq', value: 'no' }, ['c2', 'c5']],
    [{ field: 'vip', op: 'neq', value: true }, ['c2', 'c4', 'c5', 'c6']],
    [{ field: 'vip', op: 'is_empty' }, ['c4', 'c6']],
    // enum, email and phone (E.164 on both sides)
    [{ field: 'tier', op: 'eq', value: 'gold' }, ['c1', 'c6']],
    [{ field: 'tier', op: 'not_in', value: ['Gold'] }, ['c2', 'c3', 'c4', 'c5']],
    [{ field: 'email', op: 'eq', value: 'ana@BANK.co' }, ['c1']],
    [{ field: 'email', op: 'contains', value: '@bank.co' }, ['c1', 'c2']],
    [{ field: 'phone', op: 'eq', value: '300 123 4567' }, ['c1']],
    [{ field: 'phone', op: 'starts_with', value: '+57310' }, ['c5']],
  ];
  for (const [filter, expected] of cases) assert.deepEqual(await docs(filter), expected, JSON.stringify(filter));
});

test('and / or / not; not counts contacts without a value as not matching', async () => {
  assert.deepEqual(await docs({ and: [{ field: 'amount', op: 'gte', value: 100 }, { field: 'tier', op: 'eq', value: 'Silver' }] }), ['c3']);
  assert.deepEqual(await docs({ or: [{ field: 'amount', op: 'lt', value: 0 }, { field: 'vip', op: 'eq', value: true }] }), ['c1', 'c2', 'c3']);
  assert.deepEqual(await docs({ not: { field: 'amount', op: 'gt', value: 9 } }), ['c2', 'c4', 'c5', 'c6']);
  assert.deepEqual(await docs({ not: { or: [{ field: 'tier', op: 'eq', value: 'Gold' }, { field: 'vip', op: 'eq', value: true }] } }), ['c2', 'c4', 'c5']);
  assert.deepEqual(await docs({ and: [{ not: { not: { field: 'name', op: 'contains', value: 'ana' } } }, { field: 'amount', op: 'is_not_empty' }] }), ['c1', 'c5']);
  // No filter: the whole list.
  assert.equal((await t.call('POST', `/v1/lists/${listId}/contacts/count`, {})).json().count, contacts.length);
});

test('relative dates count days in the account time zone at the injected clock', async () => {
  // Bogotá: today is 14 March.
  assert.deepEqual(await docs({ field: 'due', op: 'within_next_days', value: 6 }), ['c1', 'c2']);
  assert.deepEqual(await docs({ field: 'due', op: 'within_last_days', value: 14 }), ['c1', 'c3']);
  assert.deepEqual(await docs({ field: 'due', op: 'within_last_days', value: 0 }), ['c1']);
  // Datetimes are instants: the last 24 h before 02:30 UTC on the 15th; the next hour.
  assert.deepEqual(await docs({ field: 'seen', op: 'within_last_days', value: 1 }), ['c1']);
  assert.deepEqual(await docs({ field: 'seen', op: 'within_next_days', value: 1 }), ['c2']);
  // The same instant in UTC is already 15 March.
  await t.db.pool.query(`UPDATE accounts SET timezone = 'UTC' WHERE id = $1`, [t.accountId]);
  try {
    assert.deepEqual(await docs({ field: 'due', op: 'within_next_days', value: 6 }), ['c2', 'c6']);
    assert.deepEqual(await docs({ field: 'due', op: 'within_last_days', value: 14 }), ['c1']);
  } finally {
    await t.db.pool.query(`UPDATE accounts SET timezone = 'America/Bogota' WHERE id = $1`, [t.accountId]);
  }
  clock.set('2026-03-22T12:00:00Z');
  try {
    assert.deepEqual(await docs({ field: 'due', op: 'within_last_days', value: 2 }), ['c2', 'c6']);
  } finally {
    clock.set('2026-03-15T02:30:00.000Z');
  }
});

test('bad filters answer 422 invalid_filter with the path, over HTTP too', async () => {
  // Sent as text: JSON.stringify itself recurses, and gives up long before 10,000 levels.
  const deep = '{"and":['.repeat(10_000) + '{"field":"name","op":"eq","value":"x"}' + ']}'.repeat(10_000);
  const cases: [unknown, string][] = [
    [{ field: 'nope', op: 'eq', value: 1 }, 'filter.field'],
    [{ and: [{ field: 'amount', op: 'contains', value: '1' }] }, 'filter.and[0].op'],
    [{ or: [{ field: 'due', op: 'eq', value: 'tomorrow' }] }, 'filter.or[0].value'],
    [{ and: [] }, 'filter.and'],
    [{ field: 'name', op: 'eq', value: 'x', sql: 'x' }, 'filter.sql'],
    [deep, `filter${'.and[0]'.repeat(20)}`],
  ];
  for (const [filter, field] of cases) {
    const body = `{"filter":${typeof filter === 'string' ? filter : JSON.stringify(filter)}}`;
    for (const path of ['count', 'search']) {
      const r = await t.call('POST', `/v1/lists/${listId}/contacts/${path}`, body, { headers: { 'content-type': 'application/json' } });
      assert.equal(r.statusCode, 422, r.body.slice(0, 300));
      assert.equal(r.json().error.code, 'invalid_filter');
      assert.equal(r.json().error.details[0].field, field);
    }
  }
  const both = await t.call('POST', `/v1/lists/${listId}/contacts/count`, { filter: { field: 'doc', op: 'is_empty' }, segment_id: 'seg_X' });
  assert.equal(both.statusCode, 422);
  const badSort = await t.call('POST', `/v1/lists/${listId}/contacts/search`, { sort: { field: 'nope' } });
  assert.equal(badSort.json().error.details[0].field, 'sort.field');
});

test('SQL injection in values, field names and sort fields goes nowhere', async () => {
  const evil = [`x'); DROP TABLE contacts; --`, `%' OR '1'='1`, `\\'; SELECT pg_sleep(5); --`];
  for (const v of evil) {
    assert.deepEqual(await docs({ field: 'name', op: 'eq', value: v }), []);
    assert.deepEqual(await docs({ field: 'name', op: 'contains', value: v }), []);
    assert.deepEqual(await docs({ field: 'name', op: 'in', value: [v, 'Bruno'] }), ['c2']);
    const byField = await t.call('POST', `/v1/lists/${listId}/contacts/count`, { filter: { field: v, op: 'eq', value: 1 } });
    assert.equal(byField.statusCode, 422);
    const bySort = await t.call('POST', `/v1/lists/${listId}/contacts/search`, { sort: { field: v } });
    assert.equal(bySort.statusCode, 422);
  }
  assert.equal((await t.db.pool.query('SELECT count(*)::int AS n FROM contacts')).rows[0].n, contacts.length);
});

test('search shows only active fields and only live contacts', async () => {
  const r = (await t.call('POST', `/v1/lists/${listId}/contacts/search`, { filter: { field: 'doc', op: 'eq', value: 'c1' } })).json();
  assert.equal(r.next_cursor, null);
  const [c] = r.contacts;
  assert.deepEqual(Object.keys(c).sort(), ['created_at', 'fields', 'id', 'key', 'list_id', 'updated_at']);
  assert.equal(c.fields.phone, '+573001234567');
  assert.equal(c.fields.due, '2026-03-14');
  // Data of a removed field stays out of reach; an erased contact is gone from search and count.
  await t.db.pool.query(`UPDATE contacts SET data = data || '{"ghost": "boo"}' WHERE id = $1`, [c.id]);
  const again = (await t.call('POST', `/v1/lists/${listId}/contacts/search`, { filter: { field: 'doc', op: 'eq', value: 'c1' } })).json();
  assert.equal(again.contacts[0].fields.ghost, undefined);
  await t.db.pool.query(`UPDATE contacts SET erased_at = now() WHERE id = $1`, [c.id]);
  try {
    assert.deepEqual(await docs({ field: 'doc', op: 'eq', value: 'c1' }), []);
  } finally {
    await t.db.pool.query(`UPDATE contacts SET erased_at = NULL, data = data - 'ghost' WHERE id = $1`, [c.id]);
  }
});
