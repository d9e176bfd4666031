// Import benchmark: a generated 1,000,000-row, 20-field Colombian CSV imported through the API
// job (`POST /v1/lists/:id/imports`, polled on `GET /v1/imports/:id`), against a raw COPY of
// the same file into a plain 20-text-column table in the same database, in the same run.
// Conversa runs as a child process (`node bin/conversa.js start`) so that its peak RSS is its own.
//
//   npm run build && npx tsx bench/import.ts [--rows 1000000] [--target server|embedded|both]
//     [--database-url postgres://postgres@127.0.0.1:5432/test] [--cpu-prof] [--keep]
//
// Targets (issue): on the PostgreSQL server, import ≥ 50 % of raw COPY rows/s end to end, and
// peak RSS of the Conversa process < 400 MB.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchListDefinition, cachedCsv } from './generate-csv.js';
import {
  dropUnlessKept, withConversaOutput,
  CpuMeter, DEFAULT_SERVER_URL, apiClient, conversaPids, postgresPids, checkBuild, checkpoint, createBenchDatabase, fmtInt, load1, mb, perSec, postFile, rawCopy,
  secs, sleep, stderrLog, table, type Api, type BenchDatabase, type ConversaChild, type Log, type Target, startConversaChild,
} from './lib.js';
import { profilesIn } from './cpu-profile.js';

export const TARGETS = { importVsCopy: 0.5, peakRssBytes: 400 * 1024 * 1024 } as const;

/** `GET /v1/imports/:id` as the bench reads it (timestamps if the API gives them). */
export interface ImportView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  rows: number;
  inserted: number;
  updated: number;
  rejected: number;
  error?: string | null;
  created_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
}

export interface ImportFigures {
  target: Target;
  rows: number;
  bytes: number;
  import: ImportView;
  /** POST until its 202: the upload streamed into PostgreSQL. */
  uploadMs: number;
  /** POST start until `done` was seen: what a user waits for. */
  wallMs: number;
  /** started_at → finished_at of the job, when the API reports them. */
  jobMs?: number;
  /** Upload finished → started_at: the job waiting for a worker (created_at is the upload's start). */
  queueMs?: number;
  rowsPerSec: number;
  jobRowsPerSec?: number;
  rawCopy: { rows: number; ms: number; rowsPerSec: number };
  /** Import rows/s (end to end) over raw COPY rows/s. */
  ratio: number;
  idleRss: number;
  peakRss: number;
  contactCount: number;
  /** 1-minute load average when the import started and when it ended. */
  load: [number, number];
  /** CPU seconds during the import: the Conversa process, and PostgreSQL (see postgresPids). */
  cpu: { conversa: number; postgres: number };
  profile?: string;
}

export interface ImportBenchOptions {
  rows: number;
  seed?: number;
  target: Target;
  /** The server to create the bench database on (server target). */
  serverUrl?: string;
  /** A CSV to use instead of the generated one (it must be the bench's format). */
  csvFile?: string;
  /** Writes a CPU profile of the Conversa process here and summarises it. */
  cpuProfDir?: string;
  /** Keep the database (server) after the run, and return it. */
  keep?: boolean;
  log?: Log;
  /** Called with the running instance and list after the import, before it stops (segment bench). */
  after?: (ctx: { child: ConversaChild; api: Api; listId: string; figures: ImportFigures }) => Promise<void>;
}

/** Creates the bench list on a running Conversa; returns its id. */
export async function createBenchList(api: Api, name?: string): Promise<string> {
  const list = await api.call<{ id: string }>('POST', '/v1/lists', benchListDefinition(name));
  return list.id;
}

/** Streams `file` into `POST /v1/lists/:id/imports`; returns the import id and the upload time. */
export async function uploadImport(child: ConversaChild, listId: string, file: string): Promise<{ id: string; ms: number }> {
  const t0 = performance.now();
  const res = await postFile(child.url, child.apiKey, `/v1/lists/${listId}/imports`, file, 'text/csv; charset=utf-8');
  const ms = performance.now() - t0;
  if (res.status !== 202) throw new Error(`POST /v1/lists/${listId}/imports → ${res.status}: ${res.body.slice(0, 2000)}`);
  const { id } = JSON.parse(res.body) as { id: string };
  return { id, ms };
}

/** Polls the import until it is done or failed, logging progress every ~10 s. */
export async function waitForImport(api: Api, id: string, log: Log, onPoll?: () => void, timeoutMs = 60 * 60_000): Promise<ImportView> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = Date.now();
  for (;;) {
    const v = await api.call<ImportView>('GET', `/v1/imports/${id}`);
    onPoll?.();
    if (v.status === 'done' || v.status === 'failed') return v;
    if (Date.now() - lastLog > 10_000) {
      log(`  … ${v.status}: ${fmtInt(v.rows)} rows`);
      lastLog = Date.now();
    }
    if (Date.now() > deadline) throw new Error(`import ${id} still ${v.status} after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

const span = (a?: string | null, b?: string | null): number | undefined =>
  a && b ? Date.parse(b) - Date.parse(a) : undefined;
const waited = (createdToStarted: number | undefined, uploadMs: number): number | undefined =>
  createdToStarted === undefined ? undefined : Math.max(0, createdToStarted - uploadMs);

export async function runImportBench(opts: ImportBenchOptions): Promise<ImportFigures> {
  const log = opts.log ?? stderrLog;
  checkBuild(log);
  const csv = opts.csvFile ?? (await cachedCsv({ rows: opts.rows, seed: opts.seed })).file;
  const bytes = statSync(csv).size;
  let db: BenchDatabase | undefined;
  if (opts.target === 'server') db = await createBenchDatabase(opts.serverUrl ?? DEFAULT_SERVER_URL);
  let child: ConversaChild | undefined;
  try {
    child = await startConversaChild({
      target: opts.target,
      databaseUrl: db?.url,
      // The default upload limit is 100 MB; the 1M-row file is ~220 MB.
      env: { CONVERSA_IMPORT_BODY_LIMIT: String(Math.max(bytes * 2, 100 * 1024 * 1024)) },
      nodeArgs: opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [],
      log,
    });
    log(`[${opts.target}] Conversa pid ${child.pid} at ${child.url}; ${db ? `database ${db.name}` : 'embedded PostgreSQL'}`);

    log(`[${opts.target}] raw COPY of ${csv} …`);
    const raw = await rawCopy(child.databaseUrl, csv);
    await checkpoint(child.databaseUrl);

    const api = apiClient(child.url, child.apiKey);
    const listId = await createBenchList(api);
    const idleRss = child.memory().rss;
    log(`[${opts.target}] import through the API …`);
    const loadBefore = load1();
    const cpuConversa = new CpuMeter(conversaPids(child));
    const cpuPostgres = new CpuMeter(postgresPids(opts.target, child, db?.name));
    const t0 = performance.now();
    const up = await uploadImport(child, listId, csv);
    let peakSeen = 0;
    const view = await waitForImport(api, up.id, log, () => {
      peakSeen = Math.max(peakSeen, child!.memory().rss);
      cpuConversa.sample();
      cpuPostgres.sample();
    });
    const wallMs = performance.now() - t0;
    const mem = child.memory();
    if (view.status !== 'done') throw new Error(`import ${up.id} failed: ${view.error ?? JSON.stringify(view)}`);
    const list = await api.call<{ contact_count: number }>('GET', `/v1/lists/${listId}`);
    const jobMs = span(view.started_at, view.finished_at);
    const rowsPerSec = perSec(view.rows, wallMs);
    const rawPerSec = perSec(raw.rows, raw.ms);
    const figures: ImportFigures = {
      target: opts.target, rows: view.rows, bytes, import: view, uploadMs: up.ms, wallMs, jobMs,
      queueMs: waited(span(view.created_at, view.started_at), up.ms), rowsPerSec, jobRowsPerSec: jobMs ? perSec(view.rows, jobMs) : undefined,
      rawCopy: { ...raw, rowsPerSec: rawPerSec }, ratio: rowsPerSec / rawPerSec,
      idleRss, peakRss: Math.max(mem.peak, peakSeen), contactCount: list.contact_count, load: [loadBefore, load1()],
      cpu: { conversa: cpuConversa.seconds(), postgres: cpuPostgres.seconds() },
    };
    await opts.after?.({ child, api, listId, figures });
    await child.stop();
    child = undefined;
    if (opts.cpuProfDir) {
      figures.profile = profilesIn(opts.cpuProfDir, { newestOnly: true });
      if (!figures.profile) log(`no .cpuprofile in ${opts.cpuProfDir}: did Conversa exit cleanly?`);
    }
    return figures;
  } catch (err) {
    throw withConversaOutput(err, child);
  } finally {
    await child?.stop().catch(() => null);
    await dropUnlessKept(db, opts.keep, log);
  }
}

export function formatImportFigures(all: readonly ImportFigures[]): string {
  const col = (f: (x: ImportFigures) => string) => all.map(f);
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const rows: string[][] = [
    ['', ...all.map((x) => x.target)],
    ['rows in file', ...col((x) => fmtInt(x.rows))],
    ['file size', ...col((x) => mb(x.bytes))],
    ['inserted / updated / rejected', ...col((x) => `${fmtInt(x.import.inserted)} / ${fmtInt(x.import.updated)} / ${fmtInt(x.import.rejected)}`)],
    ['contacts in list', ...col((x) => fmtInt(x.contactCount))],
    ['upload (POST → 202)', ...col((x) => secs(x.uploadMs))],
    ['job waiting for a worker', ...col((x) => (x.queueMs === undefined ? 'n/a' : secs(x.queueMs)))],
    ['job started → finished', ...col((x) => (x.jobMs === undefined ? 'n/a' : secs(x.jobMs)))],
    ['end to end (POST → done seen)', ...col((x) => secs(x.wallMs))],
    ['import rows/s, end to end', ...col((x) => fmtInt(x.rowsPerSec))],
    ['import rows/s, job only', ...col((x) => (x.jobRowsPerSec === undefined ? 'n/a' : fmtInt(x.jobRowsPerSec)))],
    ['raw COPY (20 text columns)', ...col((x) => secs(x.rawCopy.ms))],
    ['raw COPY rows/s', ...col((x) => fmtInt(x.rawCopy.rowsPerSec))],
    ['import / raw COPY (end to end)', ...col((x) => pct(x.ratio))],
    ['import / raw COPY (job only)', ...col((x) => (x.jobRowsPerSec === undefined ? 'n/a' : pct(x.jobRowsPerSec / x.rawCopy.rowsPerSec)))],
    ['Conversa RSS before import', ...col((x) => mb(x.idleRss))],
    ['Conversa peak RSS (VmHWM)', ...col((x) => mb(x.peakRss))],
    ['CPU during import: Conversa', ...col((x) => `${x.cpu.conversa.toFixed(1)} s`)],
    ['CPU during import: PostgreSQL', ...col((x) => `${x.cpu.postgres.toFixed(1)} s${x.target === 'server' ? ' (backends)' : ' (cluster)'}`)],
    ['load average (1 min), start → end', ...col((x) => `${x.load[0].toFixed(1)} → ${x.load[1].toFixed(1)}`)],
  ];
  const verdicts = all.filter((x) => x.target === 'server').flatMap((x) => [
    `target import ≥ ${pct(TARGETS.importVsCopy)} of raw COPY (server): ${x.ratio >= TARGETS.importVsCopy ? 'MET' : 'NOT MET'} (${pct(x.ratio)})`,
    `target peak RSS < ${mb(TARGETS.peakRssBytes)}: ${x.peakRss < TARGETS.peakRssBytes ? 'MET' : 'NOT MET'} (${mb(x.peakRss)})`,
  ]);
  return [table(rows), '', ...verdicts].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      target: { type: 'string', default: 'both' },
      'database-url': { type: 'string', default: DEFAULT_SERVER_URL },
      csv: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const targets: Target[] = values.target === 'both' ? ['server', 'embedded'] : values.target === 'server' || values.target === 'embedded' ? [values.target] : [];
  if (targets.length === 0) throw new Error(`--target must be server, embedded or both (got ${values.target})`);
  const rows = Number(values.rows);
  const seed = Number(values.seed);
  const gen = values.csv ? undefined : await cachedCsv({ rows, seed });
  if (gen) stderrLog(`CSV ${gen.file}: ${gen.generated ? `generated in ${secs(gen.ms)}` : 'reused from cache'}`);
  const all: ImportFigures[] = [];
  for (const target of targets) {
    const cpuProfDir = values['cpu-prof'] ? mkdtempSync(join(tmpdir(), `conversa-prof-${target}-`)) : undefined;
    const f = await runImportBench({ rows, seed, target, serverUrl: values['database-url'], csvFile: values.csv ?? gen?.file, cpuProfDir, keep: values.keep });
    all.push(f);
    // Each target's figures as soon as they exist: a later target's failure does not lose them.
    if (targets.length > 1) stderrLog(`\n${formatImportFigures([f])}\n`);
  }
  console.log(`\nImport benchmark — ${fmtInt(rows)} rows × 20 fields, ${new Date().toISOString()}\n`);
  console.log(formatImportFigures(all));
  for (const f of all) if (f.profile) console.log(`\nCPU profile of the Conversa process (${f.target}): ${f.profile}`);
}
