import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeSms, encodeGsm7, isGsm7, splitSms } from './encoding.js';
import { formatReceiptText, parseReceiptText, receiptType } from './receipts.js';
import { Pacer, Window, backoffMs } from './flow-control.js';

test('GSM-7 covers the default alphabet and the extension table; anything else is UCS-2', () => {
  assert.equal(isGsm7('Hola Señor, su saldo es $1.000 @ 5% {ok} [€]'), true);
  assert.equal(isGsm7('Señor ñandú ✓'), false, 'ú is not in GSM-7, ✓ neither');
  assert.equal(isGsm7('emoji 😀'), false);
  assert.equal(isGsm7('\x1b'), false, 'ESC is not a character');
  assert.deepEqual([...encodeGsm7('@A€')], [0x00, 0x41, 0x1b, 0x65]);
});

test('a message that fits is one part without UDH; the limits are 160 septets / 70 UCS-2 units', () => {
  const [one] = encodeSms('a'.repeat(160), 7);
  assert.equal(encodeSms('a'.repeat(160), 7).length, 1);
  assert.equal(one!.esmClass, 0);
  assert.equal(one!.dataCoding, 0);
  assert.equal(one!.payload.length, 160);
  assert.equal(encodeSms('a'.repeat(161), 7).length, 2);
  // Extension characters count two septets: 80 × '€' is 160 septets, 81 is not.
  assert.equal(encodeSms('€'.repeat(80), 7).length, 1);
  assert.equal(encodeSms('€'.repeat(81), 7).length, 2);
  const ucs = encodeSms('✓'.repeat(70), 7);
  assert.equal(ucs.length, 1);
  assert.equal(ucs[0]!.dataCoding, 8);
  assert.equal(ucs[0]!.payload.length, 140);
  assert.equal(encodeSms('✓'.repeat(71), 7).length, 2);
});

test('long messages split into 153/67 parts with an 8-bit concatenation UDH', () => {
  const text = 'x'.repeat(400);
  const parts = encodeSms(text, 42);
  assert.equal(parts.length, 3);
  parts.forEach((p, i) => {
    assert.equal(p.esmClass, 0x40);
    assert.deepEqual([...p.payload.subarray(0, 6)], [0x05, 0x00, 0x03, 42, 3, i + 1]);
  });
  assert.deepEqual(parts.map((p) => p.payload.length - 6), [153, 153, 94]);
  assert.equal(parts.map((p) => p.text).join(''), text);
});

test('a part never ends inside an extension escape or a surrogate pair', () => {
  // 152 septets then '€' (2 septets): the euro must move whole to part 2.
  const gsm = 'a'.repeat(152) + '€' + 'b'.repeat(20);
  const g = splitSms(gsm);
  assert.equal(g[0], 'a'.repeat(152));
  assert.ok(g[1]!.startsWith('€'));
  const gp = encodeSms(gsm, 1);
  assert.equal(gp[0]!.payload.length - 6, 152);
  assert.notEqual(gp[0]!.payload.at(-1), 0x1b);

  // 66 UTF-16 units then an emoji (a surrogate pair): the pair must not straddle parts.
  const ucs = 'ñ'.repeat(66) + '😀' + 'ñ'.repeat(10);
  const u = splitSms(ucs);
  assert.equal(u[0], 'ñ'.repeat(66));
  assert.ok(u[1]!.startsWith('😀'));
  for (const part of encodeSms(ucs, 1)) {
    const units = part.payload.subarray(6);
    const last = units.readUInt16BE(units.length - 2);
    assert.ok(last < 0xd800 || last > 0xdbff, 'no part ends with a high surrogate');
  }
  assert.equal(u.join(''), ucs);
});

test('receipt text parses up to text:, and statuses map to report types', () => {
  const raw = formatReceiptText({ id: 'abc123', stat: 'UNDELIV', err: '012', submitted: new Date('2025-01-02T03:04:05Z'), done: new Date('2025-01-02T03:05:06Z'), text: 'stat:DELIVRD id:zzz' });
  const r = parseReceiptText(raw);
  assert.equal(r.id, 'abc123');
  assert.equal(r.stat, 'UNDELIV', 'the excerpt after text: is not read');
  assert.equal(r.err, '012');
  assert.equal(r.submitDate, '250102030405');
  assert.equal(receiptType('DELIVRD'), 'delivered');
  assert.equal(receiptType('delivered'), 'delivered');
  for (const s of ['UNDELIV', 'REJECTD', 'EXPIRED', 'DELETED', 'UNKNOWN', 'failed']) assert.equal(receiptType(s), 'failed', s);
  assert.equal(receiptType('ACCEPTD'), null);
  assert.equal(receiptType('ENROUTE'), null);
  assert.equal(receiptType('bogus'), undefined);
});

test('window hands permits over in order; pacer spaces requests; backoff grows and caps', async () => {
  const w = new Window(2);
  await w.acquire();
  await w.acquire();
  let third = false;
  const p = w.acquire().then(() => { third = true; });
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false);
  w.release();
  await p;
  assert.equal(third, true);
  assert.equal(w.outstanding, 2);

  let now = 0;
  const slept: number[] = [];
  const pacer = new Pacer(4, () => now, async (ms) => { slept.push(ms); now += ms; });
  await Promise.all([pacer.take(), pacer.take(), pacer.take()]);
  assert.deepEqual(slept, [250, 250]);
  now += 1000;
  await pacer.take();
  assert.equal(slept.length, 2, 'after a quiet second, no wait');
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(pacer.take(aborted.signal), /aborted/);

  assert.equal(backoffMs(0, 100, 1000, () => 1), 100);
  assert.equal(backoffMs(3, 100, 1000, () => 1), 800);
  assert.equal(backoffMs(10, 100, 1000, () => 1), 1000);
  assert.equal(backoffMs(10, 100, 1000, () => 0), 500);
});
