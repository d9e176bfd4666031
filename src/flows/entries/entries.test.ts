import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { fireDueEntries } from './scheduler.js';
import { localDate } from '../../contacts/segments/index.js';

let t: TestApp;
let listId: string;
let segmentId: string;
let tpl: string;

before(async () => {
  t = await createTestApp({ sandbox: true });
  await t.call('PATCH', '/v1/settings/policy', { timezone: 'America/Bogota' });
  listId = (await t.call('POST', '/v1/lists', { name: 'Clientes', key_field: 'doc', fields: [{ key: 'doc', type: 'text' }, { key: 'city', type: 'text' }, { key: 'due_date', type: 'date' }] })).json().id;
  const today = localDate(new Date(), 'America/Bogota');
  const plus = (d: number) => { const x = new Date(`${today}T00:00:00Z`); x.setUTCDate(x.getUTCDate() + d); return x.toISOString().slice(0, 10); };
  const contacts = Array.from({ length: 20 }, (_, i) => ({ doc: String(i), city: i < 15 ? 'Cali' : 'Pasto', email: `c${i}@example.com`, consent_marketing: true, due_date: plus(i % 2 === 0 ? 3 : 5) }));
  assert.equal((await t.call('PUT', `/v1/lists/${listId}/contacts`, { contacts })).json().inserted, 20);
  segmentId = (await t.call('POST', `/v1/lists/${listId}/segments`, { name: 'Cali', filter: { field: 'city', op: 'eq', value: 'Cali' } })).json().id;
  tpl = (await t.call('POST', '/v1/templates', { name: 'Oferta', channel_type: 'email', subject: 'Oferta', body: '<p>Hola</p>' })).json().id;
});
after(async () => { await t.close(); });

async function publish(name: string, definition: object): Promise<string> {
  const f = await t.call('POST', '/v1/flows', { name, list_id: listId, definition });
  assert.equal(f.statusCode, 201, f.body);
  assert.equal((await t.call('POST', `/v1/flows/${f.json().id}/publish`)).statusCode, 201);
  return f.json().id;
}
const runCount = async (flowId: string) => (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM flow_runs WHERE flow_id = $1', [flowId])).rows[0]!.n;
const fireNow = async (flowId: string) => {
  await t.db.pool.query('UPDATE flow_schedules SET next_at = now() WHERE flow_id = $1', [flowId]);
  await fireDueEntries(t.deps);
};

test('a broadcast needing approval sends to its control sample, then an approver releases the rest', async () => {
  const flowId = await publish('Cross-sell', {
    entry: { type: 'broadcast', segment_id: segmentId, at: new Date().toISOString(), approval: { sample: '20%' } },
    nodes: [{ id: 'offer', type: 'send', channel_type: 'email', template_id: tpl, next: 'end' }, { id: 'end', type: 'exit' }],
  });
  await fireDueEntries(t.deps);
  assert.equal(await runCount(flowId), 3, '20 % of the 15 Cali contacts');
  const approvals = (await t.call('GET', `/v1/flows/${flowId}/approvals`)).json().approvals;
  assert.equal(approvals.length, 1);
  assert.deepEqual({ status: approvals[0].status, sample: approvals[0].sample_size, total: approvals[0].total }, { status: 'pending', sample: 3, total: 15 });
  await fireDueEntries(t.deps);
  assert.equal(await runCount(flowId), 3, 'a one-off broadcast fires once');

  const editor = (await t.call('POST', '/v1/api_keys', { name: 'ed', role: 'editor' })).json().key;
  const denied = await t.call('POST', `/v1/flows/${flowId}/approvals/${approvals[0].id}/release`, undefined, { key: editor });
  assert.equal(denied.statusCode, 403);
  const approver = (await t.call('POST', '/v1/api_keys', { name: 'ap', role: 'approver' })).json().key;
  const ok = await t.call('POST', `/v1/flows/${flowId}/approvals/${approvals[0].id}/release`, undefined, { key: approver });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().started, 12);
  assert.equal(await runCount(flowId), 15);
  const distinct = (await t.db.pool.query('SELECT count(DISTINCT contact_id)::int AS n FROM flow_runs WHERE flow_id = $1', [flowId])).rows[0].n;
  assert.equal(distinct, 15, 'nobody twice');
  assert.equal((await t.call('POST', `/v1/flows/${flowId}/approvals/${approvals[0].id}/release`, undefined, { key: approver })).statusCode, 409);
  const audit = (await t.call('GET', '/v1/audit')).json();
  assert.ok(JSON.stringify(audit).includes('flow.broadcast_released'));
});

test('a date-field entry starts the contacts whose date plus the offset is today, once a day', async () => {
  const flowId = await publish('Reminder', {
    entry: { type: 'date_field', field: 'due_date', offset_days: -3, at: '09:00' },
    nodes: [{ id: 'remind', type: 'send', channel_type: 'email', template_id: tpl, next: 'end' }, { id: 'end', type: 'exit' }],
  });
  const sched = (await t.db.pool.query('SELECT next_at FROM flow_schedules WHERE flow_id = $1', [flowId])).rows[0];
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Bogota', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(sched.next_at);
  assert.equal(local, '09:00', 'the next check is at 09:00 in the account time zone');
  await fireNow(flowId);
  assert.equal(await runCount(flowId), 10, 'the 10 contacts due in 3 days');
  await fireNow(flowId);
  assert.equal(await runCount(flowId), 10, 'the same day again starts nobody twice');
});

test('a segment entry starts contacts entering the segment, each once', async () => {
  const flowId = await publish('Welcome', {
    entry: { type: 'segment', segment_id: segmentId },
    nodes: [{ id: 'hi', type: 'send', channel_type: 'email', template_id: tpl, next: 'end' }, { id: 'end', type: 'exit' }],
  });
  await fireNow(flowId);
  assert.equal(await runCount(flowId), 15);
  await t.call('PUT', `/v1/lists/${listId}/contacts`, { contacts: [{ doc: '19', city: 'Cali' }] });
  await fireNow(flowId);
  assert.equal(await runCount(flowId), 16, 'the contact that moved to Cali entered; nobody else again');
});
