import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test-support/app.js';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(async () => { await t.close(); });

const bankList = {
  name: 'Clientes', key_field: 'document_id', default_country: 'CO', date_format: 'dd/mm/yyyy', decimal_separator: ',',
  fields: [
    { key: 'document_id', label: 'Cédula', type: 'text', required: true },
    { key: 'name', label: 'Nombre', type: 'text', required: true },
    { key: 'balance', label: 'Saldo', type: 'number' },
    { key: 'due_date', label: 'Fecha de pago', type: 'date' },
    { key: 'segment', label: 'Segmento', type: 'enum', options: ['Gold', 'Silver'] },
  ],
};

async function newList(body: object = bankList) {
  const r = await t.call('POST', '/v1/lists', body);
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

test('create a list: typed fields plus the standard fields', async () => {
  const l = await newList();
  assert.match(l.id, /^lst_/);
  assert.equal(l.fields.length, 5);
  assert.deepEqual(l.standard_fields.map((f: { key: string }) => f.key), ['email', 'phone', 'timezone', 'country', 'language', 'consent_marketing', 'consent_transactional']);
  const got = await t.call('GET', `/v1/lists/${l.id}`);
  assert.equal(got.json().contact_count, 0);
  assert.ok((await t.call('GET', '/v1/lists')).json().lists.some((x: { id: string }) => x.id === l.id));
});

test('bad list definitions are rejected naming the field, and nothing is created', async () => {
  const before = (await t.call('GET', '/v1/lists')).json().lists.length;
  const cases: [object, string, number][] = [
    [{ ...bankList, fields: [...bankList.fields, { key: 'name', type: 'text' }] }, 'fields[5].key', 422],
    [{ ...bankList, fields: [{ key: 'Bad Key', type: 'text' }] }, 'fields[0].key', 422],
    [{ ...bankList, fields: [{ key: 'x', type: 'money' }] }, 'fields[0].type', 422],
    [{ ...bankList, fields: [{ key: 'x', type: 'enum' }] }, 'fields[0].options', 422],
    [{ ...bankList, key_field: 'nope' }, 'key_field', 422],
    [{ ...bankList, default_country: 'XX' }, 'default_country', 422],
    [{ ...bankList, date_format: 'yy.mm.dd' }, 'date_format', 422],
    [{ ...bankList, fields: Array.from({ length: 201 }, (_, i) => ({ key: `f${i}`, type: 'text' })), key_field: 'f0' }, 'fields[200]', 422],
    [{ name: 'x' }, 'body.key_field', 400],
  ];
  for (const [body, field, status] of cases) {
    const r = await t.call('POST', '/v1/lists', body);
    assert.equal(r.statusCode, status, `${field}: ${r.body}`);
    assert.equal(r.json().error.details[0].field, field);
  }
  const okWith200 = await t.call('POST', '/v1/lists', { name: 'wide', key_field: 'f0', fields: Array.from({ length: 200 }, (_, i) => ({ key: `f${i}`, type: 'text' })) });
  assert.equal(okWith200.statusCode, 201);
  assert.equal((await t.call('GET', '/v1/lists')).json().lists.length, before + 1);
});

test('upsert by key: normalised values, per-row rejections, valid rows still land', async () => {
  const l = await newList();
  const r = await t.call('PUT', `/v1/lists/${l.id}/contacts`, {
    contacts: [
      { document_id: '1001', name: 'Ana Pérez', phone: '300 123 4567', balance: '1.234.567,89', due_date: '15/03/2026', email: 'Ana@Banco.CO', segment: 'gold' },
      { document_id: '1002', name: 'Luis', phone: 'not a phone' },
      { document_id: '1003', name: 'Marta', due_date: '31/02/2026', segment: 'Bronze' },
      { name: 'no key' },
      { document_id: '1004' },
      { document_id: '1005', name: 'Sofía', unknown_field: 1 },
    ],
  });
  assert.equal(r.statusCode, 200, r.body);
  const out = r.json();
  assert.equal(out.inserted, 1);
  assert.equal(out.updated, 0);
  assert.deepEqual(out.rejected.map((x: { index: number; field: string }) => `${x.index}:${x.field}`),
    ['1:phone', '2:due_date', '2:segment', '3:document_id', '4:name', '5:unknown_field']);
  const search = await t.db.pool.query(`SELECT id, data FROM contacts WHERE list_id = $1`, [l.id]);
  assert.equal(search.rows.length, 1);
  assert.deepEqual(search.rows[0].data, {
    document_id: '1001', name: 'Ana Pérez', phone: '+573001234567', balance: 1234567.89, due_date: '2026-03-15', email: 'Ana@banco.co', segment: 'Gold',
  });
  // second call updates by key, merges, and a null clears a field
  const again = await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: [{ document_id: '1001', balance: 10, email: null }, { document_id: '1006', name: 'Nuevo' }, { document_id: '1006', name: 'Nuevo 2' }] });
  assert.deepEqual(again.json(), { inserted: 1, updated: 2, rejected: [] });
  const c = await t.call('GET', `/v1/contacts/${search.rows[0].id}`);
  assert.equal(c.json().fields.balance, 10);
  assert.equal(c.json().fields.email, undefined);
  assert.equal(c.json().fields.name, 'Ana Pérez');
  assert.equal(c.json().key, '1001');
});

test('upsert limits: 10,000 per call, a body that is not an array', async () => {
  const l = await newList();
  const many = Array.from({ length: 10_000 }, (_, i) => ({ document_id: String(i), name: `N${i}` }));
  const r = await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: many });
  assert.equal(r.json().inserted, 10_000);
  const tooMany = await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: [...many, { document_id: 'x', name: 'y' }] });
  assert.equal(tooMany.statusCode, 400);
  assert.equal(tooMany.json().error.details[0].field, 'body.contacts');
  assert.equal((await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: 'nope' })).statusCode, 400);
  assert.equal((await t.call('PUT', `/v1/lists/lst_nope/contacts`, { contacts: [{}] })).statusCode, 404);
});

test('patch and erase a contact; the erasure leaves a tombstone without PII', async () => {
  const l = await newList();
  await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: [{ document_id: '7', name: 'Eva', email: 'eva@x.co' }, { document_id: '8', name: 'Ivo' }] });
  const { rows } = await t.db.pool.query(`SELECT id, key_value FROM contacts WHERE list_id = $1 ORDER BY key_value`, [l.id]);
  const [eva, ivo] = rows;
  const bad = await t.call('PATCH', `/v1/contacts/${eva.id}`, { balance: 'mucho' });
  assert.equal(bad.statusCode, 422);
  assert.equal(bad.json().error.details[0].field, 'balance');
  const dup = await t.call('PATCH', `/v1/contacts/${eva.id}`, { document_id: '8' });
  assert.equal(dup.statusCode, 409);
  const ok = await t.call('PATCH', `/v1/contacts/${eva.id}`, { balance: '12,5', phone: '3001234567' });
  assert.equal(ok.json().fields.balance, 12.5);
  assert.equal(ok.json().fields.phone, '+573001234567');
  assert.equal((await t.call('DELETE', `/v1/contacts/${eva.id}`)).statusCode, 204);
  assert.equal((await t.call('GET', `/v1/contacts/${eva.id}`)).statusCode, 404);
  const raw = await t.db.pool.query(`SELECT data, key_value, erased_at FROM contacts WHERE id = $1`, [eva.id]);
  assert.deepEqual(raw.rows[0].data, {});
  assert.ok(raw.rows[0].erased_at);
  const audit = await t.db.pool.query(`SELECT detail FROM audit_log WHERE action = 'contact.erased' AND target = $1`, [eva.id]);
  assert.equal(audit.rows.length, 1);
  assert.equal(JSON.stringify(audit.rows[0].detail).includes('eva@x.co'), false);
  // the key can be used again by a new contact
  const re = await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: [{ document_id: '7', name: 'Eva again' }] });
  assert.equal(re.json().inserted, 1);
  assert.ok(ivo);
});

test('field changes: add is instant, removal hides data, type change refused with contacts', async () => {
  const l = await newList();
  await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: [{ document_id: '1', name: 'A', balance: 5 }] });
  const { rows } = await t.db.pool.query(`SELECT id FROM contacts WHERE list_id = $1`, [l.id]);
  const id = rows[0].id;
  const withoutBalance = bankList.fields.filter((f) => f.key !== 'balance');
  const removed = await t.call('PATCH', `/v1/lists/${l.id}`, { fields: [...withoutBalance, { key: 'city', label: 'Ciudad', type: 'text' }] });
  assert.equal(removed.statusCode, 200, removed.body);
  assert.deepEqual(removed.json().fields.map((f: { key: string }) => f.key), ['document_id', 'name', 'due_date', 'segment', 'city']);
  const c = (await t.call('GET', `/v1/contacts/${id}`)).json();
  assert.equal(c.fields.balance, undefined, 'removed field is out of reach');
  const raw = await t.db.pool.query(`SELECT data FROM contacts WHERE id = $1`, [id]);
  assert.equal(raw.rows[0].data.balance, 5, 'but the data is kept');
  const upd = await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: [{ document_id: '1', balance: 7 }] });
  assert.equal(upd.json().rejected[0].field, 'balance');
  const typeChange = await t.call('PATCH', `/v1/lists/${l.id}`, { fields: [...withoutBalance.map((f) => (f.key === 'name' ? { ...f, type: 'number' } : f))] });
  assert.equal(typeChange.statusCode, 409);
  const noKey = await t.call('PATCH', `/v1/lists/${l.id}`, { fields: withoutBalance.filter((f) => f.key !== 'document_id') });
  assert.equal(noKey.statusCode, 422);
});

test('delete a list erases its contacts', async () => {
  const l = await newList();
  await t.call('PUT', `/v1/lists/${l.id}/contacts`, { contacts: [{ document_id: '1', name: 'A' }] });
  assert.equal((await t.call('DELETE', `/v1/lists/${l.id}`)).statusCode, 204);
  assert.equal((await t.call('GET', `/v1/lists/${l.id}`)).statusCode, 404);
  const raw = await t.db.pool.query(`SELECT count(*)::int AS n FROM contacts WHERE list_id = $1 AND erased_at IS NULL`, [l.id]);
  assert.equal(raw.rows[0].n, 0);
});
