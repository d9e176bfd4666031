// GET /v1/flows/{id}/runs as the console's Runs tab reads it: the latest runs first without a
// contact, `limit` (default 50, at most 500), one contact's runs, and each run's path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { waitFor } from '../test-support/wait.js';

interface Run {
  id: string; contact_id: string; version: number; status: string; node: string | null;
  entered_at: string; ended_at: string | null; path: { node_id: string; type: string; outcome?: string; channel_type?: string; at: string }[];
}

let t: TestApp;
let flowId = '';
/** Contact ids in the order their runs started. */
const contacts: string[] = [];

const runs = async (query = ''): Promise<Run[]> => {
  const r = await t.call('GET', `/v1/flows/${flowId}/runs${query}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.json().runs as Run[];
};

before(async () => {
  t = await createTestApp({ sandbox: true });
  await t.startWorkers();
  const list = (await t.call('POST', '/v1/lists', { name: 'Clientes', key_field: 'doc', fields: [{ key: 'doc', type: 'text' }] })).json().id as string;
  const tpl = (await t.call('POST', '/v1/templates', { name: 'Hola', channel_type: 'email', subject: 'Hola', body: '<p>Hola</p>' })).json().id as string;
  const flow = await t.call('POST', '/v1/flows', {
    name: 'Runs', list_id: list,
    definition: {
      entry: { type: 'event', event: 'alta' },
      nodes: [
        { id: 'hello', type: 'send', channel_type: 'email', template_id: tpl, next: 'hold' },
        { id: 'hold', type: 'wait', seconds: 86_400, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    },
  });
  assert.equal(flow.statusCode, 201, flow.body);
  flowId = flow.json().id;
  assert.equal((await t.call('POST', `/v1/flows/${flowId}/publish`)).statusCode, 201);
  // One at a time, so the runs enter in a known order.
  for (const doc of ['1', '2', '3']) {
    const ev = await t.call('POST', '/v1/events', { name: 'alta', list_id: list, contact: { doc, email: `c${doc}@example.com` } }, { headers: { 'idempotency-key': `alta-${doc}` } });
    assert.equal(ev.statusCode, 202, ev.body);
    const run = await waitFor(`the run of contact ${doc} waiting`, async () => {
      const all = await runs();
      return all.length === contacts.length + 1 && all.every((r) => r.status === 'waiting') ? all[0] : undefined;
    }, 20_000);
    assert.ok(!contacts.includes(run.contact_id));
    contacts.push(run.contact_id);
  }
});
after(async () => { await t.close(); });

test('without a contact: the latest runs first, each with its path', async () => {
  const all = await runs();
  assert.deepEqual(all.map((r) => r.contact_id), [...contacts].reverse());
  const times = all.map((r) => Date.parse(r.entered_at));
  assert.ok(times[0]! >= times[1]! && times[1]! >= times[2]!, 'by entered_at, newest first');
  for (const r of all) {
    assert.equal(r.version, 1);
    assert.equal(r.node, 'hold');
    assert.equal(r.ended_at, null);
    assert.deepEqual(r.path.map((s) => `${s.node_id}:${s.type}:${s.outcome}`), ['hello:send:sent', 'hold:wait:waiting']);
    assert.equal(r.path[0]?.channel_type, 'email');
  }
});

test('limit keeps the latest N; a contact_id keeps that contact\'s runs', async () => {
  assert.deepEqual((await runs('?limit=2')).map((r) => r.contact_id), [contacts[2], contacts[1]]);
  assert.deepEqual((await runs('?limit=1')).map((r) => r.contact_id), [contacts[2]]);
  const one = await runs(`?contact_id=${contacts[0]}`);
  assert.deepEqual(one.map((r) => r.contact_id), [contacts[0]]);
  assert.deepEqual(await runs('?contact_id=ct_nobody'), []);
});

test('limit is 1 to 500', async () => {
  for (const limit of ['0', '501', 'many']) {
    const r = await t.call('GET', `/v1/flows/${flowId}/runs?limit=${limit}`);
    assert.equal(r.statusCode, 400, `limit=${limit}: ${r.body}`);
  }
  assert.equal((await t.call('GET', `/v1/flows/${flowId}/runs?limit=500`)).statusCode, 200);
});
