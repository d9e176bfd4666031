import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from './errors.js';
import { assertSafeUrl, isSsrfError, parseAllowList, refusalReason, safeFetch } from './ssrf.js';

let server: Server;
let port = 0;
const hits: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return;
    }
    if (req.url === '/slow') return; // never answers
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-echo': req.headers['x-test'] ?? '' }).end(JSON.stringify({ body })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const none = { allow: [] };

test('refuses loopback, private, link-local/metadata, ULA, mapped and special addresses', () => {
  for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '255.255.255.255',
    '224.0.0.1', '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::127.0.0.1',
    '64:ff9b::a00:1', '2002:7f00:1::1', '2001:db8::1', '198.18.0.1']) {
    assert.ok(refusalReason(a, none), `${a} must be refused`);
  }
  for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
    assert.equal(refusalReason(a, none), undefined, `${a} is public`);
  }
});

test('the allow list opens exactly its ranges, IPv4 entries also covering their mapped IPv6 form', () => {
  const allow = parseAllowList(' 10.20.0.0/16, 127.0.0.1 fd00::/8');
  assert.deepEqual(allow, ['10.20.0.0/16', '127.0.0.1/32', 'fd00::/8']);
  assert.equal(refusalReason('10.20.3.4', { allow }), undefined);
  assert.ok(refusalReason('10.21.3.4', { allow }));
  assert.equal(refusalReason('127.0.0.1', { allow }), undefined);
  assert.equal(refusalReason('::ffff:127.0.0.1', { allow }), undefined);
  assert.ok(refusalReason('127.0.0.2', { allow }));
  assert.equal(refusalReason('fd00::1', { allow }), undefined);
  assert.ok(refusalReason('fc00::1', { allow }));
  assert.deepEqual(parseAllowList(undefined), []);
  assert.deepEqual(parseAllowList(''), []);
  assert.throws(() => parseAllowList('10.0.0.0/33'), /CONVERSA_SSRF_ALLOW/);
  assert.throws(() => parseAllowList('intranet'), /CONVERSA_SSRF_ALLOW/);
});

test('assertSafeUrl: 422 naming the field for refused hosts, bad schemes and bad URLs', async () => {
  const cases = ['http://127.0.0.1/x', 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/', 'http://[fd00::1]/',
    'http://[::ffff:127.0.0.1]/', 'http://localhost:8080/', 'http://2130706433/', 'http://0x7f.1/', 'ftp://example.com/', 'file:///etc/passwd', 'not a url'];
  for (const url of cases) {
    await assert.rejects(assertSafeUrl(url, 'config.url', none), (err: unknown) => {
      assert.ok(err instanceof AppError, url);
      assert.equal(err.status, 422);
      assert.equal(err.details[0]?.field, 'config.url');
      return true;
    }, url);
  }
  await assertSafeUrl('https://93.184.215.14/hook', 'config.url', none);
  await assertSafeUrl('http://127.0.0.1:9/', 'config.url', { allow: ['127.0.0.0/8'] });
  await assertSafeUrl('http://localhost:9/', 'config.url', { allow: parseAllowList('127.0.0.0/8,::1') });
});

test('safeFetch refuses literals and hostnames that resolve inside (checked at connect), and sends nothing', async () => {
  const before = hits.length;
  for (const url of [`http://127.0.0.1:${port}/a`, `http://localhost:${port}/a`, `http://[::ffff:127.0.0.1]:${port}/a`]) {
    await assert.rejects(safeFetch(url, { method: 'POST', body: 'x' }, none), (err: unknown) => {
      assert.ok(isSsrfError(err), `${url}: ${String(err)}`);
      return true;
    });
  }
  await assert.rejects(safeFetch('ftp://example.com/', {}, none), TypeError);
  assert.equal(hits.length, before, 'the server saw no request');
});

test('safeFetch through the allow list: posts the body and headers, returns a Response', async () => {
  const allow = parseAllowList('127.0.0.1,::1');
  for (const host of ['127.0.0.1', 'localhost']) {
    const res = await safeFetch(`http://${host}:${port}/echo`, { method: 'POST', headers: { 'X-Test': 'yes', 'content-type': 'text/plain' }, body: 'hello' }, { allow });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-echo'), 'yes');
    assert.deepEqual(await res.json(), { body: 'hello' });
  }
});

test('safeFetch does not follow redirects and times out', async () => {
  const allow = ['127.0.0.1/32'];
  const before = hits.length;
  const res = await safeFetch(`http://127.0.0.1:${port}/redirect`, {}, { allow });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), 'http://169.254.169.254/latest/meta-data/');
  assert.equal(hits.length, before + 1);
  const t0 = Date.now();
  await assert.rejects(safeFetch(`http://127.0.0.1:${port}/slow`, { timeoutMs: 200 }, { allow }), { code: 'ETIMEDOUT' });
  assert.ok(Date.now() - t0 < 2000);
});
