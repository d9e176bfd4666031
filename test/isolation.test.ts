// Every id of account A is "not found" to account B, on every route that takes an id — and a
// route added later without a case here fails the coverage check at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../src/test-support/app.js';

let t: TestApp;
let b: { id: string; key: string };
const ids: Record<string, string> = {};

before(async () => {
  // Push endpoints must be reachable addresses: a local one, allowed past the SSRF guard.
  t = await createTestApp({ config: { ssrfAllow: ['127.0.0.0/8'] } });
  b = await t.newAccount('Bank B');
  const list = await t.call('POST', '/v1/lists', { name: 'A list', key_field: 'email', fields: [{ key: 'city', type: 'text' }] });
  ids.list = list.json().id;
  await t.call('PUT', `/v1/lists/${ids.list}/contacts`, { contacts: [{ email: 'a@bank-a.co', city: 'Cali' }] });
  ids.contact = (await t.db.pool.query(`SELECT id FROM contacts WHERE list_id = $1`, [ids.list])).rows[0].id;
  const seg = await t.call('POST', `/v1/lists/${ids.list}/segments`, { name: 'Cali', filter: { field: 'city', op: 'eq', value: 'Cali' } });
  ids.segment = seg.json().id;
  const imp = await t.call('POST', `/v1/lists/${ids.list}/imports`, 'email,city\nb@bank-a.co,Pasto\n', { headers: { 'content-type': 'text/csv' } });
  ids.import = imp.json().id;
  ids.key = (await t.call('POST', '/v1/api_keys', { name: 'k', role: 'viewer' })).json().id;
  ids.user = (await t.call('POST', '/v1/users', { email: 'u@bank-a.co', name: 'U', role: 'viewer' })).json().id;
  ids.channel = (await t.call('POST', '/v1/channels', { name: 'c', type: 'smtp', config: { host: 'smtp.bank-a.co', port: 587, from: 'a@bank-a.co' } })).json().id;
  ids.push = (await t.call('POST', '/v1/channels', { name: 'p', type: 'web_push', config: { vapid_subject: 'mailto:a@bank-a.co' } })).json().id;
  ids.template = (await t.call('POST', '/v1/templates', { name: 't', channel_type: 'sms', body: 'Hola' })).json().id;
  ids.message = (await t.call('POST', '/v1/messages', { to: 'a@bank-a.co', channel_id: ids.channel, content: { subject: 's', text: 'x' }, category: 'transactional' })).json().id;
  ids.suppression = (await t.call('POST', '/v1/suppressions', { type: 'email', value: 'no@bank-a.co', reason: 'r' })).json().id;
  ids.subscription = (await t.call('POST', `/v1/contacts/${ids.contact}/push_subscriptions`, {
    endpoint: 'http://127.0.0.1:9/send/abc', keys: { p256dh: 'BOr5Dp-tVDLRQ2XFZ3kErRl2Ta2pz0J9mqKDjCSfhlVpVb5hixsAAbTuzcVbVb9ZE6jV8Kc2vCiHl0aKcwxyF5o', auth: 'lLtFOR8DiCxZ1U4-1fnvdQ' },
  })).json().id;
  ids.email_template = (await t.call('POST', '/v1/templates', { name: 'e', channel_type: 'email', subject: 's', body: 'x' })).json().id;
  ids.broadcast = (await t.call('POST', '/v1/broadcasts', { segment_id: ids.segment, channel_id: ids.channel, template_id: ids.email_template, category: 'transactional' })).json().id;
  const flow = await t.call('POST', '/v1/flows', { name: 'f', list_id: ids.list, definition: { entry: { type: 'event', event: 'e' }, nodes: [{ id: 'end', type: 'exit' }] } });
  ids.flow = flow.json().id;
  await t.call('POST', `/v1/flows/${ids.flow}/publish`);
  const otp = await t.call('POST', '/v1/otp', { to: { email: 'a@bank-a.co' }, channels: ['email'] });
  ids.otp = otp.json().id;
  ids.approval = 'apr_A';
  await t.db.pool.query(`INSERT INTO flow_approvals (account_id, id, flow_id, version, sample_size, total) VALUES ($1, $2, $3, 1, 1, 2)`, [t.accountId, ids.approval, ids.flow]);
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `fixture ${k} was created`);
});
after(async () => { await t.close(); });

type Case = [method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType?: string];
const cases = (): Case[] => [
  ['GET', `/v1/lists/${ids.list}`],
  ['PATCH', `/v1/lists/${ids.list}`, { name: 'stolen' }],
  ['DELETE', `/v1/lists/${ids.list}`],
  ['PUT', `/v1/lists/${ids.list}/contacts`, { contacts: [{ email: 'x@y.co' }] }],
  ['POST', `/v1/lists/${ids.list}/contacts/search`, {}],
  ['POST', `/v1/lists/${ids.list}/contacts/count`, {}],
  ['GET', `/v1/lists/${ids.list}/export`],
  ['POST', `/v1/lists/${ids.list}/segments`, { name: 's', filter: { field: 'city', op: 'eq', value: 'x' } }],
  ['GET', `/v1/lists/${ids.list}/segments`],
  ['POST', `/v1/lists/${ids.list}/imports`, 'email\nz@z.co\n', 'text/csv'],
  ['POST', `/v1/lists/${ids.list}/imports/preview`, 'email\nz@z.co\n', 'text/csv'],
  ['GET', `/v1/lists/${ids.list}/imports`],
  ['GET', `/v1/contacts/${ids.contact}`],
  ['PATCH', `/v1/contacts/${ids.contact}`, { city: 'x' }],
  ['DELETE', `/v1/contacts/${ids.contact}`],
  ['GET', `/v1/segments/${ids.segment}`],
  ['PATCH', `/v1/segments/${ids.segment}`, { name: 'x' }],
  ['DELETE', `/v1/segments/${ids.segment}`],
  ['GET', `/v1/segments/${ids.segment}/count`],
  ['GET', `/v1/imports/${ids.import}`],
  ['GET', `/v1/imports/${ids.import}/errors`],
  ['DELETE', `/v1/api_keys/${ids.key}`],
  ['GET', `/v1/users/${ids.user}`],
  ['PATCH', `/v1/users/${ids.user}`, { name: 'x' }],
  ['DELETE', `/v1/users/${ids.user}`],
  ['GET', `/v1/channels/${ids.channel}`],
  ['PATCH', `/v1/channels/${ids.channel}`, { name: 'x' }],
  ['DELETE', `/v1/channels/${ids.channel}`],
  ['POST', `/v1/channels/${ids.channel}/test`, { to: 'b@bank-b.co' }],
  ['GET', `/v1/channels/${ids.push}/vapid_public_key`],
  ['GET', `/v1/messages/${ids.message}`],
  ['GET', `/v1/broadcasts/${ids.broadcast}`],
  ['GET', `/v1/flows/${ids.flow}`],
  ['PUT', `/v1/flows/${ids.flow}`, { definition: { entry: { type: 'event', event: 'x' }, nodes: [{ id: 'end', type: 'exit' }] } }],
  ['DELETE', `/v1/flows/${ids.flow}`],
  ['POST', `/v1/flows/${ids.flow}/publish`],
  ['GET', `/v1/flows/${ids.flow}/versions`],
  ['GET', `/v1/flows/${ids.flow}/versions/1`],
  ['POST', `/v1/flows/${ids.flow}/runs`, { contact_id: ids.contact }],
  ['GET', `/v1/flows/${ids.flow}/runs`],
  ['GET', `/v1/flows/${ids.flow}/stats`],
  ['POST', `/v1/flows/${ids.flow}/simulate`, { contact: { email: 'x@y.co' } }],
  ['GET', `/v1/flows/${ids.flow}/approvals`],
  ['POST', `/v1/flows/${ids.flow}/approvals/${ids.approval}/release`],
  ['DELETE', `/v1/suppressions/${ids.suppression}`],
  ['GET', `/v1/templates/${ids.template}`],
  ['PATCH', `/v1/templates/${ids.template}`, { name: 'x' }],
  ['DELETE', `/v1/templates/${ids.template}`],
  ['POST', `/v1/templates/${ids.template}/preview`, { data: {} }],
  ['POST', `/v1/contacts/${ids.contact}/push_subscriptions`, { endpoint: 'http://127.0.0.1:9/send/b', keys: { p256dh: 'BOr5Dp-tVDLRQ2XFZ3kErRl2Ta2pz0J9mqKDjCSfhlVpVb5hixsAAbTuzcVbVb9ZE6jV8Kc2vCiHl0aKcwxyF5o', auth: 'lLtFOR8DiCxZ1U4-1fnvdQ' } }],
  ['GET', `/v1/contacts/${ids.contact}/push_subscriptions`],
  ['DELETE', `/v1/contacts/${ids.contact}/push_subscriptions/${ids.subscription}`],
  ['GET', `/v1/otp/${ids.otp}`],
  ['POST', `/v1/otp/${ids.otp}/resend`, {}],
  ['POST', `/v1/otp/${ids.otp}/verify`, { code: '123456' }],
];

test("each of A's ids gives 404 to B, and nothing of A changes", async () => {
  const before = await snapshot();
  for (const [method, path, body, contentType] of cases()) {
    const r = await t.call(method, path, body, { key: b.key, headers: contentType ? { 'content-type': contentType } : {} });
    assert.equal(r.statusCode, 404, `${method} ${path} → ${r.statusCode} ${r.body.slice(0, 200)}`);
    assert.equal(r.json().error.code, 'not_found');
  }
  assert.deepEqual(await snapshot(), before);
  // and A still sees its own
  assert.equal((await t.call('GET', `/v1/contacts/${ids.contact}`)).statusCode, 200);
});

test("B's segment filter over its own list cannot reach A's contacts", async () => {
  const own = (await t.call('POST', '/v1/lists', { name: 'B list', key_field: 'email' }, { key: b.key })).json();
  const r = await t.call('POST', `/v1/lists/${own.id}/contacts/count`, { filter: { field: 'email', op: 'eq', value: 'a@bank-a.co' } }, { key: b.key });
  assert.equal(r.json().count, 0);
});

test('every route with an id parameter is covered by a case above', async () => {
  const paths = Object.entries((t.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths);
  const covered = new Set(cases().map(([m, p]) => `${m} ${p.replace(/(lst|ct|seg|imp|key|usr|chn|tpl|msg|sup|bc|flw|otp)_[0-9A-Z]+/g, '{id}').replace(/versions\/1$/, 'versions/{version}').replace(/apr_A/, '{approval_id}').replace(/push_subscriptions\/[A-Za-z0-9_]+$/, 'push_subscriptions/{subscriptionId}')}`));
  const missing: string[] = [];
  for (const [path, methods] of paths) {
    // Public routes (/l, /o, /u, /hooks) carry their own unguessable tokens, not account ids.
    if (!path.includes('{') || !path.startsWith('/v1/')) continue;
    for (const m of Object.keys(methods)) {
      const sig = `${m.toUpperCase()} ${path}`;
      if (m !== 'head' && !covered.has(sig)) missing.push(sig);
    }
  }
  assert.deepEqual(missing, [], 'add an isolation case for these routes');
});

async function snapshot() {
  const q = async (sql: string) => (await t.db.pool.query(sql)).rows;
  return {
    lists: await q(`SELECT id, name, fields, deleted_at FROM lists ORDER BY id`),
    contacts: await q(`SELECT id, key_value, data, erased_at FROM contacts ORDER BY id`),
    segments: await q(`SELECT id, name, filter, deleted_at FROM segments ORDER BY id`),
    keys: await q(`SELECT id, revoked_at FROM api_keys ORDER BY id`),
    users: await q(`SELECT id, name, deleted_at FROM users ORDER BY id`),
    otps: await q(`SELECT id, status, attempts, step FROM otps ORDER BY id`),
    channels: await q(`SELECT id, name, config, deleted_at FROM channels ORDER BY id`),
    templates: await q(`SELECT id, name, body, deleted_at FROM templates ORDER BY id`),
    messages: await q(`SELECT id, status FROM messages ORDER BY id`),
    suppressions: await q(`SELECT id, value FROM suppressions ORDER BY id`),
    broadcasts: await q(`SELECT id, status FROM broadcasts ORDER BY id`),
    flows: await q(`SELECT id, name, draft, version, deleted_at FROM flows ORDER BY id`),
    runs: await q(`SELECT id FROM flow_runs ORDER BY id`),
    approvals: await q(`SELECT id, status FROM flow_approvals ORDER BY id`),
    subscriptions: await q(`SELECT id, endpoint FROM push_subscriptions ORDER BY id`),
  };
}
