import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { spawnWorkerProcess } from '../../test-support/worker-process.js';

const TOTAL = 10_000;

let t: TestApp;
before(async () => { t = await createTestApp({ sandbox: true }); });
after(async () => { await t.close(); });

test('a dispatch worker SIGKILLed mid-send: nothing lost, nothing delivered twice under one message id', { timeout: 240_000 }, async () => {
  const sandbox = t.deps.sandbox!;
  // 10,000 queued messages, half email, half SMS, written set-based as the API would leave them.
  await t.db.pool.query(
    `INSERT INTO messages (account_id, id, channel_id, channel_type, to_address, category, content, status)
     SELECT $1, 'msg_crash_' || i, CASE WHEN i % 2 = 0 THEN 'sandbox_email' ELSE 'sandbox_sms' END,
       CASE WHEN i % 2 = 0 THEN 'email' ELSE 'sms' END,
       CASE WHEN i % 2 = 0 THEN 'c' || i || '@example.com' ELSE '+5730' || lpad(i::text, 8, '0') END,
       'transactional', jsonb_build_object('subject', 'Recibo ' || i, 'text', 'Retiro ' || i), 'queued'
     FROM generate_series(1, $2) AS i`, [t.accountId, TOTAL]);
  await t.db.pool.query(
    `INSERT INTO outbox (account_id, message_id, channel_id) SELECT account_id, id, channel_id FROM messages WHERE account_id = $1`, [t.accountId]);

  const { child, exited, stderr: errors } = spawnWorkerProcess(t.db.url, sandbox);

  const received = async () => (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sandbox_messages')).rows[0]!.n;
  for (let i = 0; i < 6000 && (await received()) < 1500; i++) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited;
  const atKill = await received();
  assert.ok(atKill >= 1500 && atKill < TOTAL, `killed mid-send (${atKill} of ${TOTAL} received): ${errors()}`);
  // What the dead worker had in hand: claimed, perhaps handed to a provider, not recorded.
  const inFlight = new Set((await t.db.pool.query<{ message_id: string }>('SELECT message_id FROM outbox WHERE locked_by IS NOT NULL')).rows.map((r) => r.message_id));

  await t.startWorkers(); // takes over once the dead worker's 3 s leases expire
  for (let i = 0; i < 2400; i++) {
    const left = (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n;
    if (left === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const sink = (await t.db.pool.query<{ rows: number; ids: number; dups: number }>(
    'SELECT count(*)::int AS rows, count(DISTINCT message_id)::int AS ids, coalesce(sum(duplicates), 0)::int AS dups FROM sandbox_messages')).rows[0]!;
  assert.equal(sink.ids, TOTAL, 'every message reached its sink: none lost');
  assert.equal(sink.rows, TOTAL);
  const statuses = (await t.db.pool.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM messages GROUP BY status ORDER BY status`)).rows;
  const sentOrBetter = statuses.filter((s) => s.status === 'sent' || s.status === 'delivered').reduce((a, s) => a + s.n, 0);
  assert.equal(sentOrBetter, TOTAL, JSON.stringify(statuses));
  const sentEvents = (await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM message_events WHERE type = 'sent'`)).rows[0]!.n;
  assert.equal(sentEvents, TOTAL, 'one sent event per message');
  // A re-delivery can only be a message the dead worker held; it carried the same id, so a
  // provider honouring the idempotency key (as the sinks do) dropped it.
  const dupIds = (await t.db.pool.query<{ message_id: string }>('SELECT message_id FROM sandbox_messages WHERE duplicates > 0')).rows;
  for (const d of dupIds) assert.ok(inFlight.has(d.message_id), `${d.message_id} was re-sent though the dead worker did not hold it`);
  assert.ok(sink.dups <= inFlight.size, `${sink.dups} re-deliveries for ${inFlight.size} in flight`);
});
