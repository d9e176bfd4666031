import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createECDH, createHmac, hkdfSync, randomBytes, type ECDH } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { newContact, outgoing, pluginApp, recordingServer, testContext, testDeps, type Received } from '../../test-support/channels.js';
import { createWebPushProvider, pushRoutes, type WebPushConfig } from './index.js';

let t: Awaited<ReturnType<typeof testDeps>>;
let api: FastifyInstance;
let strictApi: FastifyInstance;
let srv: Awaited<ReturnType<typeof recordingServer>>;
let contactId: string;
let config: WebPushConfig;
const provider = createWebPushProvider({ ssrfAllow: ['127.0.0.1/32'] });
const signal = new AbortController().signal;

before(async () => {
  t = await testDeps();
  srv = await recordingServer((r, res) => {
    const status = r.url.startsWith('/push/gone') ? 410 : r.url.startsWith('/push/busy') ? 503 : 201;
    res.writeHead(status).end();
  });
  api = await pluginApp(t.deps, async (app) => { await app.register(pushRoutes, { prefix: '/v1', deps: t.deps, ssrfAllow: ['127.0.0.1/32'] }); });
  strictApi = await pluginApp(t.deps, async (app) => { await app.register(pushRoutes, { prefix: '/v1', deps: t.deps, ssrfAllow: [] }); });
  contactId = await newContact(t.db.pool, t.accountId);
  config = await provider.prepareConfig!({ vapid_subject: 'mailto:ops@banco.example' });
  await provider.validateConfig!(config);
});
after(async () => {
  await api.close();
  await strictApi.close();
  await srv.close();
  await t.db.drop();
});

/** A browser's subscription: a real P-256 key pair and a 16-byte auth secret. */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}

/** What the browser does with an aes128gcm push body (RFC 8291 / RFC 8188), to check the payload end to end. */
function decrypt(body: Buffer, ecdh: ECDH, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLen = body[20]!;
  const serverPublic = body.subarray(21, 21 + idLen);
  const record = body.subarray(21 + idLen);
  const shared = ecdh.computeSecret(serverPublic);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), serverPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, auth, info, 32));
  const prk = createHmac('sha256', salt).update(ikm).digest();
  const expand = (label: string, len: number) => createHmac('sha256', prk).update(Buffer.concat([Buffer.from(label), Buffer.from([1])])).digest().subarray(0, len);
  const d = createDecipheriv('aes-128-gcm', expand('Content-Encoding: aes128gcm\0', 16), expand('Content-Encoding: nonce\0', 12));
  d.setAuthTag(record.subarray(record.length - 16));
  const plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
  return plain.subarray(0, plain.lastIndexOf(2)).toString();
}

const auth = () => ({ authorization: `Bearer ${t.key}` });

test('prepareConfig generates a VAPID pair; a mismatched or half pair is refused', async () => {
  assert.match(config.vapid_public_key!, /^[A-Za-z0-9_-]{87}$/);
  assert.match(config.vapid_private_key!, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(provider.secrets, ['vapid_private_key']);
  const other = await provider.prepareConfig!({ vapid_subject: 'mailto:x@y.z' });
  await assert.rejects(async () => provider.validateConfig!({ ...config, vapid_public_key: other.vapid_public_key }), { status: 422 });
  await assert.rejects(async () => provider.validateConfig!({ vapid_subject: 'mailto:a@b.c', vapid_public_key: config.vapid_public_key }), { status: 422 });
  await assert.rejects(async () => provider.validateConfig!({ ...config, vapid_subject: 'ops@banco.example' }), { status: 422 });
});

test('subscriptions: add, list, refuse bad keys / local endpoints / unknown contacts, other accounts see nothing', async () => {
  const { keys } = browserKeys();
  const endpoint = `${srv.base}/push/device-a`;
  let r = await api.inject({ method: 'POST', url: `/v1/contacts/${contactId}/push_subscriptions`, headers: auth(), payload: { endpoint, expirationTime: null, keys } });
  assert.equal(r.statusCode, 201, r.body);
  assert.match(r.json().id, /^psub_/);
  // The same endpoint again is the same subscription (a browser re-subscribing).
  r = await api.inject({ method: 'POST', url: `/v1/contacts/${contactId}/push_subscriptions`, headers: auth(), payload: { endpoint, keys } });
  assert.equal(r.statusCode, 201);
  r = await api.inject({ method: 'GET', url: `/v1/contacts/${contactId}/push_subscriptions`, headers: auth() });
  assert.deepEqual(r.json().subscriptions.map((s: { endpoint: string }) => s.endpoint), [endpoint]);
  assert.equal(r.json().subscriptions[0].keys, undefined, 'keys are not echoed');

  const bad: [object, number, string][] = [
    [{ endpoint, keys: { ...keys, p256dh: Buffer.alloc(65, 1).toString('base64url') } }, 422, 'keys.p256dh'],
    [{ endpoint, keys: { ...keys, auth: 'AAAA' } }, 422, 'keys.auth'],
    [{ endpoint: 'ftp://push.example.com/x', keys }, 422, 'endpoint'],
  ];
  for (const [payload, status, field] of bad) {
    r = await api.inject({ method: 'POST', url: `/v1/contacts/${contactId}/push_subscriptions`, headers: auth(), payload });
    assert.equal(r.statusCode, status, r.body);
    assert.equal(r.json().error.details[0].field, field);
  }
  // Without the operator's allow list a local endpoint is refused (http and https alike).
  for (const ep of [endpoint, 'https://127.0.0.1/push', 'https://169.254.169.254/x']) {
    r = await strictApi.inject({ method: 'POST', url: `/v1/contacts/${contactId}/push_subscriptions`, headers: auth(), payload: { endpoint: ep, keys } });
    assert.equal(r.statusCode, 422, ep);
    assert.equal(r.json().error.details[0].field, 'endpoint');
  }
  r = await api.inject({ method: 'POST', url: '/v1/contacts/ct_nope/push_subscriptions', headers: auth(), payload: { endpoint, keys } });
  assert.equal(r.statusCode, 404);
  const other = await t.newAccount();
  r = await api.inject({ method: 'GET', url: `/v1/contacts/${contactId}/push_subscriptions`, headers: { authorization: `Bearer ${other.key}` } });
  assert.equal(r.statusCode, 404);
  r = await api.inject({ method: 'GET', url: `/v1/contacts/${contactId}/push_subscriptions` });
  assert.equal(r.statusCode, 401);
});

test('the VAPID public key of a web_push channel is readable for the subscribe call', async () => {
  await t.db.pool.query(`INSERT INTO channels (account_id, id, name, type, kind, config) VALUES ($1, 'ch_push', 'Web', 'web_push', 'push', $2)`,
    [t.accountId, JSON.stringify(config)]);
  let r = await api.inject({ method: 'GET', url: '/v1/channels/ch_push/vapid_public_key', headers: auth() });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), { public_key: config.vapid_public_key });
  r = await api.inject({ method: 'GET', url: '/v1/channels/ch_nope/vapid_public_key', headers: auth() });
  assert.equal(r.statusCode, 404);
});

test('send: an encrypted aes128gcm push with VAPID and TTL to every device; 410 removes the subscription', async () => {
  const contact = await newContact(t.db.pool, t.accountId);
  const a = browserKeys();
  const b = browserKeys();
  for (const [path, k] of [['/push/device-1', a], ['/push/gone-2', b]] as const) {
    const r = await api.inject({ method: 'POST', url: `/v1/contacts/${contact}/push_subscriptions`, headers: auth(), payload: { endpoint: srv.base + path, keys: k.keys } });
    assert.equal(r.statusCode, 201, r.body);
  }
  const { ctx } = testContext({ pool: t.db.pool, accountId: t.accountId, channelId: 'ch_push' });
  const conn = await provider.connect(config, ctx);
  const from = srv.received.length;
  const [o] = await conn.send([outgoing('msg_p1', { to: contact, contactId: contact, content: { subject: 'Pago recibido', text: 'Gracias por su pago' }, data: { topic: 'payments' } })], signal);
  assert.equal(o?.status, 'sent', JSON.stringify(o));
  assert.deepEqual(o.status === 'sent' && o.detail, { subscriptions: 2, delivered_to: 1, removed: 1 });

  const got = srv.received.slice(from);
  assert.equal(got.length, 2);
  const toA = got.find((r: Received) => r.url === '/push/device-1')!;
  assert.equal(toA.method, 'POST');
  assert.equal(toA.headers['content-encoding'], 'aes128gcm');
  assert.equal(toA.headers.ttl, '86400');
  assert.equal(toA.headers.urgency, 'high');
  assert.equal(toA.headers.topic, 'payments');
  const m = /^vapid t=([^,]+), k=(.+)$/.exec(String(toA.headers.authorization));
  assert.ok(m, String(toA.headers.authorization));
  assert.equal(m[2], config.vapid_public_key);
  const claims = JSON.parse(Buffer.from(m[1]!.split('.')[1]!, 'base64url').toString()) as { aud: string; sub: string };
  assert.equal(claims.aud, srv.base);
  assert.equal(claims.sub, 'mailto:ops@banco.example');
  assert.deepEqual(JSON.parse(decrypt(toA.body, a.ecdh, a.auth)), { title: 'Pago recibido', body: 'Gracias por su pago', data: { topic: 'payments' } });

  const left = await t.db.pool.query<{ endpoint: string }>('SELECT endpoint FROM push_subscriptions WHERE account_id = $1 AND contact_id = $2', [t.accountId, contact]);
  assert.deepEqual(left.rows.map((x) => x.endpoint), [srv.base + '/push/device-1']);

  // The last device unsubscribes through the API: nothing left → permanent no_subscription.
  const list = await api.inject({ method: 'GET', url: `/v1/contacts/${contact}/push_subscriptions`, headers: auth() });
  const subId = list.json().subscriptions[0].id as string;
  assert.equal((await api.inject({ method: 'DELETE', url: `/v1/contacts/${contact}/push_subscriptions/${subId}`, headers: auth() })).statusCode, 204);
  assert.equal((await api.inject({ method: 'DELETE', url: `/v1/contacts/${contact}/push_subscriptions/${subId}`, headers: auth() })).statusCode, 404);
  const [none] = await conn.send([outgoing('msg_p2', { to: contact, contactId: contact })], signal);
  assert.ok(none?.status === 'failed' && !none.transient && none.error === 'no_subscription', JSON.stringify(none));
});

test('send: a push service that is down is retried; an endpoint refused by SSRF is not', async () => {
  const contact = await newContact(t.db.pool, t.accountId);
  const k = browserKeys();
  const r = await api.inject({ method: 'POST', url: `/v1/contacts/${contact}/push_subscriptions`, headers: auth(), payload: { endpoint: srv.base + '/push/busy', keys: k.keys } });
  assert.equal(r.statusCode, 201);
  const { ctx } = testContext({ pool: t.db.pool, accountId: t.accountId, channelId: 'ch_push' });
  const [busy] = await (await provider.connect(config, ctx)).send([outgoing('msg_p3', { to: contact, contactId: contact })], signal);
  assert.ok(busy?.status === 'failed' && busy.transient, JSON.stringify(busy));
  const strict = createWebPushProvider({ ssrfAllow: [] });
  const from = srv.received.length;
  const [refused] = await (await strict.connect(config, ctx)).send([outgoing('msg_p4', { to: contact, contactId: contact })], signal);
  assert.ok(refused?.status === 'failed' && !refused.transient && /refused/.test(refused.error), JSON.stringify(refused));
  assert.equal(srv.received.length, from);
});
