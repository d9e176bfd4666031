// Event-ingestion benchmark: `POST /v1/events` under load (autocannon, 50 connections, 15 s) against
// a bare Fastify route doing one INSERT per request on a pg pool of the same size, against the
// same database, in the same run. Every 202 is checked to be in `events` afterwards (durable
// before its 202).
//
//   npm run build && npx tsx bench/events.ts [--rows 10000] [--duration 15] [--connections 50]
//     [--target server|embedded] [--variants ingest,flow] [--cpu-prof]
//     [--database-url postgres://postgres@127.0.0.1:5432/test] [--keep]
//
// Variants: `ingest` runs Conversa with its workers off (CONVERSA_WORKERS=0): the request path
// alone. `flow` runs it with its workers and a published flow that starts on the event (update a
// field, exit): ingestion while the event processor and the flow worker share the process.
// The bare route runs in a child process of its own (`bench/events.ts --serve-baseline`), as
// Conversa does: in the bench's process it would share one core with autocannon.
// Target (issue): ≥ 2× the bare route's events/s, every accepted event durable before its 202.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';
import { newId } from '../src/core/ids.js';
import { profilesIn } from './cpu-profile.js';
import { BENCH_LIST, copyBenchContacts } from './flows.js';
import {
  dropUnlessKept, withConversaOutput,
  CpuMeter, DEFAULT_SERVER_URL, ROOT, apiClient, checkBuild, cleanupOnSignal, createBenchDatabase, fmtInt, fmtMs, load1, mb, postgresPids,
  sleep, stderrLog, table, withClient, type BenchDatabase, type ConversaChild, type Log, type Target, startConversaChild,
} from './lib.js';

export const TARGET_RATIO = 2;
/** Conversa's pool (src/runtime/start.ts openDatabase): the bare route gets as many connections. */
export const POOL_SIZE = 20;
export const EVENT_NAME = 'bench.evento';

// ---- autocannon, typed for what this bench uses (the package ships no types) -----------------

type Ctx = Record<string, unknown>;
interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest, ctx: Ctx) => AcRequest;
  onResponse?: (status: number, body: string, ctx: Ctx) => void;
}
interface AcOptions { url: string; connections: number; duration: number; requests: AcRequest[] }
interface AcHistogram { average: number; p50: number; p90: number; p99: number; max: number; total: number }
interface AcResult {
  duration: number;
  latency: AcHistogram;
  requests: AcHistogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}
// Loaded through require: autocannon is CommonJS, untyped; the cast states the shape used above.
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: AcOptions) => Promise<AcResult>;

// ---- the bare route ----------------------------------------------------------------------------

const BARE_TABLE = 'bench_events';

/** The table the bare route writes: `events`' shape and primary key, nothing else. */
async function createBareTable(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, async (c) => {
    await c.query(`DROP TABLE IF EXISTS ${BARE_TABLE}`);
    await c.query(`CREATE TABLE ${BARE_TABLE} (account_id text NOT NULL, id text NOT NULL, name text NOT NULL, contact_id text,
      data jsonb NOT NULL DEFAULT '{}'::jsonb, received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (account_id, id))`);
  });
}

/** Serves `POST /v1/events` as one INSERT per request (run in its own process: `--serve-baseline`). */
async function serveBaseline(databaseUrl: string, poolSize: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const app = Fastify({ logger: false });
  app.post<{ Body: { name: string; contact_id?: string; data?: Record<string, unknown> } }>('/v1/events', async (req, reply) => {
    const id = newId('evt');
    await pool.query(`INSERT INTO ${BARE_TABLE} (account_id, id, name, contact_id, data) VALUES ($1, $2, $3, $4, $5)`,
      ['acc_bench', id, req.body.name, req.body.contact_id ?? null, JSON.stringify(req.body.data ?? {})]);
    return reply.status(202).send({ id, status: 'accepted' });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ url: address })}\n`);
  process.once('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
}

async function startBaseline(databaseUrl: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve-baseline', databaseUrl], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const forget = cleanupOnSignal(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the bare route exited (${code}) before listening`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    url, pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      forget();
    },
  };
}

// ---- load --------------------------------------------------------------------------------------

export interface LoadFigures {
  /** 202s received, and per second of the run. */
  accepted: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  durationS: number;
}

/** autocannon against `POST /v1/events`, each request naming the next preloaded contact; returns the ids of the 202s. */
async function hammer(url: string, apiKey: string | undefined, contactIds: readonly string[], connections: number, duration: number): Promise<{ figures: LoadFigures; ids: string[] }> {
  let next = 0;
  const ids: string[] = [];
  const r = await autocannon({
    url, connections, duration,
    requests: [{
      method: 'POST', path: '/v1/events',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      setupRequest: (req) => {
        const n = next++;
        return { ...req, body: JSON.stringify({ name: EVENT_NAME, contact_id: contactIds[n % contactIds.length], data: { seq: n, importe: 125_000 } }) };
      },
      onResponse: (status, body) => {
        if (status === 202) ids.push((JSON.parse(body) as { id: string }).id);
      },
    }],
  });
  return {
    ids,
    figures: {
      accepted: ids.length, eventsPerSecond: ids.length / r.duration, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max,
      errors: r.errors + r.timeouts, non2xx: r.non2xx, durationS: r.duration,
    },
  };
}

/** How many of `ids` are in `table` (in chunks: the arrays get large). */
async function countStored(c: pg.Client, tableName: string, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 50_000) {
    const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${tableName} WHERE id = ANY($1::text[])`, [ids.slice(i, i + 50_000)]);
    n += Number(r.rows[0]!.n);
  }
  return n;
}

// ---- the bench -------------------------------------------------------------------------------

export type Variant = 'ingest' | 'flow';

export interface VariantFigures {
  variant: Variant;
  load: LoadFigures;
  /** Of the 202s, how many are in `events`; and how many rows `events` holds in all (≥: requests cut at the end). */
  durable: number;
  stored: number;
  commitsPerEvent: number;
  /** Flow variant: runs started and ended by the end of the check. */
  runs?: { started: number; ended: number };
  peakRss: number;
  cpu: { conversa: number; postgres: number };
  profile?: string;
  loadAvg: [number, number];
}

export interface EventFigures {
  target: Target;
  contacts: number;
  connections: number;
  duration: number;
  variants: VariantFigures[];
  bare: { load: LoadFigures; durable: number; stored: number; commitsPerEvent: number; cpu: { route: number; postgres: number }; loadAvg: [number, number] };
}

export interface EventBenchOptions {
  rows: number;
  duration: number;
  connections?: number;
  target: Target;
  variants?: Variant[];
  serverUrl?: string;
  cpuProfDir?: string;
  keep?: boolean;
  log?: Log;
}

/** Backends report their counters to pg_stat_database at most once a second (PostgreSQL 15): wait for the last ones. */
const STATS_FLUSH_MS = 2_000;

async function commits(c: pg.Client): Promise<number> {
  return Number((await c.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]!.n);
}

/** One Conversa process: contacts, (a flow), the load, the durability check. */
async function runVariant(
  variant: Variant, opts: EventBenchOptions, db: BenchDatabase | undefined, log: Log,
  whileUp?: (dbUrl: string, child: ConversaChild, contactIds: string[]) => Promise<void>,
): Promise<VariantFigures & { contactIds: string[] }> {
  const connections = opts.connections ?? 50;
  let child: ConversaChild | undefined;
  const cpuProfDir = opts.cpuProfDir ? mkdtempSync(join(opts.cpuProfDir, `${variant}-`)) : undefined;
  try {
    child = await startConversaChild({
      target: opts.target, databaseUrl: db?.url, log,
      env: { CONVERSA_WORKERS: variant === 'ingest' ? '0' : '1' },
      nodeArgs: cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [],
    });
    const dbUrl = child.databaseUrl;
    const api = apiClient(child.url, child.apiKey);
    const list = await api.call<{ id: string }>('POST', '/v1/lists', { ...BENCH_LIST, name: `${BENCH_LIST.name} ${variant}` });
    const { ids: contactIds } = await copyBenchContacts(dbUrl, list.id, opts.rows);
    if (variant === 'flow') {
      const flow = await api.call<{ id: string }>('POST', '/v1/flows', {
        name: 'Bench evento', list_id: list.id,
        definition: {
          entry: { type: 'event', event: EVENT_NAME },
          nodes: [{ id: 'marcar', type: 'update_contact', set: { contactado: true }, next: 'fin' }, { id: 'fin', type: 'exit' }],
        },
      });
      await api.call('POST', `/v1/flows/${flow.id}/publish`);
    }
    const accountId = await withClient(dbUrl, async (c) => (await c.query<{ account_id: string }>('SELECT account_id FROM lists WHERE id = $1', [list.id])).rows[0]!.account_id);
    // A short warm-up (JIT, pool connections, the API key's lookup), then the measured run.
    await hammer(child.url, child.apiKey, contactIds, connections, 1);
    return await withClient(dbUrl, async (c) => {
      const storedBefore = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE account_id = $1', [accountId])).rows[0]!.n);
      await c.query('CHECKPOINT');
      const cpu = new CpuMeter(() => [child!.pid]);
      const pgCpu = new CpuMeter(postgresPids(opts.target, child!, db?.name));
      const commits0 = await commits(c);
      const loadBefore = load1();
      log(`[${opts.target}/${variant}] POST /v1/events, ${connections} connections, ${opts.duration} s …`);
      const { figures, ids } = await hammer(child!.url, child!.apiKey, contactIds, connections, opts.duration);
      cpu.sample();
      pgCpu.sample();
      await sleep(STATS_FLUSH_MS);
      const commits1 = await commits(c);
      const loadAfter = load1();
      const durable = await countStored(c, 'events', ids);
      const stored = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE account_id = $1', [accountId])).rows[0]!.n) - storedBefore;
      let runs: VariantFigures['runs'];
      if (variant === 'flow') {
        const r = (await c.query<{ started: string; ended: string }>(
          `SELECT count(*) AS started, count(*) FILTER (WHERE status NOT IN ('active', 'waiting')) AS ended FROM flow_runs WHERE account_id = $1`, [accountId])).rows[0]!;
        runs = { started: Number(r.started), ended: Number(r.ended) };
      }
      const peakRss = child!.memory().peak;
      if (whileUp) {
        // The flow variant leaves a backlog for the event processor: let it finish first.
        while (variant === 'flow' && Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE processed_at IS NULL AND account_id = $1', [accountId])).rows[0]!.n) > 0) await sleep(500);
        await whileUp(dbUrl, child!, contactIds);
      }
      let profile: string | undefined;
      if (cpuProfDir) {
        await child!.stop();
        profile = profilesIn(cpuProfDir, { top: 30 });
      }
      return {
        variant, load: figures, durable, stored, commitsPerEvent: (commits1 - commits0) / Math.max(1, stored), runs, peakRss,
        cpu: { conversa: cpu.seconds(), postgres: pgCpu.seconds() }, profile, loadAvg: [loadBefore, loadAfter] as [number, number],
        contactIds,
      };
    });
  } catch (err) {
    throw withConversaOutput(err, child);
  } finally {
    await child?.stop().catch(() => null);
  }
}

type BareFigures = EventFigures['bare'];

/** The bare route against a live database: its own process, the same load. */
async function runBare(dbUrl: string, pgPids: () => number[], contactIds: readonly string[], connections: number, duration: number, log: Log): Promise<BareFigures> {
  await createBareTable(dbUrl);
  const bare = await startBaseline(dbUrl);
  try {
    await hammer(bare.url, undefined, contactIds, connections, 1);
    return await withClient(dbUrl, async (c) => {
      await c.query(`TRUNCATE ${BARE_TABLE}`);
      await c.query('CHECKPOINT');
      const cpu = new CpuMeter(() => [bare.pid]);
      const pgCpu = new CpuMeter(pgPids);
      const commits0 = await commits(c);
      const loadBefore = load1();
      log(`[bare route] POST /v1/events, ${connections} connections, ${duration} s …`);
      const { figures, ids } = await hammer(bare.url, undefined, contactIds, connections, duration);
      cpu.sample();
      pgCpu.sample();
      await sleep(STATS_FLUSH_MS);
      const commits1 = await commits(c);
      const loadAfter = load1();
      const stored = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${BARE_TABLE}`)).rows[0]!.n);
      return {
        load: figures, durable: await countStored(c, BARE_TABLE, ids), stored, commitsPerEvent: (commits1 - commits0) / Math.max(1, stored),
        cpu: { route: cpu.seconds(), postgres: pgCpu.seconds() }, loadAvg: [loadBefore, loadAfter] as [number, number],
      };
    });
  } finally {
    await bare.stop();
  }
}

export async function runEventBench(opts: EventBenchOptions): Promise<EventFigures> {
  const log = opts.log ?? stderrLog;
  const connections = opts.connections ?? 50;
  const variants = opts.variants ?? ['ingest', 'flow'];
  if (variants.length === 0) throw new Error('no variant to run');
  if (opts.target === 'embedded' && variants.length > 1) throw new Error('embedded: one variant per run (each Conversa process starts its own cluster)');
  checkBuild(log);
  // A fresh database per variant: each Conversa bootstraps its own owner and API key.
  const dbs: BenchDatabase[] = [];
  let db: BenchDatabase | undefined;
  try {
    const results: (VariantFigures & { contactIds: string[] })[] = [];
    let bare: BareFigures | undefined;
    for (const v of variants) {
      if (opts.target === 'server') dbs.push((db = await createBenchDatabase(opts.serverUrl ?? DEFAULT_SERVER_URL)));
      // Embedded: the cluster lives as long as Conversa, so the bare route runs while it idles.
      const whileUp = opts.target === 'embedded'
        ? async (dbUrl: string, child: ConversaChild, ids: string[]) => { bare = await runBare(dbUrl, postgresPids('embedded', child), ids, connections, opts.duration, log); }
        : undefined;
      results.push(await runVariant(v, opts, db, log, whileUp));
    }
    // On the server, PostgreSQL's work is found by database name: no Conversa process is involved.
    if (db) bare = await runBare(db.url, postgresPids('server', undefined as never, db.name), results[results.length - 1]!.contactIds, connections, opts.duration, log);
    if (!bare) throw new Error('the bare route did not run');
    return {
      target: opts.target, contacts: opts.rows, connections, duration: opts.duration,
      variants: results.map(({ contactIds: _ids, ...v }) => v), bare,
    };
  } finally {
    for (const d of dbs) {
      await dropUnlessKept(d, opts.keep, log);
    }
  }
}

export function formatEventFigures(f: EventFigures): string {
  const lat = (l: LoadFigures) => `${fmtMs(l.p50)} / ${fmtMs(l.p99)} / ${fmtMs(l.max)}`;
  const cols = [...f.variants.map((v) => `Conversa, ${v.variant === 'ingest' ? 'workers off' : 'workers + flow'}`), 'bare route (1 INSERT/request)'];
  const ratio = (v: VariantFigures) => `${(v.load.eventsPerSecond / f.bare.load.eventsPerSecond).toFixed(2)}×`;
  const rows: string[][] = [
    ['', ...cols],
    ['**events/s** (202s / duration)', ...f.variants.map((v) => fmtInt(Math.round(v.load.eventsPerSecond))), fmtInt(Math.round(f.bare.load.eventsPerSecond))],
    ['**Conversa / bare route**', ...f.variants.map(ratio), '1×'],
    ['latency p50 / p99 / max', ...f.variants.map((v) => lat(v.load)), lat(f.bare.load)],
    ['202s / non-2xx / errors', ...f.variants.map((v) => `${fmtInt(v.load.accepted)} / ${v.load.non2xx} / ${v.load.errors}`), `${fmtInt(f.bare.load.accepted)} / ${f.bare.load.non2xx} / ${f.bare.load.errors}`],
    ['202s found stored / rows stored', ...f.variants.map((v) => `${fmtInt(v.durable)} / ${fmtInt(v.stored)}`), `${fmtInt(f.bare.durable)} / ${fmtInt(f.bare.stored)}`],
    ['commits per event (pg_stat_database)', ...f.variants.map((v) => v.commitsPerEvent.toFixed(3)), f.bare.commitsPerEvent.toFixed(3)],
    ['flow runs started / ended by the check', ...f.variants.map((v) => (v.runs ? `${fmtInt(v.runs.started)} / ${fmtInt(v.runs.ended)}` : '–')), '–'],
    ['CPU: server process / PostgreSQL', ...f.variants.map((v) => `${v.cpu.conversa.toFixed(1)} s / ${v.cpu.postgres.toFixed(1)} s`), `${f.bare.cpu.route.toFixed(1)} s / ${f.bare.cpu.postgres.toFixed(1)} s`],
    ['peak RSS (VmHWM)', ...f.variants.map((v) => mb(v.peakRss)), '–'],
    ['load average (1 min), start → end', ...f.variants.map((v) => `${v.loadAvg[0].toFixed(1)} → ${v.loadAvg[1].toFixed(1)}`), `${f.bare.loadAvg[0].toFixed(1)} → ${f.bare.loadAvg[1].toFixed(1)}`],
  ];
  const lines = [table(rows), ''];
  for (const v of f.variants) {
    const r = v.load.eventsPerSecond / f.bare.load.eventsPerSecond;
    lines.push(`[${f.target}/${v.variant}] target ≥ ${TARGET_RATIO}× the bare route: ${r >= TARGET_RATIO ? 'MET' : 'NOT MET'} (${r.toFixed(2)}×)`);
    lines.push(`[${f.target}/${v.variant}] every 202 durable: ${v.durable === v.load.accepted ? 'YES' : `NO (${v.load.accepted - v.durable} missing)`}`);
    if (v.profile) lines.push(`[${f.target}/${v.variant}] CPU profile:\n${v.profile}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--serve-baseline') {
    await serveBaseline(process.argv[3]!, POOL_SIZE);
  } else {
    const { values } = parseArgs({
      options: {
        rows: { type: 'string', default: '10000' },
        duration: { type: 'string', default: '15' },
        connections: { type: 'string', default: '50' },
        target: { type: 'string', default: 'server' },
        variants: { type: 'string', default: 'ingest,flow' },
        'cpu-prof': { type: 'boolean', default: false },
        'database-url': { type: 'string', default: DEFAULT_SERVER_URL },
        keep: { type: 'boolean', default: false },
      },
    });
    if (values.target !== 'server' && values.target !== 'embedded') throw new Error(`--target must be server or embedded (got ${values.target})`);
    const variants = values.variants.split(',').map((v) => v.trim());
    for (const v of variants) if (v !== 'ingest' && v !== 'flow') throw new Error(`--variants: ingest and/or flow (got ${v})`);
    const f = await runEventBench({
      rows: Number(values.rows), duration: Number(values.duration), connections: Number(values.connections), target: values.target,
      variants: variants as Variant[], serverUrl: values['database-url'], keep: values.keep,
      cpuProfDir: values['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'conversa-prof-events-')) : undefined,
    });
    console.log(`\nEvent ingestion benchmark — POST /v1/events, ${f.connections} connections × ${f.duration} s, ${fmtInt(f.contacts)} contacts, ${new Date().toISOString()}`);
    console.log(`\n${formatEventFigures(f)}`);
  }
}
