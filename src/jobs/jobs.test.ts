import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../test-support/db.js';
import { createLogger } from '../core/logger.js';
import { newId } from '../core/ids.js';
import { enqueueJob, JobRunner } from './index.js';
import { claimJobs } from './sql/claim-jobs.js';

let db: TestDatabase;
const account = newId('acc');
const log = createLogger('silent');
before(async () => {
  db = await createTestDatabase();
  await db.pool.query(`INSERT INTO accounts (id, name) VALUES ($1, 'Jobs')`, [account]);
});
after(async () => { await db.drop(); });

const status = async (id: string) =>
  (await db.pool.query(`SELECT status, attempts, last_error FROM jobs WHERE id = $1`, [id])).rows[0];

test('a job is claimed once even by two claimers at the same time', async () => {
  const ids = await Promise.all(Array.from({ length: 20 }, () => enqueueJob(db.pool, { accountId: account, kind: 'race' })));
  const [a, b] = await Promise.all([
    claimJobs(db.pool, { kinds: ['race'], limit: 20, workerId: 'a', leaseSeconds: 60 }),
    claimJobs(db.pool, { kinds: ['race'], limit: 20, workerId: 'b', leaseSeconds: 60 }),
  ]);
  const all = [...a, ...b].map((j) => j.id).sort();
  assert.deepEqual(all, [...ids].sort());
});

test('an expired lease (a dead worker) makes the job claimable again', async () => {
  const id = await enqueueJob(db.pool, { accountId: account, kind: 'lease' });
  const first = await claimJobs(db.pool, { kinds: ['lease'], limit: 1, workerId: 'dead', leaseSeconds: 1 });
  assert.equal(first[0]?.id, id);
  assert.equal((await claimJobs(db.pool, { kinds: ['lease'], limit: 1, workerId: 'x', leaseSeconds: 60 })).length, 0);
  await new Promise((r) => setTimeout(r, 1100));
  const again = await claimJobs(db.pool, { kinds: ['lease'], limit: 1, workerId: 'x', leaseSeconds: 60 });
  assert.equal(again[0]?.id, id);
  assert.equal(again[0]?.attempts, 2);
});

test('the runner is woken by NOTIFY, runs handlers, retries failures with backoff', async () => {
  const seen: string[] = [];
  let failures = 0;
  const runner = new JobRunner({
    pool: db.pool, log, pollMs: 60_000, // a long poll: only NOTIFY can wake it in time
    handlers: {
      ok: async ({ job }) => { seen.push(job.id); },
      flaky: async () => { failures++; throw new Error('provider down'); },
    },
  });
  await runner.start();
  const okId = await enqueueJob(db.pool, { accountId: account, kind: 'ok' });
  const flakyId = await enqueueJob(db.pool, { accountId: account, kind: 'flaky', maxAttempts: 3 });
  const deadline = Date.now() + 5000;
  while ((seen.length === 0 || failures === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await runner.stop();
  assert.deepEqual(seen, [okId]);
  assert.equal((await status(okId)).status, 'done');
  const f = await status(flakyId);
  assert.equal(f.status, 'queued', 'retried later, not failed yet');
  assert.equal(f.last_error, 'provider down');
  const due = (await db.pool.query(`SELECT due_at > now() AS later FROM jobs WHERE id = $1`, [flakyId])).rows[0];
  assert.equal(due.later, true);
});

test('stop() lets a handler reach a safe point and hands its job back at once', async () => {
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const runner = new JobRunner({
    pool: db.pool, log, pollMs: 50,
    handlers: {
      long: async ({ signal }) => {
        started();
        while (!signal.aborted) await new Promise((r) => setTimeout(r, 10));
        return 'released';
      },
    },
  });
  await runner.start();
  const id = await enqueueJob(db.pool, { accountId: account, kind: 'long' });
  await running;
  await runner.stop();
  const s = await status(id);
  assert.equal(s.status, 'queued');
  const again = await claimJobs(db.pool, { kinds: ['long'], limit: 1, workerId: 'next', leaseSeconds: 60 });
  assert.equal(again[0]?.id, id, 'another worker can take it immediately');
});
