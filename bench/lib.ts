// Shared pieces of the benchmarks: a throwaway database, Conversa as a child process (so its own
// memory can be measured), a small API client, the raw COPY baseline and the figures' tables.
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { freePort } from '../src/db/embedded.js';
import { BENCH_FIELDS } from './generate-csv.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'conversa.js');
export const DEFAULT_SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export type Target = 'server' | 'embedded';

export type Log = (line: string) => void;
export const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);
export const silent: Log = () => {};

// ---- cleaning up on Ctrl-C ------------------------------------------------------------------

const cleanups = new Set<() => Promise<unknown>>();
let trapped = false;

/**
 * Runs `fn` if the bench is interrupted (SIGINT/SIGTERM), so that a stopped run leaves no
 * Conversa process, embedded cluster or bench database behind. Returns the unregister function.
 */
export function cleanupOnSignal(fn: () => Promise<unknown>): () => void {
  if (!trapped) {
    trapped = true;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        stderrLog(`${sig}: cleaning up …`);
        void Promise.allSettled([...cleanups].map((f) => f())).then(() => process.exit(130));
      });
    }
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

// ---- databases -------------------------------------------------------------------------------

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh empty database `conversa_bench_<rand>` on the server (Conversa migrates it at start). */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `conversa_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const drop = async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  };
  const forget = cleanupOnSignal(drop);
  return {
    url: u.toString(),
    name,
    async drop() {
      forget();
      await drop();
    },
  };
}

/** Runs `fn` with a connected client, closing it afterwards. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// ---- Conversa as a child process -------------------------------------------------------------

export interface ConversaChild {
  url: string;
  apiKey: string;
  pid: number;
  /** The database Conversa uses: the server's bench database, or its embedded cluster. */
  databaseUrl: string;
  child: ChildProcess;
  output(): string;
  /** VmRSS / VmHWM (peak) of the Conversa process, in bytes. */
  memory(): { rss: number; peak: number };
  /** SIGTERM and wait for a clean exit (the CPU profile, if any, is written then). */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  target: Target;
  /** Required for the server target: the database Conversa runs on. */
  databaseUrl?: string;
  /** Extra environment (e.g. CONVERSA_IMPORT_BODY_LIMIT). */
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/x']. */
  nodeArgs?: string[];
  log?: Log;
}

/** Warns when dist/ is missing or older than src/: the child runs the build, not the sources. */
export function checkBuild(log: Log): void {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error('dist/ is missing: run `npm run build` first (the bench runs bin/conversa.js)');
  const built = statSync(main).mtimeMs;
  const newest = newestMtime(join(ROOT, 'src'));
  if (newest > built) log(`warning: src/ changed after the last build (${new Date(newest).toISOString()}); run \`npm run build\` to measure the current code`);
}

function newestMtime(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) max = Math.max(max, newestMtime(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) max = Math.max(max, statSync(p).mtimeMs);
  }
  return max;
}

/** VmRSS / VmHWM of any process (0 once it is gone). */
export function readStatus(pid: number): { rss: number; peak: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

export async function startConversaChild(opts: StartOptions): Promise<ConversaChild> {
  const port = await freePort();
  const apiKey = `cv_bench_${randomBytes(12).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', CONVERSA_BOOTSTRAP_API_KEY: apiKey,
    CONVERSA_BOOTSTRAP_PASSWORD: `bench-${randomBytes(8).toString('hex')}`, LOG_LEVEL: 'warn', ...opts.env,
  };
  let dataDir: string | undefined;
  if (opts.target === 'server') {
    if (!opts.databaseUrl) throw new Error('startConversaChild: the server target needs databaseUrl');
    env.DATABASE_URL = opts.databaseUrl;
  } else {
    delete env.DATABASE_URL;
    dataDir = mkdtempSync(join(tmpdir(), 'conversa-bench-emb-'));
    env.CONVERSA_DATA_DIR = dataDir;
  }
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-64_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let forget = (): void => {};
  const cleanup = () => {
    forget();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  forget = cleanupOnSignal(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      cleanup();
      throw new Error(`conversa exited early (${child.exitCode}):\n${out}`);
    }
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      cleanup();
      throw new Error(`conversa did not become healthy in 120 s:\n${out}`);
    }
    await sleep(100);
  }
  let databaseUrl = opts.databaseUrl ?? '';
  if (dataDir) {
    // The embedded cluster's port and password, which Conversa leaves in its data directory.
    const pgPort = readFileSync(join(dataDir, 'pg.port'), 'utf8').trim();
    const password = readFileSync(join(dataDir, 'pg.password'), 'utf8').trim();
    databaseUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/postgres`;
  }
  const pid = child.pid!;
  return {
    url, apiKey, pid, databaseUrl, child,
    output: () => out,
    memory: () => readStatus(pid),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      cleanup();
      return code;
    },
  };
}

// ---- CPU time, from /proc -------------------------------------------------------------------

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64

/** [ppid, user+system CPU seconds] of a process, or undefined once it is gone. */
function procStat(pid: number): [number, number] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces), which ends at the last ')'.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return [Number(f[1]), (Number(f[11]) + Number(f[12])) / CLK_TCK];
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * CPU seconds used by a changing set of processes between start and the last sample: sample it
 * often (each poll) so that a process that exits meanwhile still counts up to its last sample.
 */
export class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(private readonly pids: () => number[]) {
    this.sample(true);
  }

  sample(initial = false): void {
    for (const pid of this.pids()) {
      const st = procStat(pid);
      if (!st) continue;
      if (!this.first.has(pid)) this.first.set(pid, initial ? st[1] : 0);
      this.last.set(pid, st[1]);
    }
  }

  seconds(): number {
    let total = 0;
    for (const [pid, cpu] of this.last) total += cpu - (this.first.get(pid) ?? 0);
    return total;
  }
}

/** The Conversa process itself. */
export const conversaPids = (child: ConversaChild) => (): number[] => [child.pid];

/**
 * The PostgreSQL processes doing Conversa's work: on the server, the backends connected to the
 * bench database (`postgres: … <db> …`); embedded, every process of the cluster Conversa started
 * (backends, WAL writer, checkpointer, autovacuum).
 */
export function postgresPids(target: Target, child: ConversaChild, dbName?: string): () => number[] {
  if (target === 'server') {
    return () => allPids().filter((pid) => {
      const c = cmdline(pid);
      return c.startsWith('postgres: ') && c.includes(` ${dbName} `);
    });
  }
  return () => {
    const pids = allPids();
    const parent = new Map(pids.map((pid) => [pid, procStat(pid)?.[0] ?? 0]));
    const tree = new Set([child.pid]);
    // Descendants, however deep: as root the cluster runs under a created user, through a wrapper.
    for (let grew = true; grew;) {
      grew = false;
      for (const pid of pids) {
        if (!tree.has(pid) && tree.has(parent.get(pid) ?? 0)) {
          tree.add(pid);
          grew = true;
        }
      }
    }
    tree.delete(child.pid);
    return [...tree];
  };
}

// ---- the API ---------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: string, what: string) {
    super(`${what} → ${status}: ${body.slice(0, 2000)}`);
  }
}

export interface Api {
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export function apiClient(base: string, key: string): Api {
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new ApiError(res.status, text, `${method} ${path}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

/** POSTs a file as the request body, streamed from disk (never held in memory). */
export function postFile(base: string, key: string, path: string, file: string, contentType: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType, 'content-length': statSync(file).size },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    createReadStream(file).on('error', reject).pipe(req);
  });
}

// ---- the raw COPY baseline -------------------------------------------------------------------

export const RAW_TABLE = 'bench_raw_contacts';

/**
 * The floor an import is measured against: the same CSV streamed by COPY into a plain (logged)
 * table of 20 text columns — no parsing, no validation, no index.
 */
export async function rawCopy(databaseUrl: string, file: string): Promise<{ rows: number; ms: number }> {
  return withClient(databaseUrl, async (c) => {
    await c.query(`DROP TABLE IF EXISTS ${RAW_TABLE}`);
    await c.query(`CREATE TABLE ${RAW_TABLE} (${BENCH_FIELDS.map((f) => `${f.key} text`).join(', ')})`);
    const t0 = performance.now();
    const copy = c.query(copyFrom(`COPY ${RAW_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)`));
    await pipeline(createReadStream(file), copy);
    return { rows: copy.rowCount, ms: performance.now() - t0 };
  });
}

/** A CHECKPOINT, so that one measurement does not pay for the previous one's dirty pages. */
export async function checkpoint(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, (c) => c.query('CHECKPOINT'));
}

// ---- figures ---------------------------------------------------------------------------------

/** The 1-minute load average: on a shared 2-core machine, the context every figure needs. */
export const load1 = (): number => loadavg()[0] ?? 0;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const perSec = (n: number, ms: number) => Math.round(n / (ms / 1000));
export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const fmtMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : secs(ms));

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Timing { runs: number; min: number; p50: number; p95: number; max: number }

export function timing(samples: readonly number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  return { runs: s.length, min: s[0] ?? NaN, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? NaN };
}

/** Times `fn` `runs` times after `warmup` untimed calls; returns the timings and the last result. */
export async function timeRuns<T>(runs: number, warmup: number, fn: () => Promise<T>): Promise<{ timing: Timing; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < warmup; i++) last = await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    samples.push(performance.now() - t0);
  }
  return { timing: timing(samples), last: last as T };
}

/** A plain-text table: the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A failed bench run's error with what Conversa logged (LOG_LEVEL=warn), which says why a call failed. */
export function withConversaOutput(err: unknown, child: { output(): string } | undefined): unknown {
  const out = child?.output().trim();
  if (out && err instanceof Error) err.message += `\n--- Conversa output (last 4 KB) ---\n${out.slice(-4000)}`;
  return err;
}

/** Drops a bench database unless `--keep` asked to keep it. */
export async function dropUnlessKept(db: BenchDatabase | undefined, keep: boolean | undefined, log: Log): Promise<void> {
  if (!db) return;
  if (keep) log(`kept database ${db.url}`);
  else await db.drop().catch((err: unknown) => log(`could not drop ${db.name}: ${String(err)}`));
}
