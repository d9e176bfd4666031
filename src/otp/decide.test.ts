// The pure parts of OTP: verification order, fallback moves, codes, hashes and sealing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideVerify, nextMove, type FallbackState } from './decide.js';
import { canonicalContext, generateCode, hashCode, maskCode, sameHash, spokenCode } from './code.js';
import { resolveOptions } from './options.js';
import { deriveKeys, parseMasterKey, seal, unseal } from '../core/server-keys.js';
import { slidingRetryAfter, windowStart } from './limits.js';

const now = new Date('2026-11-25T12:00:00Z');
const later = new Date('2026-11-25T12:10:00Z');

test('verify: used beats expired, dead stays dead, expired counts no attempt, the last wrong one says 0 left', () => {
  const pending = { status: 'pending' as const, attempts: 0, maxAttempts: 2, expiresAt: later };
  assert.deepEqual(decideVerify(pending, now, true), { answer: { valid: true }, change: { kind: 'attempt', attempts: 1, status: 'verified' } });
  assert.deepEqual(decideVerify(pending, now, false).answer, { valid: false, reason: 'invalid', attempts_left: 1 });
  assert.deepEqual(decideVerify({ ...pending, attempts: 1 }, now, false), { answer: { valid: false, reason: 'invalid', attempts_left: 0 }, change: { kind: 'attempt', attempts: 2, status: 'too_many_attempts' } });
  assert.deepEqual(decideVerify({ ...pending, status: 'too_many_attempts', attempts: 2 }, now, true).answer, { valid: false, reason: 'too_many_attempts' });
  assert.deepEqual(decideVerify({ ...pending, status: 'verified' }, new Date(later.getTime() + 1), true).answer, { valid: false, reason: 'already_used' });
  assert.deepEqual(decideVerify(pending, later, true), { answer: { valid: false, reason: 'expired' }, change: { kind: 'attempt', attempts: 0, status: 'expired' } });
  assert.deepEqual(decideVerify({ ...pending, status: 'undeliverable' }, now, true).answer, { valid: true }, 'a code that got through after all still verifies');
});

const base: FallbackState = {
  status: 'pending', expiresAt: later, plan: ['push', 'email', 'sms'], step: 0,
  last: { status: 'sent', queuedAt: now }, timeoutsSeconds: { push: 10, email: 60, sms: 30, voice: 60 }, allFailed: false,
};
const at = (s: number) => new Date(now.getTime() + s * 1000);

test('fallback: waits out the channel timeout, moves on at once on failure, stops when delivered or ended', () => {
  assert.deepEqual(nextMove(base, at(5)), { kind: 'wait', until: at(10) });
  assert.deepEqual(nextMove(base, at(10)), { kind: 'send', step: 1 });
  assert.deepEqual(nextMove({ ...base, last: { status: 'failed', queuedAt: now } }, at(1)), { kind: 'send', step: 1 });
  assert.deepEqual(nextMove({ ...base, last: { status: 'delivered', queuedAt: now } }, at(100)), { kind: 'stop' });
  assert.deepEqual(nextMove({ ...base, status: 'verified' }, at(100)), { kind: 'stop' });
  assert.deepEqual(nextMove(base, later), { kind: 'end', status: 'expired' });
  assert.deepEqual(nextMove({ ...base, step: 2, last: { status: 'sent', queuedAt: now } }, at(29)), { kind: 'wait', until: at(30) });
  assert.deepEqual(nextMove({ ...base, step: 2, last: { status: 'sent', queuedAt: now } }, at(30)), { kind: 'exhausted', undeliverable: false });
  assert.deepEqual(nextMove({ ...base, step: 2, allFailed: true, last: { status: 'bounced', queuedAt: now } }, at(1)), { kind: 'exhausted', undeliverable: true });
});

test('codes: uniform over the alphabet, right length, code points not bytes', () => {
  const alphabet = [...'ABCDEFGHJKÑ'];
  const counts = new Map<string, number>();
  for (let i = 0; i < 2000; i++) for (const s of [...generateCode(10, alphabet)]) counts.set(s, (counts.get(s) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), [...alphabet].sort());
  for (const n of counts.values()) assert.ok(n > 20000 / 11 * 0.85 && n < 20000 / 11 * 1.15, `roughly uniform: ${n}`);
  let i = 0;
  assert.equal(generateCode(4, [...'0123456789'], () => [0, 4, 2, 9][i++]!), '0429');
  assert.deepEqual(maskCode('0429'), { code: '****', spoken: '*, *, *, *' });
  assert.equal(spokenCode('0429'), '0, 4, 2, 9');
});

test('hashes bind the code to the OTP and its context; sealing detects another row or key', () => {
  const keys = deriveKeys(parseMasterKey('a'.repeat(64)), 'env');
  const h = hashCode(keys.otpHmac, 'otp_1', '123456', { amount: '10', payee: 'X' });
  assert.ok(sameHash(h, hashCode(keys.otpHmac, 'otp_1', '123456', { payee: 'X', amount: '10' })), 'key order does not matter');
  assert.ok(!sameHash(h, hashCode(keys.otpHmac, 'otp_2', '123456', { amount: '10', payee: 'X' })), 'another OTP');
  assert.ok(!sameHash(h, hashCode(keys.otpHmac, 'otp_1', '123456', { amount: '11', payee: 'X' })), 'another payment');
  assert.ok(!sameHash(h, hashCode(keys.otpHmac, 'otp_1', '123456', null)));
  assert.equal(canonicalContext(null), '');
  const other = deriveKeys(parseMasterKey('b'.repeat(64)), 'env');
  assert.ok(!sameHash(h, hashCode(other.otpHmac, 'otp_1', '123456', { amount: '10', payee: 'X' })), 'another installation');
  const sealed = seal(keys.seal, '123456', 'otp:a:otp_1');
  assert.equal(unseal(keys.seal, sealed, 'otp:a:otp_1'), '123456');
  assert.throws(() => unseal(keys.seal, sealed, 'otp:a:otp_2'));
  assert.throws(() => unseal(other.seal, sealed, 'otp:a:otp_1'));
  assert.throws(() => parseMasterKey('c2hvcnQ='), /at least 32 bytes/);
});

test('options: defaults and ranges', () => {
  const o = resolveOptions({ to: { phone: '+573001234567' }, channels: ['sms'] });
  assert.deepEqual([o.length, o.ttlSeconds, o.maxAttempts, o.alphabet.join('')], [6, 600, 5, '0123456789']);
  assert.throws(() => resolveOptions({ to: { phone: 'x' }, channels: ['sms'], alphabet: 'AABBCCDDEEFF' }), /alphabet: repeats a symbol/);
  assert.throws(() => resolveOptions({ to: { phone: 'x' }, channels: ['sms'], length: 11 }), /length: must be between 4 and 10/);
});

test('limits: retry-after of a sliding window and the start of a fixed one', () => {
  assert.equal(slidingRetryAfter(new Date(now.getTime() - 590_000), { max: 5, window_seconds: 600 }, now), 10);
  assert.equal(windowStart(new Date('2026-11-25T12:00:59Z'), 60).toISOString(), '2026-11-25T12:00:00.000Z');
});
