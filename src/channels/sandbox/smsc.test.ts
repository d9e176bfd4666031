import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test-support/db.js';
import { createLogger } from '../../core/logger.js';
import { systemClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { ChannelConnection, ChannelContext, OutgoingMessage, ProviderReport, SendOutcome } from '../port.js';
import { createSmppProvider, type SmppConfig } from '../sms/smpp.js';
import { startSandboxSmsc, type SandboxSmsc } from './smsc.js';

// The SMPP provider against the sandbox SMSC: real PDUs over TCP, the sink's rows in PostgreSQL.

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const ACCOUNT = 'acc_SANDBOXTEST';
let db: TestDatabase;
let smsc: SandboxSmsc;
let conn: ChannelConnection;
const reports: ProviderReport[] = [];

function message(text: string, to = '+573001234567'): OutgoingMessage {
  return {
    id: newId('msg'), accountId: ACCOUNT, contactId: null, to, category: 'transactional',
    content: { text }, attachments: [], headers: {}, data: {}, links: {},
  };
}

async function send(...batch: OutgoingMessage[]): Promise<SendOutcome[]> {
  return conn.send(batch, new AbortController().signal);
}

async function sinkRows(messageId: string) {
  const { rows } = await db.pool.query<{ to_address: string; text: string; duplicates: number; channel_type: string }>(
    'SELECT to_address, text, duplicates, channel_type FROM sandbox_messages WHERE account_id = $1 AND message_id = $2',
    [ACCOUNT, messageId],
  );
  return rows;
}

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  db = await createTestDatabase();
  smsc = await startSandboxSmsc({ pool: db.pool, log, receiptDelayMs: 20 });
  const ctx: ChannelContext = {
    pool: db.pool, log, clock: systemClock, accountId: ACCOUNT, channelId: 'sandbox_sms', publicUrl: 'http://127.0.0.1:8080',
    report: async (r) => { reports.push(r); },
  };
  const config: SmppConfig = { host: '127.0.0.1', port: smsc.port, system_id: ACCOUNT, password: 'sandbox', source_addr: 'Conversa', window: 50 };
  conn = await createSmppProvider().connect(config, ctx);
});

after(async () => {
  await conn?.close();
  await smsc?.close();
  await db?.drop();
});

test('a short GSM-7 message: one part, recorded once under the account, receipt reported', async () => {
  const m = message('Su codigo es 123456. No lo comparta: {Banco} [€] ~ Señor');
  const [out] = await send(m);
  assert.equal(out?.status, 'sent', JSON.stringify(out));
  assert.ok(out.status === 'sent');
  assert.equal(out.segments, 1);
  assert.equal(out.providerIds?.length, 1);
  const rows = await sinkRows(m.id);
  assert.deepEqual(rows, [{ to_address: '+573001234567', text: m.content.text, duplicates: 0, channel_type: 'sms' }]);
  await until('the receipt', () => reports.some((r) => r.providerId === out.providerIds![0]));
  const r = reports.find((x) => x.providerId === out.providerIds![0])!;
  assert.equal(r.type, 'delivered');
  assert.equal(r.accountId, ACCOUNT);
  assert.equal(r.channelId, 'sandbox_sms');
  assert.equal(r.detail?.stat, 'DELIVRD');
});

test('UCS-2: characters outside GSM-7 arrive intact', async () => {
  const m = message('Señor ñandú ✓');
  const [out] = await send(m);
  assert.equal(out?.status, 'sent');
  assert.equal((await sinkRows(m.id))[0]?.text, 'Señor ñandú ✓');
});

test('a 400-character message goes as 3 parts, is reassembled into one row, and each part gets a receipt', async () => {
  const text = Array.from({ length: 40 }, (_, i) => `linea ${String(i).padStart(3, '0')}`).join(' ').padEnd(400, '.');
  assert.equal(text.length, 400);
  const m = message(text);
  const [out] = await send(m);
  assert.ok(out?.status === 'sent', JSON.stringify(out));
  assert.equal(out.segments, 3);
  assert.equal(new Set(out.providerIds).size, 3);
  const rows = await sinkRows(m.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.text, text);
  await until('three receipts', () => out.providerIds!.every((id) => reports.some((r) => r.providerId === id && r.type === 'delivered')));
});

test('a long UCS-2 message with emoji across part boundaries reassembles exactly', async () => {
  const text = ('Pago recibido ✓ 😀 ').repeat(12);
  const m = message(text);
  const [out] = await send(m);
  assert.ok(out?.status === 'sent');
  assert.ok((out.segments ?? 0) > 1);
  assert.equal((await sinkRows(m.id))[0]?.text, text);
});

test('a batch: every message gets its own row; a resend of the same id is a duplicate, not a new row', async () => {
  const batch = Array.from({ length: 12 }, (_, i) => message(`Mensaje ${i}`, `+5730000000${String(i).padStart(2, '0')}`));
  const outs = await send(...batch);
  assert.deepEqual(outs.map((o) => o.status), batch.map(() => 'sent'));
  for (const [i, m] of batch.entries()) {
    assert.deepEqual((await sinkRows(m.id)).map((r) => [r.to_address, r.text, r.duplicates]), [[m.to, `Mensaje ${i}`, 0]]);
  }
  await send(batch[0]!);
  const again = await sinkRows(batch[0]!.id);
  assert.equal(again.length, 1);
  assert.equal(again[0]?.duplicates, 1);
});

test('an invalid destination fails permanently without reaching the SMSC', async () => {
  const m = message('hola', 'not-a-phone');
  const [out] = await send(m);
  assert.ok(out?.status === 'failed');
  assert.equal(out.transient, false);
  assert.equal((await sinkRows(m.id)).length, 0);
});
