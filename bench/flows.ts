// Flow-run benchmark: N contacts (100,000) through a five-step flow — wait 0 s → branch on a
// field → send to the sandbox (SMS or email by the branch) → update a field → exit — started by a
// broadcast to a segment of all of them, against a raw `SKIP LOCKED` claim-and-update loop over
// as many rows in the same database, in the same run.
//
//   npm run build && npx tsx bench/flows.ts [--rows 100000] [--target server|embedded] [--workers 1|2]
//     [--kill] [--cpu-prof] [--database-url postgres://postgres@127.0.0.1:5432/test] [--keep]
//
// --workers 2 starts a second `conversa worker` process beside `conversa start` (same database,
// the sandbox's ports) and checks that no message was sent twice. --kill SIGKILLs the process
// that runs the flow workers half-way (the `worker` one with --workers 2, else `start`) and
// restarts it: every run must still end with every step recorded once and one message each.
// Target (issue): ≥ 20,000 run-steps/s and ≥ 40 % of the raw loop, memory flat.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { newId } from '../src/core/ids.js';
import { freePort } from '../src/db/embedded.js';
import { profilesIn } from './cpu-profile.js';
import {
  dropUnlessKept, readStatus, withConversaOutput,
  BIN, CpuMeter, DEFAULT_SERVER_URL, ROOT, apiClient, checkBuild, cleanupOnSignal, conversaPids, createBenchDatabase, fmtInt, load1, mb,
  perSec, postgresPids, secs, sleep, stderrLog, table, withClient,
  type Api, type BenchDatabase, type ConversaChild, type Log, type Target, startConversaChild,
} from './lib.js';

export const TARGETS = { stepsPerSecond: 20_000, rawRatio: 0.4 } as const;
/** FlowWorker's default: loops claiming batches side by side in one process (src/flows/runs/worker.ts). */
export const WORKER_LOOPS = 2;
/** FlowWorker's default claim size. */
export const CLAIM_BATCH = 100;

// ---- contacts, by COPY -----------------------------------------------------------------------

/** The bench list: a key, a name, a tier the branch reads, a flag the flow sets. */
export const BENCH_LIST = {
  name: 'Bench flujos', key_field: 'doc', default_country: 'CO',
  fields: [{ key: 'doc', type: 'text' }, { key: 'nombre', type: 'text' }, { key: 'nivel', type: 'text' }, { key: 'contactado', type: 'boolean' }],
};

/** Contact i as stored (normalised: E.164 phone, lower-case email); every other one is "oro". */
export function benchContact(i: number): { doc: string; data: Record<string, string> } {
  const doc = String(10_000_000 + i);
  return {
    doc,
    data: { doc, nombre: `Cliente ${i}`, nivel: i % 2 === 0 ? 'oro' : 'plata', phone: `+57300${String(i).padStart(7, '0')}`, email: `cliente${i}@example.com` },
  };
}

const csvQuote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** COPYs `rows` bench contacts into a list (ids time-ordered, as bench/segment.ts explains). Returns their ids in order. */
export async function copyBenchContacts(databaseUrl: string, listId: string, rows: number): Promise<{ ids: string[]; ms: number }> {
  return withClient(databaseUrl, async (c) => {
    const { rows: found } = await c.query<{ account_id: string }>('SELECT account_id FROM lists WHERE id = $1', [listId]);
    const accountId = found[0]?.account_id;
    if (!accountId) throw new Error(`list ${listId} not found`);
    const ids: string[] = [];
    const t0 = performance.now();
    async function* lines(): AsyncGenerator<string> {
      let chunk = '';
      for (let i = 0; i < rows; i++) {
        const id = newId('ct');
        ids.push(id);
        const { doc, data } = benchContact(i);
        chunk += `${accountId},${id},${listId},${csvQuote(doc)},${csvQuote(JSON.stringify(data))}\n`;
        if ((i + 1) % 1_000 === 0) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    const copy = c.query(copyFrom('COPY contacts (account_id, id, list_id, key_value, data) FROM STDIN WITH (FORMAT csv)'));
    await pipeline(Readable.from(lines()), copy);
    await c.query('ANALYZE contacts');
    return { ids, ms: performance.now() - t0 };
  });
}

// ---- the flow --------------------------------------------------------------------------------

export function benchDefinition(segmentId: string, smsTemplate: string, emailTemplate: string) {
  return {
    // A broadcast at a moment already past when published: it fires at once. entry_rule "once": a broadcast over FIRE_LIMIT (50,000) contacts is
    // fired again at once for the rest, and the default "every_time" would start the same
    // contacts again on every firing (see docs/benchmarks.md, "Flows").
    entry: { type: 'broadcast', segment_id: segmentId, at: new Date().toISOString() },
    entry_rule: 'once',
    nodes: [
      { id: 'pausa', type: 'wait', seconds: 0, next: 'nivel' },
      { id: 'nivel', type: 'branch', branches: [{ filter: { field: 'nivel', op: 'eq', value: 'oro' }, next: 'sms' }], default: 'correo' },
      { id: 'sms', type: 'send', channel_type: 'sms', template_id: smsTemplate, category: 'transactional', next: 'marcar' },
      { id: 'correo', type: 'send', channel_type: 'email', template_id: emailTemplate, category: 'transactional', next: 'marcar' },
      { id: 'marcar', type: 'update_contact', set: { contactado: true }, next: 'fin' },
      { id: 'fin', type: 'exit' },
    ],
  };
}

interface Setup { accountId: string; listId: string; flowId: string; contactIds: string[]; loadMs: number; expectedSteps: number }

/** List, contacts, templates, segment and the flow (a draft); the expected steps per run come from the simulator. */
async function setUp(api: Api, databaseUrl: string, rows: number, log: Log): Promise<Setup> {
  const list = await api.call<{ id: string; account_id?: string }>('POST', '/v1/lists', BENCH_LIST);
  log(`  loading ${fmtInt(rows)} contacts by COPY …`);
  const { ids, ms } = await copyBenchContacts(databaseUrl, list.id, rows);
  const sms = await api.call<{ id: string }>('POST', '/v1/templates', { name: 'Aviso', channel_type: 'sms', body: 'Hola {{ contact.nombre }}, su extracto está listo.' });
  const email = await api.call<{ id: string }>('POST', '/v1/templates', {
    name: 'Extracto', channel_type: 'email', subject: 'Su extracto, {{ contact.nombre }}', body: '<p>Hola {{ contact.nombre }}, su extracto está listo.</p>',
  });
  const seg = await api.call<{ id: string }>('POST', `/v1/lists/${list.id}/segments`, { name: 'Todos', filter: { field: 'doc', op: 'is_not_empty' } });
  await indexBuildsSettled(databaseUrl);
  const flow = await api.call<{ id: string }>('POST', '/v1/flows', { name: 'Bench flujos', list_id: list.id, definition: benchDefinition(seg.id, sms.id, email.id) });
  // What the engine records per run, for both branches: the count every run must end with.
  const counts = new Set<number>();
  for (const i of [0, 1]) {
    const sim = await api.call<{ timeline: unknown[] }>('POST', `/v1/flows/${flow.id}/simulate`, { contact: benchContact(i).data });
    counts.add(sim.timeline.length);
  }
  if (counts.size !== 1) throw new Error(`the two branches take different numbers of steps: ${[...counts].join(', ')}`);
  const accountId = await withClient(databaseUrl, async (c) =>
    (await c.query<{ account_id: string }>('SELECT account_id FROM lists WHERE id = $1', [list.id])).rows[0]!.account_id);
  return { accountId, listId: list.id, flowId: flow.id, contactIds: ids, loadMs: ms, expectedSteps: [...counts][0]! };
}

/** Saving a segment builds its field indexes in the background: let them finish before timing. */
async function indexBuildsSettled(databaseUrl: string, timeoutMs = 120_000): Promise<void> {
  await withClient(databaseUrl, async (c) => {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (quiet < 4 && Date.now() < deadline) {
      const { rows } = await c.query(`SELECT 1 FROM pg_stat_progress_create_index WHERE relid = 'contacts'::regclass`);
      quiet = rows.length === 0 ? quiet + 1 : 0;
      await sleep(500);
    }
  });
}

// ---- a second `conversa worker` process ------------------------------------------------------

interface WorkerProcess { pid: number; child: ChildProcess; output(): string; stop(signal?: NodeJS.Signals): Promise<number | null> }

function startWorkerProcess(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'worker'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-16_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const forget = cleanupOnSignal(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  return {
    pid: child.pid!, child, output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      forget();
      return code;
    },
  };
}


// ---- the raw baseline ------------------------------------------------------------------------

const RAW_RUNS = 'bench_raw_runs';
const RAW_STEPS = 'bench_raw_steps';

/**
 * The least a run-step needs from PostgreSQL: `loops` clients side by side, each claiming 100
 * due rows (`FOR UPDATE SKIP LOCKED`, a lease) and committing them as ended — one claim and one
 * update per batch, each its own commit, on a table shaped like `flow_runs` with its due index.
 * Counted as rows × steps-per-run. With `withPath`, the update's transaction also inserts each
 * row's path rows (like `flow_run_steps`): what recording the path costs on top.
 */
export async function rawClaimLoop(databaseUrl: string, rows: number, stepsPerRun: number, loops: number, withPath: boolean): Promise<{ ms: number; rows: number }> {
  await withClient(databaseUrl, async (c) => {
    await c.query(`DROP TABLE IF EXISTS ${RAW_RUNS}, ${RAW_STEPS}`);
    await c.query(`CREATE TABLE ${RAW_RUNS} (account_id text NOT NULL, id text NOT NULL, status text NOT NULL, due_at timestamptz, iteration integer NOT NULL DEFAULT 0,
      vars jsonb NOT NULL DEFAULT '{}', locked_by text, locked_until timestamptz, updated_at timestamptz, PRIMARY KEY (account_id, id))`);
    await c.query(`CREATE INDEX ON ${RAW_RUNS} (due_at) WHERE status IN ('active', 'waiting') AND due_at IS NOT NULL`);
    await c.query(`CREATE TABLE ${RAW_STEPS} (account_id text NOT NULL, run_id text NOT NULL, iteration integer NOT NULL, node_id text NOT NULL, at timestamptz NOT NULL,
      PRIMARY KEY (account_id, run_id, iteration))`);
    await c.query(`INSERT INTO ${RAW_RUNS} (account_id, id, status, due_at, vars)
      SELECT 'acc_bench', 'run_' || replace(gen_random_uuid()::text, '-', ''), 'active', now(), '{"loops":{}}' FROM generate_series(1, $1)`, [rows]);
    await c.query(`VACUUM ANALYZE ${RAW_RUNS}`);
  });
  const clients = await Promise.all(Array.from({ length: loops }, async () => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    return c;
  }));
  let done = 0;
  const t0 = performance.now();
  try {
    await Promise.all(clients.map(async (c, n) => {
      for (;;) {
        const claimed = await c.query<{ id: string; iteration: number }>(
          `WITH due AS (SELECT account_id, id FROM ${RAW_RUNS}
             WHERE due_at <= now() AND status IN ('active', 'waiting') AND (locked_until IS NULL OR locked_until < now())
             ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE ${RAW_RUNS} r SET locked_by = $1, locked_until = now() + interval '60 seconds' FROM due
           WHERE r.account_id = due.account_id AND r.id = due.id RETURNING r.id, r.iteration`,
          [`raw-${n}`, CLAIM_BATCH]);
        if (claimed.rows.length === 0) return;
        const ids = claimed.rows.map((r) => r.id);
        if (withPath) await c.query('BEGIN');
        await c.query(
          `UPDATE ${RAW_RUNS} r SET status = 'done', due_at = NULL, iteration = r.iteration + $2, locked_by = NULL, locked_until = NULL, updated_at = now()
           FROM unnest($1::text[]) AS u(id) WHERE r.account_id = 'acc_bench' AND r.id = u.id`,
          [ids, stepsPerRun]);
        if (withPath) {
          await c.query(
            `INSERT INTO ${RAW_STEPS} (account_id, run_id, iteration, node_id, at)
             SELECT 'acc_bench', u.id, s, 'n' || s, now() FROM unnest($1::text[]) AS u(id), generate_series(1, $2) AS s`,
            [ids, stepsPerRun]);
          await c.query('COMMIT');
        }
        done += ids.length;
      }
    }));
    return { ms: performance.now() - t0, rows: done };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

// ---- the bench -------------------------------------------------------------------------------

export interface RssSample { at: number; doneRuns: number; rss: number; workerRss: number }

export interface FlowFigures {
  target: Target;
  rows: number;
  workers: number;
  killed: boolean;
  loadMs: number;
  expectedStepsPerRun: number;
  /** publish → every run ended. */
  elapsedMs: number;
  /** First run created → last run ended (the database's own clock). */
  runWindowMs: number;
  runs: { total: number; done: number; other: Record<string, number> };
  steps: number;
  stepsPerSecond: number;
  runsPerSecond: number;
  badRuns: number;
  messages: { total: number; byStatus: Record<string, number>; duplicateKeys: number; runsWithoutOne: number };
  sandbox: { received: number; duplicates: number; drainedMs: number | null };
  raw: { ms: number; rows: number; stepsPerSecond: number };
  rawWithPath: { ms: number; rows: number; stepsPerSecond: number };
  ratio: number;
  memory: { before: number; peak: number; samples: RssSample[]; workerPeak: number };
  cpu: { conversa: number; postgres: number };
  perRun: { commits: number; tuplesWritten: Record<string, number> };
  /** The CPU profiles (--cpu-prof) of the Conversa process(es), summarised. */
  profile?: string;
  loadAvg: [number, number];
}

export interface FlowBenchOptions {
  rows: number;
  target: Target;
  serverUrl?: string;
  workers?: 1 | 2;
  kill?: boolean;
  cpuProfDir?: string;
  keep?: boolean;
  log?: Log;
}

const TABLES = ['flow_runs', 'flow_run_steps', 'messages', 'outbox', 'message_events', 'contacts', 'flow_run_wakes'] as const;

async function dbStats(c: pg.Client): Promise<{ commits: number; tuples: Record<string, number> }> {
  const x = await c.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()');
  const t = await c.query<{ relname: string; n: string }>(
    'SELECT relname, n_tup_ins + n_tup_upd + n_tup_del AS n FROM pg_stat_user_tables WHERE relname = ANY($1::text[])', [[...TABLES]]);
  return { commits: Number(x.rows[0]?.n ?? 0), tuples: Object.fromEntries(t.rows.map((r) => [r.relname, Number(r.n)])) };
}

export async function runFlowBench(opts: FlowBenchOptions): Promise<FlowFigures> {
  const log = opts.log ?? stderrLog;
  const workers = opts.workers ?? 1;
  checkBuild(log);
  let db: BenchDatabase | undefined;
  if (opts.target === 'server') db = await createBenchDatabase(opts.serverUrl ?? DEFAULT_SERVER_URL);
  let child: ConversaChild | undefined;
  let worker: WorkerProcess | undefined;
  const [smtpPort, smppPort] = [await freePort(), await freePort()];
  const sandboxEnv = { CONVERSA_SANDBOX: '1', CONVERSA_SANDBOX_SMTP_PORT: String(smtpPort), CONVERSA_SANDBOX_SMPP_PORT: String(smppPort) };
  // A killed worker's claimed runs wait out their lease: a short one keeps the --kill run short.
  const env: NodeJS.ProcessEnv = { ...sandboxEnv, ...(opts.kill ? { CONVERSA_LEASE_SECONDS: '5' } : {}) };
  const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  try {
    child = await startConversaChild({ target: opts.target, databaseUrl: db?.url, log, env, nodeArgs });
    const dbUrl = child.databaseUrl;
    const api = apiClient(child.url, child.apiKey);
    log(`[${opts.target}] setting up …`);
    const s = await setUp(api, dbUrl, opts.rows, log);
    if (workers === 2) worker = startWorkerProcess({ ...env, DATABASE_URL: dbUrl }, nodeArgs);
    await sleep(workers === 2 ? 1500 : 0);

    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      await c.query('CHECKPOINT');
      const statsBefore = await dbStats(c);
      const cpu = new CpuMeter(() => [child!.pid, ...(worker ? [worker.pid] : [])]);
      const pgCpu = new CpuMeter(postgresPids(opts.target, child, db?.name));
      const memBefore = child.memory().rss;
      const loadBefore = load1();
      log(`[${opts.target}] publishing; ${fmtInt(opts.rows)} runs × ${s.expectedSteps} steps, ${workers} worker process(es)${opts.kill ? ', SIGKILL half-way' : ''} …`);
      const t0 = performance.now();
      await api.call('POST', `/v1/flows/${s.flowId}/publish`);
      const samples: RssSample[] = [];
      let workerPeak = 0;
      let killed = false;
      let lastLog = Date.now();
      for (;;) {
        const r = (await c.query<{ total: string; live: string }>(
          `SELECT count(*) AS total, count(*) FILTER (WHERE status IN ('active', 'waiting')) AS live FROM flow_runs WHERE account_id = $1 AND flow_id = $2`,
          [s.accountId, s.flowId])).rows[0]!;
        const total = Number(r.total);
        const ended = total - Number(r.live);
        const wm = worker ? readStatus(worker.pid) : { rss: 0, peak: 0 };
        workerPeak = Math.max(workerPeak, wm.peak);
        samples.push({ at: performance.now() - t0, doneRuns: ended, rss: child.memory().rss, workerRss: wm.rss });
        cpu.sample();
        pgCpu.sample();
        if (total >= opts.rows && ended === total) break;
        if (opts.kill && !killed && ended >= opts.rows / 2) {
          killed = true;
          log(`  SIGKILL at ${fmtInt(ended)} ended runs …`);
          if (worker) {
            await worker.stop('SIGKILL');
            worker = startWorkerProcess({ ...env, DATABASE_URL: dbUrl }, nodeArgs);
          } else {
            child.child.kill('SIGKILL');
            await child.stop();
            child = await startConversaChild({ target: 'server', databaseUrl: dbUrl, log, env, nodeArgs });
          }
        }
        if (Date.now() - lastLog > 10_000) {
          log(`  ${fmtInt(ended)} / ${fmtInt(total)} runs ended, ${secs(performance.now() - t0)}, RSS ${mb(child.memory().rss)}`);
          lastLog = Date.now();
        }
        await sleep(250);
      }
      const elapsedMs = performance.now() - t0;
      const loadAfter = load1();
      const memory = { before: memBefore, peak: child.memory().peak, samples, workerPeak };

      const window = (await c.query<{ ms: number }>(
        `SELECT extract(epoch FROM max(ended_at) - min(entered_at)) * 1000 AS ms FROM flow_runs WHERE account_id = $1 AND flow_id = $2`,
        [s.accountId, s.flowId])).rows[0]!;
      const byStatus = await c.query<{ status: string; n: string }>(
        'SELECT status, count(*) AS n FROM flow_runs WHERE account_id = $1 AND flow_id = $2 GROUP BY 1', [s.accountId, s.flowId]);
      const statusCounts = Object.fromEntries(byStatus.rows.map((r) => [r.status, Number(r.n)]));
      const steps = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM flow_run_steps WHERE account_id = $1 AND flow_id = $2', [s.accountId, s.flowId])).rows[0]!.n);
      // Every run: exactly the expected steps, iterations 1..n, ending on the exit node.
      const bad = Number((await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM (
           SELECT r.id FROM flow_runs r LEFT JOIN flow_run_steps s ON s.account_id = r.account_id AND s.run_id = r.id
           WHERE r.account_id = $1 AND r.flow_id = $2
           GROUP BY r.id, r.status HAVING r.status <> 'done' OR count(s.iteration) <> $3 OR min(s.iteration) <> 1 OR max(s.iteration) <> $3
             OR bool_or(s.node_id = 'fin') IS NOT TRUE) x`,
        [s.accountId, s.flowId, s.expectedSteps])).rows[0]!.n);
      const perContact = Number((await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM (SELECT contact_id FROM flow_runs WHERE account_id = $1 AND flow_id = $2 GROUP BY 1 HAVING count(*) <> 1) x`,
        [s.accountId, s.flowId])).rows[0]!.n);
      const badRuns = bad + perContact + Math.max(0, opts.rows - Object.values(statusCounts).reduce((a, b) => a + b, 0));

      // Messages: one per run, none twice — by key in `messages`, by delivery in the sandbox.
      const dupKeys = Number((await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM (SELECT source ->> 'key' FROM messages WHERE account_id = $1 GROUP BY 1 HAVING count(*) > 1) x`, [s.accountId])).rows[0]!.n);
      const runsWithoutOne = Number((await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM flow_runs r
           LEFT JOIN (SELECT source ->> 'run_id' AS run_id, count(*) AS n FROM messages WHERE account_id = $1 GROUP BY 1) m ON m.run_id = r.id
         WHERE r.account_id = $1 AND r.flow_id = $2 AND coalesce(m.n, 0) <> 1`,
        [s.accountId, s.flowId])).rows[0]!.n);
      // The outbox may still be sending: wait for it (bounded) before counting deliveries.
      log(`[${opts.target}] runs ended in ${secs(elapsedMs)}; waiting for the outbox to drain …`);
      const tDrain = performance.now();
      let drainedMs: number | null = null;
      while (performance.now() - tDrain < Math.max(120_000, opts.rows * 5)) {
        const q = Number((await c.query<{ n: string }>(
          `SELECT count(*) AS n FROM messages WHERE account_id = $1 AND status IN ('queued', 'deferred')`, [s.accountId])).rows[0]!.n);
        if (q === 0) {
          drainedMs = performance.now() - t0;
          break;
        }
        await sleep(500);
      }
      // Backends report their counters to pg_stat_database at most once a second: wait for the last ones.
      await sleep(2_000);
      const statsAfter = await dbStats(c);
      const msgStatus = await c.query<{ status: string; n: string }>(
        `SELECT status, count(*) AS n FROM messages WHERE account_id = $1 AND source ->> 'flow_id' = $2 GROUP BY 1`, [s.accountId, s.flowId]);
      const sb = (await c.query<{ n: string; dup: string }>(
        'SELECT count(*) AS n, coalesce(sum(duplicates), 0) AS dup FROM sandbox_messages WHERE account_id = $1', [s.accountId])).rows[0]!;

      const tuplesWritten: Record<string, number> = {};
      for (const t of TABLES) tuplesWritten[t] = ((statsAfter.tuples[t] ?? 0) - (statsBefore.tuples[t] ?? 0)) / opts.rows;
      const profile = await (async () => {
        if (!opts.cpuProfDir) return undefined;
        await worker?.stop();
        worker = undefined;
        await child!.stop();
        return profilesIn(opts.cpuProfDir, { top: 30 });
      })();

      log(`[${opts.target}] raw claim-and-update loop, ${WORKER_LOOPS * workers} clients …`);
      const raw = await rawClaimLoop(dbUrl, opts.rows, s.expectedSteps, WORKER_LOOPS * workers, false);
      const rawWithPath = await rawClaimLoop(dbUrl, opts.rows, s.expectedSteps, WORKER_LOOPS * workers, true);
      const rawSps = perSec(raw.rows * s.expectedSteps, raw.ms);
      const stepsPerSecond = perSec(steps, elapsedMs);
      return {
        target: opts.target, rows: opts.rows, workers, killed: !!opts.kill, loadMs: s.loadMs, expectedStepsPerRun: s.expectedSteps,
        elapsedMs, runWindowMs: Number(window.ms), runs: { total: Object.values(statusCounts).reduce((a, b) => a + b, 0), done: statusCounts.done ?? 0, other: statusCounts },
        steps, stepsPerSecond, runsPerSecond: perSec(opts.rows, elapsedMs), badRuns,
        messages: {
          total: msgStatus.rows.reduce((a, r) => a + Number(r.n), 0), byStatus: Object.fromEntries(msgStatus.rows.map((r) => [r.status, Number(r.n)])),
          duplicateKeys: dupKeys, runsWithoutOne,
        },
        sandbox: { received: Number(sb.n), duplicates: Number(sb.dup), drainedMs },
        raw: { ...raw, stepsPerSecond: rawSps },
        rawWithPath: { ...rawWithPath, stepsPerSecond: perSec(rawWithPath.rows * s.expectedSteps, rawWithPath.ms) },
        ratio: stepsPerSecond / rawSps,
        memory, cpu: { conversa: cpu.seconds(), postgres: pgCpu.seconds() },
        perRun: { commits: (statsAfter.commits - statsBefore.commits) / opts.rows, tuplesWritten },
        profile, loadAvg: [loadBefore, loadAfter],
      };
    } finally {
      await c.end();
    }
  } catch (err) {
    const out = child?.output().trim();
    if (out && err instanceof Error) err.message += `\n--- Conversa output (last 4 KB) ---\n${out.slice(-4000)}`;
    const wout = worker?.output().trim();
    if (wout && err instanceof Error) err.message += `\n--- worker output (last 2 KB) ---\n${wout.slice(-2000)}`;
    throw err;
  } finally {
    await worker?.stop().catch(() => null);
    await child?.stop().catch(() => null);
    await dropUnlessKept(db, opts.keep, log);
  }
}

/** RSS at each quarter of the runs: "flat" means the last is not far above the first. */
function rssByQuarter(samples: readonly RssSample[], rows: number): string {
  const out: string[] = [];
  for (const q of [0.25, 0.5, 0.75, 1]) {
    const s = samples.find((x) => x.doneRuns >= rows * q) ?? samples[samples.length - 1];
    if (s) out.push(mb(s.rss));
  }
  return out.join(' → ');
}

export function formatFlowFigures(all: readonly FlowFigures[]): string {
  const col = (f: (x: FlowFigures) => string) => all.map(f);
  const rows: string[][] = [
    ['', ...all.map((x) => `${x.target}, ${x.workers} worker process${x.workers > 1 ? 'es' : ''}${x.killed ? ', SIGKILL' : ''}`)],
    ['runs × steps per run (from the simulator)', ...col((x) => `${fmtInt(x.rows)} × ${x.expectedStepsPerRun}`)],
    ['contacts loaded (COPY)', ...col((x) => secs(x.loadMs))],
    ['publish → every run ended', ...col((x) => secs(x.elapsedMs))],
    ['first run entered → last run ended (DB clock)', ...col((x) => secs(x.runWindowMs))],
    ['run-steps recorded (flow_run_steps)', ...col((x) => fmtInt(x.steps))],
    ['**run-steps/s** (steps / publish→ended)', ...col((x) => fmtInt(x.stepsPerSecond))],
    ['runs/s', ...col((x) => fmtInt(x.runsPerSecond))],
    ['raw claim-and-update: rows·steps/s', ...col((x) => `${fmtInt(x.raw.stepsPerSecond)} (${secs(x.raw.ms)})`)],
    ['raw + path rows: rows·steps/s', ...col((x) => `${fmtInt(x.rawWithPath.stepsPerSecond)} (${secs(x.rawWithPath.ms)})`)],
    ['**Conversa / raw**', ...col((x) => `${(x.ratio * 100).toFixed(1)} %`)],
    ['runs: done / other', ...col((x) => `${fmtInt(x.runs.done)} / ${JSON.stringify(Object.fromEntries(Object.entries(x.runs.other).filter(([k]) => k !== 'done')))}`)],
    ['runs not exactly once through every step', ...col((x) => fmtInt(x.badRuns))],
    ['messages (by status, after the drain)', ...col((x) => `${fmtInt(x.messages.total)} ${JSON.stringify(x.messages.byStatus)}`)],
    ['duplicate message keys / runs without exactly 1 message', ...col((x) => `${x.messages.duplicateKeys} / ${x.messages.runsWithoutOne}`)],
    ['sandbox received / duplicate deliveries', ...col((x) => `${fmtInt(x.sandbox.received)} / ${x.sandbox.duplicates}`)],
    ['publish → outbox drained', ...col((x) => (x.sandbox.drainedMs === null ? 'not drained' : secs(x.sandbox.drainedMs)))],
    ['Conversa RSS before → peak (VmHWM)', ...col((x) => `${mb(x.memory.before)} → ${mb(x.memory.peak)}`)],
    ['RSS at 25 / 50 / 75 / 100 % of runs', ...col((x) => rssByQuarter(x.memory.samples, x.rows))],
    ['second worker peak RSS', ...col((x) => (x.workers > 1 ? mb(x.memory.workerPeak) : '–'))],
    ['CPU: Conversa process(es) / PostgreSQL', ...col((x) => `${x.cpu.conversa.toFixed(1)} s / ${x.cpu.postgres.toFixed(1)} s`)],
    ['CPU per 1,000 steps: Conversa / PostgreSQL', ...col((x) => `${((x.cpu.conversa * 1e6) / x.steps).toFixed(0)} ms / ${((x.cpu.postgres * 1e6) / x.steps).toFixed(0)} ms`)],
    ['commits per run, sending included (pg_stat_database)', ...col((x) => x.perRun.commits.toFixed(1))],
    ['load average (1 min), start → end', ...col((x) => `${x.loadAvg[0].toFixed(1)} → ${x.loadAvg[1].toFixed(1)}`)],
  ];
  const lines = [table(rows), ''];
  for (const x of all) {
    const name = `[${x.target}, ${x.workers}w${x.killed ? ', kill' : ''}]`;
    lines.push(`${name} target ≥ ${fmtInt(TARGETS.stepsPerSecond)} steps/s: ${x.stepsPerSecond >= TARGETS.stepsPerSecond ? 'MET' : 'NOT MET'}; ≥ ${TARGETS.rawRatio * 100} % of raw: ${x.ratio >= TARGETS.rawRatio ? 'MET' : 'NOT MET'}`);
    lines.push(`${name} rows written per run: ${Object.entries(x.perRun.tuplesWritten).filter(([, n]) => n > 0.001).map(([t, n]) => `${t} ${n.toFixed(1)}`).join(', ')}`);
    const ok = x.badRuns === 0 && x.messages.duplicateKeys === 0 && x.messages.runsWithoutOne === 0 && x.sandbox.duplicates === 0;
    lines.push(`${name} every run once through every step, one message each, none delivered twice: ${ok ? 'YES' : 'NO'}`);
    if (x.profile) lines.push(`${name} CPU profile:\n${x.profile}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      target: { type: 'string', default: 'server' },
      workers: { type: 'string', default: '1' },
      kill: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'database-url': { type: 'string', default: DEFAULT_SERVER_URL },
      keep: { type: 'boolean', default: false },
    },
  });
  if (values.target !== 'server' && values.target !== 'embedded') throw new Error(`--target must be server or embedded (got ${values.target})`);
  if (values.workers !== '1' && values.workers !== '2') throw new Error(`--workers must be 1 or 2 (got ${values.workers})`);
  if (values.kill && values.workers === '1' && values.target !== 'server') throw new Error('--kill restarts `conversa start`: use it with --target server (or --workers 2)');
  const rows = Number(values.rows);
  const f = await runFlowBench({
    rows, target: values.target, serverUrl: values['database-url'], workers: values.workers === '2' ? 2 : 1, kill: values.kill,
    cpuProfDir: values['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'conversa-prof-flows-')) : undefined, keep: values.keep,
  });
  console.log(`\nFlow-run benchmark — ${fmtInt(rows)} runs of a five-step flow (wait 0 → branch → send → update_contact → exit), ${new Date().toISOString()}`);
  console.log(`\n${formatFlowFigures([f])}`);
}
