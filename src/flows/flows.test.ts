import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { waitFor } from '../test-support/wait.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../channels/webhook/signature.js';

let t: TestApp;
let listId: string;
let emailTpl: string;
let smsTpl: string;

before(async () => {
  // Loopback allowed: the bank's API of the http node test is a local server.
  t = await createTestApp({ sandbox: true, config: { ssrfAllow: ['127.0.0.0/8'] } });
  await t.startWorkers();
  listId = (await t.call('POST', '/v1/lists', { name: 'Clientes', key_field: 'doc', default_country: 'CO', fields: [{ key: 'doc', type: 'text' }, { key: 'name', type: 'text' }, { key: 'paid', type: 'boolean' }] })).json().id;
  emailTpl = (await t.call('POST', '/v1/templates', { name: 'Compra', channel_type: 'email', subject: 'Compra de {{ data.amount }}', body: '<p>Hola {{ contact.name }}</p>' })).json().id;
  smsTpl = (await t.call('POST', '/v1/templates', { name: 'Aviso SMS', channel_type: 'sms', body: 'Hola {{ contact.name }}' })).json().id;
});
after(async () => { await t.close(); });


const purchaseFlow = () => ({
  entry: { type: 'event', event: 'compra' },
  goal: { event: 'cancelado' },
  nodes: [
    { id: 'confirm', type: 'send', channel_type: 'email', template_id: emailTpl, next: 'await_payment' },
    { id: 'await_payment', type: 'wait_event', event: 'pago', correlate: 'data.order', timeout_seconds: 86400, next: { event: 'paid_check', timeout: 'remind' } },
    { id: 'paid_check', type: 'branch', branches: [{ filter: { field: 'event.data.amount', op: 'gte', value: 100 }, next: 'mark' }], default: 'done' },
    { id: 'mark', type: 'update_contact', set: { paid: true }, next: 'done' },
    { id: 'remind', type: 'send', channel_type: 'sms', template_id: smsTpl, next: 'done' },
    { id: 'done', type: 'exit' },
  ],
});

async function publishedFlow(definition: object, name = 'Compra'): Promise<string> {
  const f = await t.call('POST', '/v1/flows', { name, list_id: listId, definition });
  assert.equal(f.statusCode, 201, f.body);
  const p = await t.call('POST', `/v1/flows/${f.json().id}/publish`);
  assert.equal(p.statusCode, 201, p.body);
  assert.equal(p.json().version, 1);
  return f.json().id;
}

const runsOf = async (flowId: string, contactId?: string) =>
  (await t.call('GET', `/v1/flows/${flowId}/runs${contactId ? `?contact_id=${contactId}` : ''}`)).json().runs as { id: string; status: string; node: string | null; path: { node_id: string; outcome?: string }[] }[];

test('an event starts a run: it sends, waits for the correlated event, branches on its data and updates the contact', { timeout: 60_000 }, async () => {
  const flowId = await publishedFlow(purchaseFlow());
  const ev = await t.call('POST', '/v1/events', { name: 'compra', list_id: listId, contact: { doc: '1', name: 'Ana', email: 'ana@example.com' }, data: { order: 'A-1', amount: '150' } }, { headers: { 'idempotency-key': 'compra-A-1' } });
  assert.equal(ev.statusCode, 202, ev.body);
  const again = await t.call('POST', '/v1/events', { name: 'compra', list_id: listId, contact: { doc: '1', name: 'Ana', email: 'ana@example.com' }, data: { order: 'A-1', amount: '150' } }, { headers: { 'idempotency-key': 'compra-A-1' } });
  assert.equal(again.json().id, ev.json().id, 'the same key is the same event');
  const run = await waitFor('the run to wait', async () => (await runsOf(flowId)).find((r) => r.status === 'waiting'));
  assert.equal(run.node, 'await_payment');
  assert.equal((await runsOf(flowId)).length, 1, 'one run for one event');
  const sent = await waitFor('the email in the sink', async () => {
    const s = (await t.call('GET', '/v1/sandbox/messages?channel_type=email')).json();
    return s.find((m: { subject: string }) => m.subject === 'Compra de 150');
  });
  assert.equal(sent.to, 'ana@example.com');

  // Another order's payment does not wake it; this order's does.
  const contactId = (await t.db.pool.query(`SELECT id FROM contacts WHERE key_value = '1'`)).rows[0].id;
  await t.call('POST', '/v1/events', { name: 'pago', contact_id: contactId, data: { order: 'B-9', amount: 500 } });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await runsOf(flowId))[0]!.status, 'waiting');
  await t.call('POST', '/v1/events', { name: 'pago', contact_id: contactId, data: { order: 'A-1', amount: 150 } });
  const done = await waitFor('the run to end', async () => (await runsOf(flowId)).find((r) => r.status === 'done'));
  // A wait leaves two steps: entering it, and resuming with its outcome.
  assert.deepEqual(done.path.map((s) => `${s.node_id}:${s.outcome ?? ''}`).filter((x) => x.startsWith('await_payment')).at(-1), 'await_payment:event');
  assert.deepEqual(done.path.map((s) => s.node_id), ['confirm', 'await_payment', 'await_payment', 'paid_check', 'mark', 'done']);
  const contact = (await t.call('GET', `/v1/contacts/${contactId}`)).json();
  assert.equal(contact.fields.paid, true);
  const stats = (await t.call('GET', `/v1/flows/${flowId}/stats`)).json().nodes;
  assert.equal(stats.confirm.entered, 1);
  assert.equal(stats.mark.completed, 1);
  assert.equal(stats.remind, undefined);
});

test('a goal event pulls the run out wherever it waits', { timeout: 60_000 }, async () => {
  const flowId = (await t.call('GET', '/v1/flows')).json().flows.find((f: { name: string }) => f.name === 'Compra').id;
  await t.call('POST', '/v1/events', { name: 'compra', list_id: listId, contact: { doc: '2', name: 'Luis', email: 'luis@example.com' }, data: { order: 'C-3', amount: 10 } });
  const contactId = await waitFor('contact', async () => (await t.db.pool.query(`SELECT id FROM contacts WHERE key_value = '2'`)).rows[0]?.id);
  await waitFor('waiting', async () => (await runsOf(flowId, contactId)).find((r) => r.status === 'waiting'));
  await t.call('POST', '/v1/events', { name: 'cancelado', contact_id: contactId, data: {} });
  const exited = await waitFor('exited', async () => (await runsOf(flowId, contactId)).find((r) => r.status === 'exited'));
  assert.equal(exited.path.at(-1)!.outcome, 'exited');
});

test('send with fallback: a contact with no phone falls through SMS to email; a replayed step sends nothing twice', { timeout: 60_000 }, async () => {
  const flowId = await publishedFlow({
    entry: { type: 'event', event: 'otp' },
    nodes: [
      { id: 'fb', type: 'send_fallback', channels: ['sms', 'email'], templates: { sms: smsTpl, email: emailTpl }, confirm_within_seconds: 60, category: 'transactional', next: { delivered: 'ok', exhausted: 'ko' } },
      { id: 'ok', type: 'exit' },
      { id: 'ko', type: 'exit' },
    ],
  }, 'OTP');
  await t.call('POST', '/v1/events', { name: 'otp', list_id: listId, contact: { doc: '3', name: 'Marta', email: 'marta@example.com' }, data: { amount: 1 } });
  const done = await waitFor('done', async () => (await runsOf(flowId)).find((r) => r.status === 'done'), 30_000);
  assert.deepEqual(done.path.map((s) => s.node_id).slice(-1), ['ok'], 'delivered (email accepted) → the delivered branch');
  const msgs = (await t.db.pool.query(`SELECT channel_type, source->>'key' AS key FROM messages WHERE source->>'run_id' = $1`, [done.id])).rows;
  assert.deepEqual(msgs.map((m) => m.channel_type), ['email'], 'no SMS without a phone; the email went');

  // Replay: put the run back to before its step and let the worker run it again.
  const before = (await t.db.pool.query(`SELECT count(*)::int AS n FROM messages`)).rows[0].n;
  await t.db.pool.query(`UPDATE flow_runs SET status = 'active', node = NULL, iteration = 0, wait = NULL, due_at = now(), vars = '{"loops":{}}' WHERE id = $1`, [done.id]);
  await waitFor('done again', async () => ((await runsOf(flowId)).find((r) => r.id === done.id)?.status === 'done' ? true : undefined), 30_000);
  assert.equal((await t.db.pool.query(`SELECT count(*)::int AS n FROM messages`)).rows[0].n, before, 'the same (run, node, iteration) keys: no new message');
});

test('bad definitions are refused naming the node; a published version never changes', async () => {
  const bad = await t.call('POST', '/v1/flows', { name: 'x', list_id: listId, definition: { entry: { type: 'event', event: 'e' }, nodes: [{ id: 'a', type: 'send', channel_type: 'email', template_id: emailTpl, next: 'nowhere' }] } });
  assert.equal(bad.statusCode, 422, bad.body);
  assert.match(bad.body, /nowhere/);
  const ssrf = await t.call('POST', '/v1/flows', { name: 'x', list_id: listId, definition: { entry: { type: 'event', event: 'e' }, nodes: [{ id: 'block', type: 'http', method: 'POST', url: 'http://169.254.169.254/latest', next: { success: 'end', failure: 'end' } }, { id: 'end', type: 'exit' }] } });
  assert.equal(ssrf.statusCode, 422, ssrf.body);
  assert.match(ssrf.body, /block|nodes\[0\]\.url/);
  const huge = await t.call('POST', '/v1/flows', { name: 'x', list_id: listId, definition: { entry: { type: 'event', event: 'e' }, nodes: [{ id: 'end', type: 'exit', label: 'x'.repeat(11 * 1024 * 1024) }] } });
  assert.equal(huge.statusCode, 413, 'a 10 MB definition is over the body limit');
  const big = await t.call('POST', '/v1/flows', { name: 'x', list_id: listId, definition: { entry: { type: 'event', event: 'e' }, nodes: [{ id: 'end', type: 'exit', label: 'x'.repeat(2 * 1024 * 1024) }] } });
  assert.equal(big.statusCode, 422, big.body.slice(0, 200));
  assert.match(big.body, /1 MB/);
  const nul = await t.call('POST', '/v1/events', { name: 'compra', list_id: listId, contact: { doc: '1' }, data: { note: 'a\u0000b' } });
  assert.equal(nul.statusCode, 422, nul.body);
  const unknownList = await t.call('POST', '/v1/events', { name: 'compra', list_id: 'lst_nope', contact: { doc: '1' } });
  assert.equal(unknownList.statusCode, 404);
  const malformed = await t.call('POST', '/v1/events', { name: 'compra', list_id: listId, contact: { doc: '9', paid: 'quizás' } });
  assert.equal(malformed.statusCode, 422, malformed.body);
  assert.match(malformed.body, /contact\.paid/);

  const flowId = (await t.call('GET', '/v1/flows')).json().flows.find((f: { name: string }) => f.name === 'Compra').id;
  const changed = purchaseFlow();
  changed.nodes[0] = { ...changed.nodes[0]!, template_id: smsTpl, channel_type: 'sms' } as never;
  assert.equal((await t.call('PUT', `/v1/flows/${flowId}`, { definition: changed })).statusCode, 200);
  const v1 = (await t.call('GET', `/v1/flows/${flowId}/versions/1`)).json();
  assert.equal(v1.definition.nodes[0].template_id, emailTpl, 'version 1 is frozen');
});

test('simulate plays the draft on a virtual clock and sends nothing', async () => {
  const flowId = (await t.call('GET', '/v1/flows')).json().flows.find((f: { name: string }) => f.name === 'Compra').id;
  const before = (await t.db.pool.query(`SELECT count(*)::int AS n FROM messages`)).rows[0].n;
  const r = await t.call('POST', `/v1/flows/${flowId}/simulate`, {
    contact: { doc: 'sim', name: 'Simulada', email: 'sim@example.com', phone: '3001112233' },
    start_at: '2026-12-01T14:00:00Z', trigger: { name: 'compra', data: { order: 'Z', amount: 50 } },
    events: [],
  });
  assert.equal(r.statusCode, 200, r.body);
  const tl = r.json().timeline as { node_id: string; at: string }[];
  assert.deepEqual(tl.map((e) => e.node_id), ['confirm', 'await_payment', 'await_payment', 'remind', 'done']);
  assert.equal(tl.at(-1)!.at, '2026-12-02T14:00:00.000Z', 'the timeout a day later, on the virtual clock');
  assert.equal((await t.db.pool.query(`SELECT count(*)::int AS n FROM messages`)).rows[0].n, before);
});

test('an http node calls the bank signed with the account secret, the step key as Idempotency-Key, and branches on the answer', { timeout: 60_000 }, async () => {
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const bank = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ blocked: true }));
    });
  });
  await new Promise<void>((r) => bank.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (bank.address() as AddressInfo).port;
    const flowId = await publishedFlow({
      entry: { type: 'event', event: 'fraude' },
      nodes: [
        { id: 'block', type: 'http', method: 'POST', url: `http://127.0.0.1:${port}/tx/{{ event.data.tx }}/block`, body: { tx: '{{ event.data.tx }}' },
          success_when: { status: [200], path: 'blocked', equals: true }, next: { success: 'ok', failure: 'ko' } },
        { id: 'ok', type: 'exit' },
        { id: 'ko', type: 'exit' },
      ],
    }, 'Fraude');
    await t.call('POST', '/v1/events', { name: 'fraude', list_id: listId, contact: { doc: 'f1', name: 'Fe' }, data: { tx: 'T-9' } });
    const done = await waitFor('done', async () => (await runsOf(flowId)).find((r) => r.status === 'done'));
    assert.deepEqual(done.path.map((s) => s.node_id).slice(-1), ['ok']);
    assert.equal(received.length, 1);
    const call = received[0]!;
    assert.deepEqual(JSON.parse(call.body), { tx: 'T-9' });
    assert.match(String(call.headers['idempotency-key']), /:block:/);
    const secret = (await t.call('GET', '/v1/settings/signing_secret')).json().secret;
    assert.ok(verifySignature(String(call.headers['conversa-signature']), call.body, secret), 'the signature verifies with the account secret');
    assert.ok(!verifySignature(String(call.headers['conversa-signature']), call.body, 'sig_other'));
  } finally {
    bank.close();
  }
});
