import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { maskEmail, maskPhone, maskPii } from './mask.js';
import { newId } from './ids.js';
import { loadConfig } from './config.js';

test('PII masks', () => {
  assert.equal(maskEmail('ana.perez@banco.co'), 'a***@banco.co');
  assert.equal(maskPhone('+573001234567'), '+57***67');
  assert.equal(maskPii('sent to ana.perez@banco.co and +57 300 123 4567'), 'sent to a***@banco.co and +57***67');
});

test('ids are prefixed, unique and time-ordered', () => {
  const a = newId('ct', 1_700_000_000_000);
  const b = newId('ct', 1_700_000_000_001);
  assert.match(a, /^ct_[0-9A-Z]{26}$/);
  assert.ok(a < b);
  assert.notEqual(newId('ct'), newId('ct'));
});

test('config: defaults and bad values', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.bootstrap.email, 'admin@localhost');
  assert.equal(c.publicUrl, 'http://127.0.0.1:8080');
  assert.equal(c.importBodyLimit, 100 * 1024 * 1024);
  assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
});

test('the logger redacts secrets and masks PII in messages', async () => {
  const { createLogger } = await import('./logger.js');
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const log = createLogger('info', sink);
  log.info({ req: { headers: { authorization: 'Bearer cv_secret' } }, user: { password: 'hunter2' } }, 'message for ana@banco.co');
  const out = lines.join('');
  assert.equal(out.includes('cv_secret'), false);
  assert.equal(out.includes('hunter2'), false);
  assert.equal(out.includes('ana@banco.co'), false);
  assert.match(out, /a\*\*\*@banco.co/);
});
