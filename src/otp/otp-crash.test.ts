// The OTP fallback worker SIGKILLed mid-way: every OTP still gets its email and then its SMS,
// each once (one message per OTP and step), and the sinks never receive a message twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { spawnWorkerProcess } from '../test-support/worker-process.js';

const OTPS = 300;

let t: TestApp;
before(async () => { t = await createTestApp({ sandbox: true }); });
after(async () => { await t.close(); });

test('a worker killed during the fallbacks: every OTP gets one email and one SMS, none twice', { timeout: 180_000 }, async () => {
  const ids: string[] = [];
  for (let i = 0; i < OTPS; i++) {
    // The email is not confirmed within 1 s (email has no receipts): the SMS follows.
    const r = await t.call('POST', '/v1/otp', {
      to: { email: `cliente${i}@example.com`, phone: `+57300${String(2_000_000 + i)}` }, channels: ['email', 'sms'], timeouts_seconds: { email: 1 },
    });
    assert.equal(r.statusCode, 201, r.body);
    ids.push(r.json<{ id: string }>().id);
  }
  const count = async (sql: string) => (await t.db.pool.query<{ n: number }>(sql)).rows[0]!.n;
  const smsSent = () => count(`SELECT count(*)::int AS n FROM otp_deliveries WHERE channel_type = 'sms' AND outcome = 'sent'`);

  const { child, exited, stderr } = spawnWorkerProcess(t.db.url, t.deps.sandbox!);
  for (let i = 0; i < 1500 && (await smsSent()) < OTPS / 4; i++) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited;
  const atKill = await smsSent();
  assert.ok(atKill > 0 && atKill < OTPS, `killed mid-way (${atKill} of ${OTPS} fallbacks sent) ${stderr()}`);

  await t.startWorkers(); // takes over once the dead worker's 3 s leases expire
  for (let i = 0; i < 600 && (await smsSent()) < OTPS; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await smsSent(), OTPS, 'every OTP fell back to its SMS');
  const perOtp = (await t.db.pool.query<{ email: number; sms: number; otps: number }>(
    `SELECT email, sms, count(*)::int AS otps FROM (
       SELECT otp_id, count(*) FILTER (WHERE channel_type = 'email')::int AS email, count(*) FILTER (WHERE channel_type = 'sms')::int AS sms
       FROM otp_deliveries WHERE outcome = 'sent' GROUP BY otp_id) d GROUP BY email, sms`)).rows;
  assert.deepEqual(perOtp, [{ email: 1, sms: 1, otps: OTPS }], 'one email and one SMS per OTP, none twice');
  const messages = await count(`SELECT count(*)::int AS n FROM messages WHERE source ? 'otp_id'`);
  assert.equal(messages, OTPS * 2);
  for (let i = 0; i < 600 && (await count('SELECT count(*)::int AS n FROM outbox')) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  const sink = (await t.db.pool.query<{ n: number; dups: number }>('SELECT count(*)::int AS n, coalesce(sum(duplicates), 0)::int AS dups FROM sandbox_messages')).rows[0]!;
  assert.equal(sink.n, OTPS * 2, 'the mailbox and the SMSC got every one');
  const views = await Promise.all(ids.slice(0, 5).map((id) => t.call('GET', `/v1/otp/${id}`)));
  for (const v of views) assert.equal(v.json<{ channel: string }>().channel, 'sms');
});
