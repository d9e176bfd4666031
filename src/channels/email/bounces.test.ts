import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { startBounceReceiver } from './bounces.js';
import { createLogger } from '../../core/logger.js';
import type { ProviderReport } from '../port.js';

const ACC = 'acc_01JF7Z3K8Q2M4N6P8R0T2V4X6Y';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.eml`, import.meta.url));
const reports: ProviderReport[] = [];
let failNext = false;
let receiver: Awaited<ReturnType<typeof startBounceReceiver>>;

before(async () => {
  receiver = await startBounceReceiver({
    port: 0, host: '127.0.0.1', log: createLogger('silent'),
    report: async (r) => {
      if (failNext) {
        failNext = false;
        throw new Error('database down');
      }
      reports.push(r);
    },
  });
});
after(async () => { await receiver.close(); });

/** Delivers a fixture the way a remote MTA returns a bounce: null sender, to the VERP address. */
async function deliver(name: string, to: string) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true, logger: false });
  try {
    return await t.sendMail({ envelope: { from: '', to: [to] }, raw: fixture(name) });
  } finally {
    t.close();
  }
}
const verp = (msg: string) => `bounce+${ACC}.${msg}@bounces.conversa.example`;

test('each fixture over SMTP → the right report (or none)', async () => {
  reports.length = 0;
  await deliver('hard-bounce', verp('msg_01JF7Z3M1A2B3C4D5E6F7G8H9J'));
  await deliver('soft-bounce', verp('msg_01JF7Z3N5K6M7N8P9Q0R1S2T3V'));
  await deliver('delayed', verp('msg_01JF7Z3P0W1X2Y3Z4A5B6C7D8E'));
  // Feedback loops write to a fixed address; the VERP address is inside the report.
  await deliver('arf-abuse', 'bounce@bounces.conversa.example');
  await deliver('not-a-report', verp('msg_01JF7Z3R7S8T9V0W1X2Y3Z4A5B'));
  assert.deepEqual(reports.map((r) => [r.accountId, r.messageId, r.type, r.detail?.class ?? r.detail?.feedback_type, r.detail?.status]), [
    [ACC, 'msg_01JF7Z3M1A2B3C4D5E6F7G8H9J', 'bounced', 'hard', '5.1.1'],
    [ACC, 'msg_01JF7Z3N5K6M7N8P9Q0R1S2T3V', 'bounced', 'soft', '4.2.2'],
    [ACC, 'msg_01JF7Z3Q2G3H4J5K6M7N8P9Q0R', 'complained', 'abuse', undefined],
  ]);
  assert.ok(reports.every((r) => r.at instanceof Date));
});

test('mail for any other mailbox is refused at RCPT TO', async () => {
  await assert.rejects(deliver('hard-bounce', 'ceo@bounces.conversa.example'), (err: { responseCode?: number }) => err.responseCode === 550);
});

test('when the report cannot be recorded the sender gets 451 and may retry; the retry is recorded', async () => {
  reports.length = 0;
  failNext = true;
  await assert.rejects(deliver('hard-bounce', verp('msg_01JF7Z3M1A2B3C4D5E6F7G8H9J')), (err: { responseCode?: number }) => err.responseCode === 451);
  await deliver('hard-bounce', verp('msg_01JF7Z3M1A2B3C4D5E6F7G8H9J'));
  assert.equal(reports.length, 1);
});

test('a mail over the size limit is refused with 552 and reported to no one', async () => {
  const small = await startBounceReceiver({ port: 0, host: '127.0.0.1', log: createLogger('silent'), maxBytes: 1000, report: async (r) => { reports.push(r); } });
  reports.length = 0;
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: small.port, secure: false, ignoreTLS: true, logger: false });
  try {
    await assert.rejects(
      t.sendMail({ envelope: { from: '', to: [verp('msg_01JF7Z3M1A2B3C4D5E6F7G8H9J')] }, raw: fixture('hard-bounce') }),
      (err: { responseCode?: number }) => err.responseCode === 552,
    );
  } finally {
    t.close();
    await small.close();
  }
  assert.equal(reports.length, 0);
});
