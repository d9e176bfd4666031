import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLogger } from '../../core/logger.js';
import { systemClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { AppError } from '../../core/errors.js';
import { installErrorHandling } from '../../http/errors.js';
import type { Pool } from '../../db/index.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import type { ChannelContext, OutgoingMessage, ProviderReport, SendOutcome } from '../port.js';
import { createHttpSmsProvider, type HttpSmsConfig } from './http-sms.js';
import { hookToken, hookUrl } from './hook-token.js';
import { smsHookRoutes } from './hook-routes.js';

// http_sms against a local HTTP server that answers like an SMS provider's JSON API, and the
// receipt hook against a real database.

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let provider: Server;
let providerUrl: string;
const received: Received[] = [];
// What the fake provider answers next: status and JSON body.
let nextAnswer: { status: number; body: unknown } = { status: 200, body: {} };

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const ACCOUNT = 'acc_HTTPSMS';
const CHANNEL = 'chn_HTTPSMS';
const ctx: ChannelContext = {
  // The provider never touches the pool.
  pool: undefined as unknown as Pool, log, clock: systemClock, accountId: ACCOUNT, channelId: CHANNEL,
  publicUrl: 'https://conversa.example.com', report: async () => {},
};
// The fake provider listens on loopback, which SSRF protection refuses unless the operator allows it.
const sms = createHttpSmsProvider({ ssrfAllow: ['127.0.0.0/8'] });

before(async () => {
  provider = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(nextAnswer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(nextAnswer.body));
    });
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => provider.close(r));
});

function message(text: string): OutgoingMessage {
  return { id: newId('msg'), accountId: ACCOUNT, contactId: null, to: '+573001112233', category: 'transactional', content: { text }, attachments: [], headers: {}, data: {}, links: {} };
}

async function sendWith(config: HttpSmsConfig, m: OutgoingMessage, p = sms): Promise<SendOutcome> {
  const conn = await p.connect(config, ctx);
  const [out] = await conn.send([m], new AbortController().signal);
  await conn.close();
  return out!;
}

const jsonConfig = (): HttpSmsConfig => ({
  url: `${providerUrl}/v2/sms`,
  method: 'POST',
  headers: { Authorization: 'Bearer sk_live_123', 'X-Tenant': 'banco' },
  body: '{"to": {{ to | json }}, "text": "{{ text }}", "ref": "{{ id }}", "from": {{ from | json }}, "status_callback": "{{ callback_url }}"}',
  response_id_path: 'messages.0.id',
  from: 'BANCO',
  hook_secret: 'a-hook-secret-of-enough-length',
});

test('POST JSON: method, headers and rendered body as configured; the provider id read from the answer', async () => {
  received.length = 0;
  nextAnswer = { status: 200, body: { messages: [{ id: 'prov-77', status: 'queued' }] } };
  const m = message('Dijo "hola"\nSeñor ✓ \\ {{ not liquid }}');
  const out = await sendWith(jsonConfig(), m);
  assert.deepEqual(out, { id: m.id, status: 'sent', providerIds: ['prov-77'], detail: { http_status: 200 } });
  const req = received[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/v2/sms');
  assert.equal(req.headers.authorization, 'Bearer sk_live_123');
  assert.equal(req.headers['x-tenant'], 'banco');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(req.body), {
    to: '+573001112233',
    text: m.content.text,
    ref: m.id,
    from: 'BANCO',
    status_callback: hookUrl('https://conversa.example.com', 'a-hook-secret-of-enough-length', ACCOUNT, CHANNEL),
  });
});

test('GET: the rendered template is the query string, form-encoded', async () => {
  received.length = 0;
  nextAnswer = { status: 202, body: { ok: true } };
  const m = message('a&b=c + ñ');
  const out = await sendWith({ url: `${providerUrl}/send?key=abc`, method: 'GET', body: 'to={{ to }}&text={{ text }}&id={{ id }}' }, m);
  assert.equal(out.status, 'sent');
  const req = received[0]!;
  assert.equal(req.method, 'GET');
  const q = new URL(req.url, 'http://x').searchParams;
  assert.equal(q.get('key'), 'abc');
  assert.equal(q.get('to'), '+573001112233');
  assert.equal(q.get('text'), 'a&b=c + ñ');
  assert.equal(q.get('id'), m.id);
  assert.equal(req.body, '');
});

test('PUT with a form body gets the form content type', async () => {
  received.length = 0;
  nextAnswer = { status: 200, body: {} };
  const out = await sendWith({ url: `${providerUrl}/put`, method: 'PUT', body: 'msisdn={{ to }}&msg={{ text }}' }, message('hola mundo'));
  assert.equal(out.status, 'sent');
  assert.equal(received[0]?.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(new URLSearchParams(received[0]!.body).get('msg'), 'hola mundo');
});

test('5xx and 429 are transient, other 4xx permanent, a refused connection transient', async () => {
  const cases: [number, boolean][] = [[500, true], [503, true], [429, true], [400, false], [401, false], [404, false]];
  for (const [status, transient] of cases) {
    nextAnswer = { status, body: { error: 'nope' } };
    const out = await sendWith(jsonConfig(), message('x'));
    assert.ok(out.status === 'failed', `${status}`);
    assert.equal(out.transient, transient, `${status}`);
    assert.match(out.error, new RegExp(`HTTP ${status}`));
  }
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const out = await sendWith({ ...jsonConfig(), url: `http://127.0.0.1:${port}/` }, message('x'));
  assert.ok(out.status === 'failed');
  assert.equal(out.transient, true);
});

test('a loopback provider is refused unless the operator allows it (permanent failure)', async () => {
  received.length = 0;
  const strict = createHttpSmsProvider({ ssrfAllow: [] });
  const out = await sendWith(jsonConfig(), message('x'), strict);
  assert.ok(out.status === 'failed');
  assert.equal(out.transient, false);
  assert.equal(received.length, 0);
  await assert.rejects(Promise.resolve(strict.validateConfig!(jsonConfig())), (e: AppError) => e.details[0]?.field === 'config.url');
});

test('config: a hook secret is generated, header values and the secret are write-only, a bad template is named', async () => {
  const { hook_secret: _drop, ...withoutSecret } = jsonConfig();
  const prepared = await sms.prepareConfig!(withoutSecret);
  assert.ok(prepared.hook_secret && prepared.hook_secret.length >= 32);
  assert.deepEqual(sms.secrets, ['headers.*', 'hook_secret']);
  await sms.validateConfig!(jsonConfig());
  await assert.rejects(Promise.resolve(sms.validateConfig!({ ...jsonConfig(), body: '{"text": "{{ text | nosuchfilter }}"}' })), (e: AppError) => e.details[0]?.field === 'config.body');
  await assert.rejects(Promise.resolve(sms.validateConfig!({ ...jsonConfig(), headers: { 'Bad Header': 'x' } })), (e: AppError) => e.details[0]?.field === 'config.headers.Bad Header');
});

test('a provider id missing from the answer still counts as sent', async () => {
  nextAnswer = { status: 200, body: { result: 'ok' } };
  const out = await sendWith(jsonConfig(), message('x'));
  assert.ok(out.status === 'sent');
  assert.equal(out.providerIds, undefined);
});

// The receipt hook: a public route that finds the account from the channel and checks the token.
let t: TestApp;
let hooks: FastifyInstance;
const reports: ProviderReport[] = [];
const SECRET = 'hook-secret-for-the-test-channel';

async function insertChannel(id: string, type: string, config: object): Promise<void> {
  await t.db.pool.query(`INSERT INTO channels (account_id, id, name, type, kind, config) VALUES ($1, $2, $3, $4, 'sms', $5)`, [t.accountId, id, id, type, config]);
}

test('hook: setup', async () => {
  t = await createTestApp();
  hooks = Fastify();
  installErrorHandling(hooks);
  await hooks.register(smsHookRoutes, {
    deps: t.deps,
    report: async (r) => {
      if (r.messageId === 'msg_unknown') throw new AppError(404, 'not_found', 'message not found');
      reports.push(r);
    },
  });
  await insertChannel(CHANNEL, 'http_sms', { ...jsonConfig(), hook_secret: SECRET });
  await insertChannel('chn_SMPP', 'smpp', { hook_secret: SECRET });
});

after(async () => {
  await hooks?.close();
  await t?.close();
});

test('hook: a good token reports the receipt (JSON with our id, form-encoded with the provider id)', async () => {
  const token = hookToken(SECRET, t.accountId, CHANNEL);
  const r1 = await hooks.inject({ method: 'POST', url: `/hooks/sms/${CHANNEL}/${token}`, payload: { message_id: 'msg_1', status: 'delivered' } });
  assert.equal(r1.statusCode, 200, r1.body);
  const r2 = await hooks.inject({
    method: 'POST', url: `/hooks/sms/${CHANNEL}/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'id=prov-77&status=UNDELIV&error=21',
  });
  assert.equal(r2.statusCode, 200, r2.body);
  assert.equal(reports.length, 2);
  assert.deepEqual({ ...reports[0], at: undefined }, { accountId: t.accountId, channelId: CHANNEL, messageId: 'msg_1', type: 'delivered', at: undefined, detail: { status: 'delivered', error: null } });
  assert.deepEqual({ ...reports[1], at: undefined }, { accountId: t.accountId, channelId: CHANNEL, providerId: 'prov-77', type: 'failed', at: undefined, detail: { status: 'UNDELIV', error: '21' } });
});

test('hook: a bad token, another channel\'s token, an unknown channel and a non-http_sms channel are 404 and report nothing', async () => {
  reports.length = 0;
  const good = hookToken(SECRET, t.accountId, CHANNEL);
  const urls = [
    `/hooks/sms/${CHANNEL}/${good.slice(0, -1)}A`,
    `/hooks/sms/${CHANNEL}/short`,
    `/hooks/sms/${CHANNEL}/${hookToken(SECRET, 'acc_OTHER', CHANNEL)}`,
    `/hooks/sms/chn_NOPE/${good}`,
    `/hooks/sms/chn_SMPP/${hookToken(SECRET, t.accountId, 'chn_SMPP')}`,
  ];
  for (const url of urls) {
    const r = await hooks.inject({ method: 'POST', url, payload: { message_id: 'msg_1', status: 'delivered' } });
    assert.equal(r.statusCode, 404, url);
  }
  assert.equal(reports.length, 0);
});

test('hook: intermediate states are acknowledged and ignored; unknown states and missing ids are 422', async () => {
  reports.length = 0;
  const url = `/hooks/sms/${CHANNEL}/${hookToken(SECRET, t.accountId, CHANNEL)}`;
  const ignored = await hooks.inject({ method: 'POST', url, payload: { id: 'p1', status: 'sent' } });
  assert.equal(ignored.statusCode, 200);
  assert.deepEqual(ignored.json(), { ok: true, ignored: true });
  assert.equal((await hooks.inject({ method: 'POST', url, payload: { id: 'p1', status: 'teleported' } })).statusCode, 422);
  assert.equal((await hooks.inject({ method: 'POST', url, payload: { status: 'delivered' } })).statusCode, 422);
  assert.equal((await hooks.inject({ method: 'POST', url, payload: { message_id: 'msg_unknown', status: 'delivered' } })).statusCode, 404);
  assert.equal(reports.length, 0);
});
