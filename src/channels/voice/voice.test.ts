import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { ProviderReport } from '../port.js';
import { outgoing, pluginApp, recordingServer, testContext, testDeps } from '../../test-support/channels.js';
import { createVoiceProvider, voiceHookRoutes, type VoiceConfig } from './index.js';

let t: Awaited<ReturnType<typeof testDeps>>;
let hooks: FastifyInstance;
let srv: Awaited<ReturnType<typeof recordingServer>>;
const reports: ProviderReport[] = [];
const provider = createVoiceProvider({ ssrfAllow: ['127.0.0.1/32'] });
let config: VoiceConfig;
const channelId = 'ch_voice1';

before(async () => {
  t = await testDeps();
  srv = await recordingServer((r, res) => {
    if (r.url === '/down') return void res.writeHead(503).end();
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ call_id: `call_${JSON.parse(r.body.toString()).id}` }));
  });
  config = await provider.prepareConfig!({ url: `${srv.base}/calls`, headers: { 'X-Api-Key': 'provider-key' }, language: 'es-CO' });
  await provider.validateConfig!(config);
  await t.db.pool.query(`INSERT INTO channels (account_id, id, name, type, kind, config) VALUES ($1, $2, 'IVR', 'voice', 'voice', $3)`,
    [t.accountId, channelId, JSON.stringify(config)]);
  hooks = await pluginApp(t.deps, async (app) => {
    await app.register(voiceHookRoutes, { deps: t.deps, report: async (r) => { reports.push(r); } });
  });
});
after(async () => {
  await hooks.close();
  await srv.close();
  await t.db.drop();
});

const signal = new AbortController().signal;

test('places a call: text or audio, language, signed callback URL; the call id becomes the provider id', async () => {
  assert.ok(config.hook_secret && config.hook_secret.length >= 32);
  assert.deepEqual(provider.secrets, ['headers.*', 'hook_secret']);
  const { ctx } = testContext({ accountId: t.accountId, channelId, publicUrl: 'https://conversa.example.com/' });
  const conn = await provider.connect(config, ctx);
  const out = await conn.send([
    outgoing('msg_v1', { to: '+573001234567', content: { text: 'Su código es 1 2 3' } }),
    outgoing('msg_v2', { to: '+573001234568', content: { text: 'ignored', audio_url: 'https://cdn.example.com/a.mp3' }, data: { language: 'en' } }),
  ], signal);
  assert.deepEqual(out.map((o) => o.status === 'sent' && o.providerIds), [['call_msg_v1'], ['call_msg_v2']]);
  const bodies = srv.received.map((r) => JSON.parse(r.body.toString()) as Record<string, string>);
  const v1 = bodies.find((b) => b.id === 'msg_v1')!;
  const v2 = bodies.find((b) => b.id === 'msg_v2')!;
  assert.deepEqual(Object.keys(v1).sort(), ['callback_url', 'id', 'language', 'text', 'to']);
  assert.equal(v1.text, 'Su código es 1 2 3');
  assert.equal(v1.language, 'es-CO');
  assert.match(v1.callback_url!, new RegExp(`^https://conversa\\.example\\.com/hooks/voice/${channelId}/msg_v1/[0-9a-f]{64}$`));
  assert.equal(v2.audio_url, 'https://cdn.example.com/a.mp3');
  assert.equal(v2.text, undefined);
  assert.equal(v2.language, 'en');
  assert.equal(srv.received[0]!.headers['x-api-key'], 'provider-key');
  assert.equal(srv.received[0]!.headers['content-type'], 'application/json');

  const down = await provider.connect({ ...config, url: `${srv.base}/down` }, ctx);
  const [o] = await down.send([outgoing('msg_v3')], signal);
  assert.ok(o?.status === 'failed' && o.transient);
});

test('the hook: keys pressed → answered, call status → delivered/failed; a wrong token is 403', async () => {
  const { ctx } = testContext({ accountId: t.accountId, channelId, publicUrl: 'https://conversa.example.com' });
  await (await provider.connect(config, ctx)).send([outgoing('msg_h1', { to: '+573001234567' })], signal);
  const sent = JSON.parse(srv.received.at(-1)!.body.toString()) as { callback_url: string };
  const path = new URL(sent.callback_url).pathname;
  reports.length = 0;

  let r = await hooks.inject({ method: 'POST', url: path, payload: { digits: '1' } });
  assert.equal(r.statusCode, 204, r.body);
  r = await hooks.inject({ method: 'POST', url: path, payload: { status: 'completed' } });
  assert.equal(r.statusCode, 204, r.body);
  r = await hooks.inject({ method: 'POST', url: path, payload: { status: 'busy' } });
  assert.equal(r.statusCode, 204, r.body);
  assert.deepEqual(reports.map((x) => ({ ...x, at: undefined })), [
    { accountId: t.accountId, channelId, messageId: 'msg_h1', type: 'answered', at: undefined, detail: { digits: '1' } },
    { accountId: t.accountId, channelId, messageId: 'msg_h1', type: 'delivered', at: undefined, detail: { status: 'completed' } },
    { accountId: t.accountId, channelId, messageId: 'msg_h1', type: 'failed', at: undefined, detail: { status: 'busy' } },
  ]);

  const token = path.split('/').at(-1)!;
  const wrongToken = path.replace(token, token.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
  const otherMessage = path.replace('/msg_h1/', '/msg_other/');
  for (const url of [wrongToken, otherMessage, path.replace(token, 'short')]) {
    r = await hooks.inject({ method: 'POST', url, payload: { digits: '9' } });
    assert.equal(r.statusCode, 403, url);
  }
  r = await hooks.inject({ method: 'POST', url: path.replace(channelId, 'ch_nope'), payload: { digits: '9' } });
  assert.equal(r.statusCode, 404);
  r = await hooks.inject({ method: 'POST', url: path, payload: { digits: 'abc' } });
  assert.equal(r.statusCode, 400);
  r = await hooks.inject({ method: 'POST', url: path, payload: {} });
  assert.equal(r.statusCode, 422);
  assert.equal(reports.length, 3, 'nothing reported for refused callbacks');
});

test('SSRF: the provider URL is checked like a webhook', async () => {
  const strict = createVoiceProvider({ ssrfAllow: [] });
  await assert.rejects(async () => strict.validateConfig!({ url: 'http://10.0.0.1/calls' }), { status: 422 });
});
