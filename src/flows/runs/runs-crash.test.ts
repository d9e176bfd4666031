import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { spawnWorkerProcess } from '../../test-support/worker-process.js';
import { fireDueEntries } from '../entries/scheduler.js';

const RUNS = 3_000;

let t: TestApp;
before(async () => { t = await createTestApp({ sandbox: true }); });
after(async () => { await t.close(); });

test('a flow worker SIGKILLed mid-way: every run finishes, every step once, one message per send step', { timeout: 240_000 }, async () => {
  const listId = (await t.call('POST', '/v1/lists', { name: 'L', key_field: 'doc', default_country: 'CO', fields: [{ key: 'doc', type: 'text' }, { key: 'tier', type: 'text' }, { key: 'notified', type: 'boolean' }] })).json().id;
  await t.db.pool.query(
    `INSERT INTO contacts (account_id, id, list_id, key_value, data)
     SELECT $1, 'ct_crash_' || i, $2, i::text, jsonb_build_object('doc', i::text, 'tier', CASE WHEN i % 2 = 0 THEN 'gold' ELSE 'std' END, 'phone', '+5730' || lpad(i::text, 8, '0'))
     FROM generate_series(1, $3) AS i`, [t.accountId, listId, RUNS]);
  const tpl = (await t.call('POST', '/v1/templates', { name: 'Aviso', channel_type: 'sms', body: 'Hola {{ contact.doc }}' })).json().id;
  const segment = (await t.call('POST', `/v1/lists/${listId}/segments`, { name: 'all', filter: { field: 'doc', op: 'is_not_empty' } })).json().id;
  const flow = await t.call('POST', '/v1/flows', {
    name: 'Five steps', list_id: listId, definition: {
      entry: { type: 'broadcast', segment_id: segment, at: new Date().toISOString() },
      nodes: [
        { id: 'pause', type: 'wait', seconds: 0, next: 'tier' },
        { id: 'tier', type: 'branch', branches: [{ filter: { field: 'tier', op: 'eq', value: 'gold' }, next: 'send' }], default: 'send' },
        { id: 'send', type: 'send', channel_type: 'sms', template_id: tpl, category: 'transactional', next: 'mark' },
        { id: 'mark', type: 'update_contact', set: { notified: true }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    },
  });
  assert.equal(flow.statusCode, 201, flow.body);
  const flowId = flow.json().id;
  assert.equal((await t.call('POST', `/v1/flows/${flowId}/publish`)).statusCode, 201);
  await fireDueEntries(t.deps);
  const count = async (sql: string) => (await t.db.pool.query<{ n: number }>(sql, [flowId])).rows[0]!.n;
  assert.equal(await count('SELECT count(*)::int AS n FROM flow_runs WHERE flow_id = $1'), RUNS);

  const sandbox = t.deps.sandbox!;
  const { child, exited, stderr: errors } = spawnWorkerProcess(t.db.url, sandbox);
  const done = () => count(`SELECT count(*)::int AS n FROM flow_runs WHERE flow_id = $1 AND status = 'done'`);
  for (let i = 0; i < 1500 && (await done()) < RUNS / 5; i++) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited;
  const atKill = await done();
  const states = (await t.db.pool.query(`SELECT status, node, count(*)::int AS n FROM flow_runs WHERE flow_id = $1 GROUP BY 1, 2`, [flowId])).rows;
  assert.ok(atKill > 0 && atKill < RUNS, `killed mid-way (${atKill} of ${RUNS} runs done): ${JSON.stringify(states)} ${errors()}`);

  await t.startWorkers(); // takes over once the dead worker's 3 s leases expire
  for (let i = 0; i < 2400 && (await done()) < RUNS; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await done(), RUNS, 'every run finished');
  const perRun = (await t.db.pool.query<{ steps: number; runs: number }>(
    `SELECT steps, count(*)::int AS runs FROM (SELECT run_id, count(*)::int AS steps FROM flow_run_steps WHERE flow_id = $1 GROUP BY run_id) s GROUP BY steps`, [flowId])).rows;
  assert.equal(perRun.length, 1, `every run took the same number of steps: ${JSON.stringify(perRun)}`);
  const messages = (await t.db.pool.query<{ n: number; runs: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT source ->> 'run_id')::int AS runs FROM messages WHERE source ->> 'flow_id' = $1`, [flowId])).rows[0]!;
  assert.deepEqual(messages, { n: RUNS, runs: RUNS }, 'one message per run: none twice, none lost');
  // A run is done once its message is queued; the outbox sends it a moment later.
  for (let i = 0; i < 1200 && (await count('SELECT count(*)::int AS n FROM outbox WHERE $1::text IS NOT NULL')) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  const sink = (await t.db.pool.query<{ n: number; dups: number }>('SELECT count(*)::int AS n, coalesce(sum(duplicates), 0)::int AS dups FROM sandbox_messages')).rows[0]!;
  assert.equal(sink.n, RUNS, 'the SMSC got every one');
  const notified = await count(`SELECT count(*)::int AS n FROM contacts c JOIN flow_runs r ON r.contact_id = c.id AND r.flow_id = $1 WHERE (c.data ->> 'notified')::boolean`);
  assert.equal(notified, RUNS);
});
