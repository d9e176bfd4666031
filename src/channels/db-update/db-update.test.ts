import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newContact, outgoing, testContext, testDeps } from '../../test-support/channels.js';
import { createDbUpdateProvider } from './index.js';

let t: Awaited<ReturnType<typeof testDeps>>;
before(async () => { t = await testDeps(); });
after(async () => { await t.db.drop(); });

const provider = createDbUpdateProvider();
const signal = new AbortController().signal;
const data = async (id: string) => (await t.db.pool.query<{ data: Record<string, unknown> }>('SELECT data FROM contacts WHERE id = $1', [id])).rows[0]!.data;

test('sets the contact fields through the Contact Manager normalisation', async () => {
  const id = await newContact(t.db.pool, t.accountId, { balance: 10 });
  const { ctx } = testContext({ pool: t.db.pool, accountId: t.accountId });
  const conn = await provider.connect({}, ctx);
  const [o] = await conn.send([outgoing('msg_d1', { to: id, contactId: id, content: { text: '', fields: { balance: '1500.5', due_date: '2026-04-30', phone: '300 123 4567' } } })], signal);
  assert.deepEqual(o, { id: 'msg_d1', status: 'sent', detail: { fields: ['balance', 'due_date', 'phone'] } });
  const d = await data(id);
  assert.equal(d.balance, 1500.5);
  assert.equal(d.due_date, '2026-04-30');
  assert.equal(d.phone, '+573001234567', 'normalised with the list country');
  assert.equal(d.name, 'Ana', 'other fields untouched');
});

test('an invalid value fails permanently naming the field and changes nothing', async () => {
  const id = await newContact(t.db.pool, t.accountId, { balance: 10 });
  const { ctx } = testContext({ pool: t.db.pool, accountId: t.accountId });
  const conn = await provider.connect({}, ctx);
  const out = await conn.send([
    outgoing('msg_d2', { to: id, content: { text: '', fields: { balance: 'lots', name: 'Changed' } } }),
    outgoing('msg_d3', { to: id, content: { text: '', fields: { no_such_field: 1 } } }),
    outgoing('msg_d4', { to: 'ct_missing', content: { text: '', fields: { balance: 1 } } }),
    outgoing('msg_d5', { to: id, content: { text: '' } }),
  ], signal);
  assert.deepEqual(out.map((o) => o.status === 'failed' && [o.transient, o.detail?.field ?? o.error]), [
    [false, 'balance'], [false, 'no_such_field'], [false, 'contact not found'], [false, 'no fields to set'],
  ]);
  assert.match(out[0]!.status === 'failed' ? out[0]!.error : '', /^balance: /);
  const d = await data(id);
  assert.equal(d.balance, 10);
  assert.equal(d.name, 'Ana');
});

test('scoped: another account cannot touch the contact; list_id restricts to one list', async () => {
  const id = await newContact(t.db.pool, t.accountId, { balance: 10 });
  const other = await t.newAccount();
  const [o] = await (await provider.connect({}, testContext({ pool: t.db.pool, accountId: other.id }).ctx))
    .send([outgoing('msg_d6', { to: id, content: { text: '', fields: { balance: 99 } } })], signal);
  assert.ok(o?.status === 'failed' && !o.transient);
  const [p] = await (await provider.connect({ list_id: 'lst_other' }, testContext({ pool: t.db.pool, accountId: t.accountId }).ctx))
    .send([outgoing('msg_d7', { to: id, content: { text: '', fields: { balance: 99 } } })], signal);
  assert.ok(p?.status === 'failed' && !p.transient && /not in list/.test(p.error));
  assert.equal((await data(id)).balance, 10);
});
