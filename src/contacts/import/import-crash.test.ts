import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { createLogger } from '../../core/logger.js';
import { JobRunner } from '../../jobs/index.js';
import { importJobHandlers } from './routes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const src = (p: string) => new URL(`../../${p}`, import.meta.url).href;

/** A worker process of its own, as `conversa worker` would run, with a 2 s lease. */
const WORKER = `
import { createPool } from '${src('db/index.ts')}';
import { JobRunner } from '${src('jobs/index.ts')}';
import { loadConfig } from '${src('core/config.ts')}';
import { createLogger } from '${src('core/logger.ts')}';
import { systemClock } from '${src('core/clock.ts')}';
import { createMetrics } from '${src('http/metrics.ts')}';
import { importJobHandlers } from '${src('contacts/import/routes.ts')}';
const pool = createPool(process.env.DATABASE_URL, 4);
const log = createLogger('silent');
const deps = { pool, config: loadConfig(), log, clock: systemClock, metrics: createMetrics(pool) };
await new JobRunner({ pool, log, handlers: importJobHandlers(deps), pollMs: 50, leaseSeconds: 2 }).start();
`;

let t: TestApp;
const apps: TestApp[] = [];
after(async () => { for (const a of apps) await a.close(); });

const TOTAL = 50_000;

/** 50k rows: every 10th repeats an earlier key (an update), every 1000th has a bad email. */
function bigCsv(): { csv: string; distinctValid: number; bad: number } {
  const lines = ['doc,nombre,email,saldo'];
  const keys = new Set<string>();
  let bad = 0;
  for (let i = 0; i < TOTAL; i++) {
    const doc = i % 10 === 9 ? String(i - 5) : String(i);
    const invalid = i % 1000 === 500;
    if (invalid) bad++;
    else keys.add(doc);
    lines.push(`${doc},Cliente ${i},${invalid ? 'not-an-email' : `c${i}@example.com`},${i}.5`);
  }
  return { csv: lines.join('\n') + '\n', distinctValid: keys.size, bad };
}

async function startBigImport(): Promise<{ id: string; distinctValid: number; bad: number }> {
  t = await createTestApp({ config: { workers: { enabled: true, pollMs: 100, leaseSeconds: 2 } } });
  apps.push(t);
  const list = await t.call('POST', '/v1/lists', { name: 'Big', key_field: 'doc', fields: [
    { key: 'doc', label: 'Doc', type: 'text' }, { key: 'nombre', label: 'Nombre', type: 'text' }, { key: 'saldo', label: 'Saldo', type: 'number' }] });
  const { csv, distinctValid, bad } = bigCsv();
  const up = await t.call('POST', `/v1/lists/${list.json().id}/imports`, csv, { headers: { 'content-type': 'text/csv' } });
  assert.equal(up.statusCode, 202, up.body);
  return { id: up.json().id, distinctValid, bad };
}

/** Polls the import until `done` (or `failed`), then checks every row was counted exactly once. */
async function expectCountedOnce(id: string, distinctValid: number, bad: number, attempts: number): Promise<void> {
  let final = await importRow(id);
  for (let i = 0; i < 1200 && final.status !== 'done' && final.status !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    final = await importRow(id);
  }
  assert.equal(final.status, 'done');
  assert.equal(final.rows, TOTAL);
  assert.equal(final.inserted, distinctValid);
  assert.equal(final.rejected, bad);
  assert.equal(final.inserted + final.updated + final.rejected, TOTAL);
  const counts = await t.db.pool.query<{ contacts: number; errors: number; chunks: number; attempts: number }>(
    `SELECT (SELECT count(*) FROM contacts) AS contacts,
       (SELECT count(*) FROM import_errors WHERE import_id = $1) AS errors,
       (SELECT count(*) FROM import_chunks WHERE import_id = $1) AS chunks,
       (SELECT attempts FROM jobs WHERE payload->>'import_id' = $1) AS attempts`, [id]);
  assert.deepEqual(counts.rows[0], { contacts: distinctValid, errors: bad, chunks: 0, attempts });
  const last = await t.db.pool.query<{ saldo: number }>(`SELECT (data->>'saldo')::numeric AS saldo FROM contacts WHERE key_value = '4'`);
  assert.equal(Number(last.rows[0]!.saldo), 9.5, 'the later row for a repeated key wins');
}

const importRow = async (id: string) =>
  (await t.db.pool.query<{ status: string; rows: number; inserted: number; updated: number; rejected: number }>(
    'SELECT status, rows, inserted, updated, rejected FROM imports WHERE id = $1', [id])).rows[0]!;

test('a worker killed mid-import: another resumes after the lease and every row counts exactly once', { timeout: 180_000 }, async () => {
  const { id, distinctValid, bad } = await startBigImport();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WORKER], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: t.db.url }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  // Progress is visible through the API while the job runs; kill the worker part-way.
  let seen: { status: string; rows: number } | undefined;
  for (let i = 0; i < 3000 && !seen; i++) {
    const view = (await t.call('GET', `/v1/imports/${id}`)).json();
    if (view.rows > 0) seen = view;
    else await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await exited;
  assert.ok(seen, `the worker made no progress: ${stderr}`);
  assert.equal(seen.status, 'running');
  const killedAt = await importRow(id);
  assert.ok(killedAt.rows > 0 && killedAt.rows < TOTAL, `killed mid-way (rows ${killedAt.rows} of ${TOTAL}); raise TOTAL if the worker is too fast`);
  assert.equal(killedAt.status, 'running');
  const { rows: [partial] } = await t.db.pool.query<{ n: number }>('SELECT count(*) AS n FROM contacts');
  assert.equal(partial!.n, killedAt.inserted, 'what was committed is exactly what was counted');

  // A worker in this process takes the job over once the dead worker's lease runs out.
  await t.startWorkers();
  await expectCountedOnce(id, distinctValid, bad, 2);
});

test('a worker shutting down hands the import back at a batch boundary; the next one finishes it', { timeout: 180_000 }, async () => {
  const { id, distinctValid, bad } = await startBigImport();
  const log = createLogger('silent');
  const runner = new JobRunner({ pool: t.db.pool, log, handlers: importJobHandlers(t.deps), pollMs: 50, leaseSeconds: 30 });
  await runner.start();
  while ((await importRow(id)).rows === 0) await new Promise((r) => setTimeout(r, 10));
  await runner.stop();
  const stopped = await importRow(id);
  assert.ok(stopped.rows > 0 && stopped.rows < TOTAL, `stopped mid-way (rows ${stopped.rows})`);
  const job = await t.db.pool.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM jobs WHERE payload->>'import_id' = $1`, [id]);
  assert.deepEqual(job.rows[0], { status: 'queued', attempts: 0 }, 'released at once, not left to its lease');
  await t.startWorkers();
  await expectCountedOnce(id, distinctValid, bad, 1);
});
