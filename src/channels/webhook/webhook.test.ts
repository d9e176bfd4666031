import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.js';
import { createWebhookProvider, verifySignature, type WebhookConfig } from './index.js';
import { outgoing, recordingServer, testContext } from '../../test-support/channels.js';

let srv: Awaited<ReturnType<typeof recordingServer>>;
before(async () => {
  srv = await recordingServer((r, res) => {
    const status = Number(/^\/status\/(\d+)/.exec(r.url)?.[1] ?? 200);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? `error ${status}` : 'ok');
  });
});
after(async () => { await srv.close(); });

const local = createWebhookProvider({ ssrfAllow: ['127.0.0.1/32'] });
const strict = createWebhookProvider({ ssrfAllow: [] });
const signal = new AbortController().signal;

async function prepared(path: string, extra: Partial<WebhookConfig> = {}) {
  const config = await local.prepareConfig!({ url: srv.base + path, ...extra });
  await local.validateConfig!(config);
  return config;
}

test('prepareConfig generates a whsec_ secret and keeps a given one; secrets are write-only', async () => {
  const c = await prepared('/hook');
  assert.match(c.secret!, /^whsec_[A-Za-z0-9_-]{43}$/);
  assert.notEqual((await prepared('/hook')).secret, c.secret);
  assert.equal((await prepared('/hook', { secret: 'whsec_given_secret_123' })).secret, 'whsec_given_secret_123');
  assert.deepEqual(local.secrets, ['secret', 'headers.*']);
  assert.equal(local.retryForMs, 72 * 3600 * 1000);
});

test('a signed POST per message: JSON body, Idempotency-Key, signature the receiver can verify', async () => {
  const config = await prepared('/hook', { headers: { Authorization: 'Bearer receiver-token' } });
  const { ctx, clock } = testContext();
  const conn = await local.connect(config, ctx);
  const before = srv.received.length;
  const out = await conn.send([outgoing('msg_1'), outgoing('msg_2', { category: 'marketing' })], signal);
  assert.deepEqual(out.map((o) => [o.id, o.status]), [['msg_1', 'sent'], ['msg_2', 'sent']]);
  const got = srv.received.slice(before);
  assert.equal(got.length, 2);
  const first = got.find((r) => r.headers['idempotency-key'] === 'msg_1')!;
  assert.equal(first.method, 'POST');
  assert.equal(first.headers['content-type'], 'application/json');
  assert.equal(first.headers.authorization, 'Bearer receiver-token');
  assert.deepEqual(JSON.parse(first.body.toString()), {
    id: 'msg_1', type: 'message', category: 'transactional', to: 'ct_1', contact_id: 'ct_1', data: { amount: 120.5 },
    content: { subject: 'Your statement', text: 'Your statement is ready' }, sent_at: '2026-03-02T15:00:00.000Z',
  });
  const sig = String(first.headers['conversa-signature']);
  assert.match(sig, /^t=1772463600,v1=[0-9a-f]{64}$/);
  assert.equal(verifySignature(sig, first.body, config.secret!, 300, clock.now()), true);
  // Tampered body, wrong secret, replay after the tolerance: all refused.
  assert.equal(verifySignature(sig, Buffer.from(first.body.toString().replace('120.5', '999')), config.secret!, 300, clock.now()), false);
  assert.equal(verifySignature(sig, first.body, 'whsec_other_secret_value', 300, clock.now()), false);
  assert.equal(verifySignature(sig, first.body, config.secret!, 300, new Date(clock.now().getTime() + 301_000)), false);
  assert.equal(verifySignature('t=abc,v1=zz', first.body, config.secret!, 300, clock.now()), false);
  assert.equal(verifySignature(undefined, first.body, config.secret!), false);
  // A receiver accepts the header while a rotated second signature is present.
  assert.equal(verifySignature(`${sig},v1=${'0'.repeat(64)}`, first.body, config.secret!, 300, clock.now()), true);
});

test('408/429/5xx and network errors are transient; other 4xx and 3xx are permanent', async () => {
  const { ctx } = testContext();
  const cases: [string, boolean][] = [['/status/500', true], ['/status/503', true], ['/status/429', true], ['/status/408', true],
    ['/status/410', false], ['/status/400', false], ['/status/301', false]];
  for (const [path, transient] of cases) {
    const conn = await local.connect(await prepared(path), ctx);
    const [o] = await conn.send([outgoing('msg_x')], signal);
    assert.equal(o?.status, 'failed', path);
    assert.equal(o.status === 'failed' && o.transient, transient, path);
  }
  // Nothing listens on port 9 of 127.0.0.1: connection refused, retried later.
  const down = await local.connect({ url: 'http://127.0.0.1:9/hook', secret: 'whsec_0123456789abcdef' }, ctx);
  const [o] = await down.send([outgoing('msg_y')], signal);
  assert.ok(o?.status === 'failed' && o.transient, JSON.stringify(o));
});

test('SSRF: a local URL is refused at validation and at send, unless the operator allows it', async () => {
  const config = { url: srv.base + '/hook', secret: 'whsec_0123456789abcdef' };
  await assert.rejects(async () => strict.validateConfig!(config), (e: unknown) => e instanceof AppError && e.status === 422 && e.details[0]?.field === 'config.url');
  await assert.rejects(async () => strict.validateConfig!({ ...config, url: 'http://169.254.169.254/latest/meta-data/' }), AppError);
  const before = srv.received.length;
  const conn = await strict.connect(config, testContext().ctx);
  const [o] = await conn.send([outgoing('msg_z')], signal);
  assert.ok(o?.status === 'failed' && !o.transient && /refused/.test(o.error), JSON.stringify(o));
  assert.equal(srv.received.length, before, 'the server saw nothing');
});

test('extra headers may not replace the signature headers', async () => {
  await assert.rejects(async () => local.validateConfig!({ url: srv.base, secret: 'whsec_0123456789abcdef', headers: { 'Conversa-Signature': 'x' } }),
    (e: unknown) => e instanceof AppError && e.details[0]?.field === 'config.headers.Conversa-Signature');
  await assert.rejects(async () => local.validateConfig!({ url: srv.base, secret: 'whsec_0123456789abcdef', headers: { 'bad header': 'x' } }), AppError);
});
