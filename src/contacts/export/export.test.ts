import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { parse } from 'csv-parse/sync';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { createLogger } from '../../core/logger.js';
import { getList } from '../sql/lists.js';
import { TRUE_FRAGMENT } from '../segments/index.js';
import { csvCell, exportCsv } from './csv-export.js';

let t: TestApp;
let listId: string;
before(async () => {
  t = await createTestApp();
  const l = await t.call('POST', '/v1/lists', {
    name: 'Export', key_field: 'doc', default_country: 'CO',
    fields: [
      { key: 'doc', label: 'Doc', type: 'text' },
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'amount', label: 'Amount', type: 'number' },
      { key: 'due', label: 'Due', type: 'date' },
      { key: 'seen', label: 'Seen', type: 'datetime' },
      { key: 'tier', label: 'Tier', type: 'enum', options: ['=Gold', 'Silver'] },
    ],
  });
  listId = l.json().id;
  const up = await t.call('PUT', `/v1/lists/${listId}/contacts`, {
    contacts: [
      { doc: 'a1', name: '=HYPERLINK("http://evil","x")', amount: -5, due: '2026-03-15', seen: '2026-03-15T10:00:00-05:00', tier: '=Gold', phone: '3001234567', consent_marketing: true },
      { doc: 'a2', name: '+1+1', amount: 1234.5, email: '-x@bank.co', consent_marketing: false },
      { doc: 'a3', name: '@SUM(A1)', tier: 'Silver' },
      { doc: '-a4', name: '-Dash, "quoted"\nnewline' },
      { doc: 'a5', name: 'Plain José' },
    ],
  });
  assert.deepEqual(up.json().rejected, [], up.body);
});
after(async () => { await t.close(); });

async function exportRows(query = ''): Promise<Record<string, string>[]> {
  const r = await t.call('GET', `/v1/lists/${listId}/export${query}`);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
  assert.match(String(r.headers['content-disposition']), /^attachment; filename="contacts-lst_\w+\.csv"$/);
  return parse(r.body, { columns: true });
}

test('header: id and timestamps, then own fields, then standard fields', async () => {
  const r = await t.call('GET', `/v1/lists/${listId}/export`);
  const header = r.body.split('\n')[0];
  assert.equal(header, 'id,created_at,updated_at,doc,name,amount,due,seen,tier,email,phone,timezone,country,language,consent_marketing,consent_transactional');
});

test('typed cells: numbers as numbers, ISO dates, E.164 phones, true/false; formulas neutralised', async () => {
  const rows = await exportRows();
  const byDoc = new Map(rows.map((r) => [r.doc, r]));
  assert.equal(rows.length, 5);
  const a1 = byDoc.get('a1')!;
  assert.match(a1.id!, /^ct_/);
  assert.match(a1.created_at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(a1.name, `'=HYPERLINK("http://evil","x")`);
  assert.equal(a1.amount, '-5', 'a negative number is a number, not a formula');
  assert.equal(a1.due, '2026-03-15');
  assert.equal(a1.seen, '2026-03-15T15:00:00.000Z');
  assert.equal(a1.tier, `'=Gold`, 'enum values are text too');
  assert.equal(a1.phone, '+573001234567', 'an E.164 phone keeps its +');
  assert.equal(a1.consent_marketing, 'true');
  assert.equal(a1.email, '');
  const a2 = byDoc.get('a2')!;
  assert.equal(a2.name, `'+1+1`);
  assert.equal(a2.amount, '1234.5');
  assert.equal(a2.email, `'-x@bank.co`);
  assert.equal(a2.consent_marketing, 'false');
  assert.equal(byDoc.get('a3')!.name, `'@SUM(A1)`);
  assert.equal(byDoc.get(`'-a4`)!.name, `'-Dash, "quoted"\nnewline`, 'the key field too; quoting survives');
  assert.equal(byDoc.get('a5')!.name, 'Plain José');
});

test('the neutralisation rule on its own', () => {
  assert.equal(csvCell({ type: 'number' }, -5), '-5');
  assert.equal(csvCell({ type: 'phone' }, '+573001234567'), '+573001234567');
  assert.equal(csvCell({ type: 'phone' }, '+57 300=1'), `'+57 300=1`);
  assert.equal(csvCell({ type: 'text' }, '\r=1'), `'\r=1`);
  assert.equal(csvCell({ type: 'number' }, '-2+3+cmd|x'), `'-2+3+cmd|x`, 'a stray string in a number field is text');
  assert.equal(csvCell({ type: 'text' }, undefined), '');
  assert.equal(csvCell({ type: 'text' }, 'a=b'), 'a=b');
});

test('segment_id filters the export; unknown segment 404, another list\'s segment 422', async () => {
  const seg = (await t.call('POST', `/v1/lists/${listId}/segments`, { name: 'vip', filter: { field: 'consent_marketing', op: 'is_not_empty' } })).json();
  const rows = await exportRows(`?segment_id=${seg.id}`);
  assert.deepEqual(rows.map((r) => r.doc).sort(), ['a1', 'a2']);
  assert.equal((await t.call('GET', `/v1/lists/${listId}/export?segment_id=seg_NOPE`)).statusCode, 404);
  const other = (await t.call('POST', '/v1/lists', { name: 'o', key_field: 'k', fields: [{ key: 'k', label: 'K', type: 'text' }] })).json();
  const r = await t.call('GET', `/v1/lists/${other.id}/export?segment_id=${seg.id}`);
  assert.equal(r.statusCode, 422);
  assert.equal(r.json().error.details[0].field, 'segment_id');
  assert.equal((await t.call('GET', `/v1/lists/lst_NOPE/export`)).statusCode, 404);
});

test('a large export streams in id order across cursor batches', async () => {
  const big = (await t.call('POST', '/v1/lists', { name: 'big', key_field: 'k', fields: [{ key: 'k', label: 'K', type: 'text' }, { key: 'n', label: 'N', type: 'number' }] })).json();
  const contacts = Array.from({ length: 3500 }, (_, i) => ({ k: `k${i}`, n: i }));
  await t.call('PUT', `/v1/lists/${big.id}/contacts`, { contacts });
  const r = await t.call('GET', `/v1/lists/${big.id}/export`);
  const rows: Record<string, string>[] = parse(r.body, { columns: true });
  assert.equal(rows.length, 3500);
  const ids = rows.map((x) => x.id!);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(new Set(rows.map((x) => x.k)).size, 3500);
});

/** Clients checked out of the pool, once streams that just ended have released theirs. */
async function busyClients(): Promise<number> {
  const busy = (): number => t.db.pool.totalCount - t.db.pool.idleCount;
  for (let i = 0; i < 50 && busy() > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return busy();
}

test('a download cut short gives its database connection back', async () => {
  const list = (await getList(t.db.pool, t.accountId, listId))!;
  assert.equal(await busyClients(), 0, 'finished exports gave theirs back');
  const csv = await exportCsv(t.db.pool, createLogger('silent'), list, TRUE_FRAGMENT);
  assert.equal(t.db.pool.totalCount - t.db.pool.idleCount, 1, 'the stream holds a client');
  csv.read();
  csv.destroy();
  await once(csv, 'close');
  assert.equal(await busyClients(), 0, 'and gives it back');
  assert.equal((await t.db.pool.query('SELECT 1 AS one')).rows[0].one, 1);
});
