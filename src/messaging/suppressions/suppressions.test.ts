import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { listAudit } from '../../audit/index.js';
import { suppressionRoutes } from './routes.js';
import { addSuppression, findSuppressionHits } from './service.js';
import { importSuppressionList } from './import.js';

let t: TestApp;
let other: { id: string; key: string };
before(async () => {
  t = await createTestApp();
  // Until the integrator wires suppressionRoutes into http/app.ts, register it here.
  if (!t.app.hasRoute({ method: 'POST', url: '/v1/suppressions' })) await t.app.register(suppressionRoutes, { prefix: '/v1', deps: t.deps });
  other = await t.newAccount();
  const r = await t.call('PATCH', '/v1/settings/policy', { country: 'CO' });
  assert.equal(r.statusCode, 200, r.body);
});
after(async () => { await t.close(); });

const csv = (body: string, query: string, key?: string, type = 'text/csv') =>
  t.call('POST', `/v1/suppressions/imports?${query}`, body, { headers: { 'content-type': type }, ...(key ? { key } : {}) });

test('POST normalises the value; the same entry again is 200 with the existing one', async () => {
  const r = await t.call('POST', '/v1/suppressions', { type: 'email', value: ' Ana.Perez@Banco.COM ', reason: 'asked by phone' });
  assert.equal(r.statusCode, 201, r.body);
  const s = r.json();
  assert.match(s.id, /^sup_/);
  assert.deepEqual({ ...s, id: undefined, created_at: undefined }, {
    id: undefined, created_at: undefined, type: 'email', value: 'ana.perez@banco.com', reason: 'asked by phone', category: null, list: null,
  });
  const again = await t.call('POST', '/v1/suppressions', { type: 'email', value: 'ANA.PEREZ@banco.com' });
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().id, s.id);
  // A category of its own is another entry.
  const marketing = await t.call('POST', '/v1/suppressions', { type: 'email', value: 'ana.perez@banco.com', category: 'marketing' });
  assert.equal(marketing.statusCode, 201);

  // A national phone number is read in the account's country.
  const p = await t.call('POST', '/v1/suppressions', { type: 'phone', value: '(300) 123-4567', list: 'Quejas' });
  assert.equal(p.statusCode, 201, p.body);
  assert.equal(p.json().value, '+573001234567');
  assert.equal(p.json().list, 'Quejas');
});

test('invalid values are 422 naming value; bad shapes are 400', async () => {
  for (const [type, value] of [['email', 'not-an-email'], ['email', 'a@b'], ['phone', '12'], ['phone', 'call me']] as const) {
    const r = await t.call('POST', '/v1/suppressions', { type, value });
    assert.equal(r.statusCode, 422, `${type} ${value}: ${r.body}`);
    assert.equal(r.json().error.details[0].field, 'value');
  }
  // The other account has no country: a number without +country code cannot be read.
  const noCountry = await t.call('POST', '/v1/suppressions', { type: 'phone', value: '3001234567' }, { key: other.key });
  assert.equal(noCountry.statusCode, 422);
  assert.match(noCountry.json().error.message, /country/);
  const withCode = await t.call('POST', '/v1/suppressions', { type: 'phone', value: '+57 300 123 4567' }, { key: other.key });
  assert.equal(withCode.statusCode, 201);

  for (const body of [{ type: 'fax', value: '1' }, { type: 'email' }, { type: 'email', value: 'a@b.co', category: 'promo' }, { type: 'email', value: 'a@b.co', list: 'x'.repeat(101) }]) {
    assert.equal((await t.call('POST', '/v1/suppressions', body)).statusCode, 400, JSON.stringify(body));
  }
});

test('GET filters by type, normalised value and list, paged by cursor, scoped to the account', async () => {
  for (let i = 0; i < 5; i++) await t.call('POST', '/v1/suppressions', { type: 'email', value: `page${i}@example.com`, list: 'paging' });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const r = await t.call('GET', `/v1/suppressions?list=paging&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.statusCode, 200, r.body);
    const page = r.json();
    assert.ok(page.suppressions.length <= 2);
    seen.push(...page.suppressions.map((s: { value: string }) => s.value));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [4, 3, 2, 1, 0].map((i) => `page${i}@example.com`));

  const byValue = (await t.call('GET', '/v1/suppressions?value=PAGE3@Example.com')).json().suppressions;
  assert.deepEqual(byValue.map((s: { value: string }) => s.value), ['page3@example.com']);
  const phones = (await t.call('GET', '/v1/suppressions?type=phone&value=3001234567')).json().suppressions;
  assert.deepEqual(phones.map((s: { value: string }) => s.value), ['+573001234567']);
  assert.equal((await t.call('GET', '/v1/suppressions?value=nonsense!')).statusCode, 422);
  // The other account sees only its own.
  const theirs = (await t.call('GET', '/v1/suppressions', undefined, { key: other.key })).json().suppressions;
  assert.deepEqual(theirs.map((s: { value: string }) => s.value), ['+573001234567']);
});

test("DELETE removes the account's own entry (admin); another account's is 404", async () => {
  const mine = (await t.call('POST', '/v1/suppressions', { type: 'email', value: 'delete-me@example.com' })).json();
  const theirs = (await t.call('POST', '/v1/suppressions', { type: 'email', value: 'theirs@example.com' }, { key: other.key })).json();
  assert.equal((await t.call('DELETE', `/v1/suppressions/${theirs.id}`)).statusCode, 404);
  assert.equal((await t.call('GET', '/v1/suppressions?value=theirs@example.com', undefined, { key: other.key })).json().suppressions.length, 1);

  const editor = (await t.call('POST', '/v1/api_keys', { name: 'editor', role: 'editor' })).json().key;
  assert.equal((await t.call('DELETE', `/v1/suppressions/${mine.id}`, undefined, { key: editor })).statusCode, 403);
  assert.equal((await t.call('DELETE', `/v1/suppressions/${mine.id}`)).statusCode, 204);
  assert.equal((await t.call('DELETE', `/v1/suppressions/${mine.id}`)).statusCode, 404);
  assert.equal((await t.call('GET', '/v1/suppressions?value=delete-me@example.com')).json().suppressions.length, 0);

  const actions = (await listAudit(t.db.pool, t.accountId, {})).map((a) => a.action);
  assert.ok(actions.includes('suppression.created'));
  assert.ok(actions.includes('suppression.deleted'));
  // The audit trail names the entry, not the address.
  const created = (await listAudit(t.db.pool, t.accountId, {})).find((a) => a.target === mine.id && a.action === 'suppression.created');
  assert.ok(created && !JSON.stringify(created.detail).includes('delete-me'));
});

test("a regulator's do-not-contact CSV: header skipped, first column taken, bad lines reported by line", async () => {
  const file = [
    'telefono;fecha_registro',  // 1: header
    '3009876543;2024-01-05',     // 2
    '573009876544;2024-01-05',   // 3: country code without +
    '"+57 300 987 6545";x',      // 4: quoted
    '',                          // 5: empty, skipped
    '12345;2024-01-05',          // 6: too short
    'llamar luego',              // 7: not a number
    '3009876543',                // 8: twice in the file
    '300 987 6546',              // 9
  ].join('\r\n');
  const r = await csv(file, 'list=RNE&type=phone');
  assert.equal(r.statusCode, 200, r.body);
  const out = r.json();
  assert.equal(out.list, 'RNE');
  assert.equal(out.imported, 4);
  assert.equal(out.duplicates, 1);
  assert.equal(out.rejected_total, 2);
  assert.deepEqual(out.rejected.map((x: { line: number; value: string }) => [x.line, x.value]), [[6, '12345'], [7, 'llamar luego']]);

  // The same file again: nothing new.
  const again = (await csv(file, 'list=RNE&type=phone')).json();
  assert.deepEqual([again.imported, again.duplicates], [0, 5]);

  // Each send shows which list stopped it.
  const hits = await findSuppressionHits(t.db.pool, t.accountId, { phone: '+573009876544' });
  assert.deepEqual(hits.map((h) => [h.list_name, h.category]), [['RNE', null]]);
  assert.ok((await listAudit(t.db.pool, t.accountId, {})).some((a) => a.action === 'suppression.imported' && a.target === 'RNE'));
});

test('imports of emails as text/plain, with a category; an unclosed quote stops at its line', async () => {
  const r = await csv('email\nUno@Example.com\ndos@example.com,extra\n"tres@example.com\ncuatro@example.com\n', 'list=Partner%20opt-outs&type=email&category=marketing', undefined, 'text/plain');
  assert.equal(r.statusCode, 200, r.body);
  const out = r.json();
  assert.equal(out.imported, 2);
  assert.equal(out.rejected_total, 1);
  assert.equal(out.rejected[0].line, 4);
  const hits = await findSuppressionHits(t.db.pool, t.accountId, { email: 'UNO@example.com' });
  assert.deepEqual(hits.map((h) => [h.list_name, h.category]), [['Partner opt-outs', 'marketing']]);
});

test('import requests that are wrong: 400 without list or type, 415 for JSON, 422 for an empty file', async () => {
  assert.equal((await csv('3001112233', 'type=phone')).statusCode, 400);
  assert.equal((await csv('3001112233', `list=${'x'.repeat(101)}&type=phone`)).statusCode, 400);
  assert.equal((await csv('3001112233', 'list=RNE&type=fax')).statusCode, 400);
  const json = await t.call('POST', '/v1/suppressions/imports?list=RNE&type=phone', { values: ['3001112233'] });
  assert.equal(json.statusCode, 415, json.body);
  const empty = await csv('\n\n', 'list=RNE&type=phone');
  assert.equal(empty.statusCode, 422, empty.body);
  assert.equal(empty.json().error.details[0].field, 'body');
  assert.equal((await csv('telefono\n', 'list=RNE&type=phone')).statusCode, 422);
  const viewer = (await t.call('POST', '/v1/api_keys', { name: 'viewer', role: 'viewer' })).json().key;
  assert.equal((await csv('3001112233', 'list=RNE&type=phone', viewer)).statusCode, 403);
});

test('a large list is written in batches of 5,000 and streamed through', async () => {
  const n = 12_345;
  async function* lines() {
    yield 'numero\n';
    for (let i = 0; i < n; i += 1000) {
      let chunk = '';
      for (let j = i; j < Math.min(n, i + 1000); j++) chunk += `31${String(j).padStart(8, '0')}\n`;
      yield Buffer.from(chunk);
    }
  }
  const started = Date.now();
  const out = await importSuppressionList(t.db.pool, lines(), {
    accountId: t.accountId, list: 'RNE big', type: 'phone', category: null, reason: 'RNE', defaultCountry: 'CO', actor: 'system',
  });
  assert.deepEqual([out.imported, out.duplicates, out.rejected_total], [n, 0, 0]);
  const { rows } = await t.db.pool.query(`SELECT count(*) AS n FROM suppressions WHERE account_id = $1 AND list_name = 'RNE big'`, [t.accountId]);
  assert.equal(rows[0].n, n);
  assert.ok(Date.now() - started < 20_000);
});

test('addSuppression (bounces, complaints) is idempotent and audits only what it creates', async () => {
  const a = await addSuppression(t.db.pool, { accountId: t.accountId, type: 'email', value: 'Bounce@Example.com', reason: 'hard bounce: 550 5.1.1' });
  const b = await addSuppression(t.db.pool, { accountId: t.accountId, type: 'email', value: 'bounce@example.com', reason: 'hard bounce again' });
  assert.equal(a.created, true);
  assert.equal(b.created, false);
  assert.equal(b.suppression.id, a.suppression.id);
  assert.equal(b.suppression.reason, 'hard bounce: 550 5.1.1');
  const audits = (await listAudit(t.db.pool, t.accountId, {})).filter((x) => x.target === a.suppression.id);
  assert.equal(audits.length, 1);
  assert.equal(audits[0]!.actor, 'system');
  await assert.rejects(addSuppression(t.db.pool, { accountId: t.accountId, type: 'email', value: 'nope', reason: '' }), /value/);
});

test('a failing upload (too large, connection lost) fails the import, not a CSV line', async () => {
  async function* failing() {
    yield Buffer.from('3001110001\n3001110002\n');
    throw Object.assign(new Error('the file is larger than the import limit'), { status: 413 });
  }
  await assert.rejects(
    importSuppressionList(t.db.pool, failing(), { accountId: t.accountId, list: 'cut', type: 'phone', category: null, reason: '', defaultCountry: 'CO', actor: 'system' }),
    /larger than the import limit/,
  );
});
