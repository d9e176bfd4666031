// Segment-count benchmark: 1,000,000 contacts of the import bench's list, a saved segment with a
// three-condition filter (text equality, number range, relative date), its `cx_` expression
// indexes built in the background — then repeated counts through the API, the same predicate as
// SQL on `contacts`, and the same question asked of the raw 20-text-column table (parsed on the
// fly, no index) and of a typed copy with plain b-tree indexes.
//
//   npm run build && npx tsx bench/segment.ts [--rows 1000000] [--target server|embedded|both]
//     [--load copy|import] [--runs 10] [--database-url postgres://postgres@127.0.0.1:5432/test]
//
// --load copy (default) writes the contacts straight into `contacts` with COPY, normalised as
// the import would (checked against src/contacts/normalise-contacts.ts by the smoke test): this
// bench measures counting, not loading. --load import goes through the import API instead.
// Target (issue): the segment count < 300 ms on the PostgreSQL server.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { newId } from '../src/core/ids.js';
import { fieldExpr } from '../src/contacts/segments/field-expr.js';
import { BENCH_FIELDS, BENCH_FILTER, cachedCsv, generateRows, todayIso, type BenchField, type BenchRow } from './generate-csv.js';
import { createBenchList, uploadImport, waitForImport } from './import.js';
import {
  dropUnlessKept, withConversaOutput,
  DEFAULT_SERVER_URL, RAW_TABLE, apiClient, checkBuild, createBenchDatabase, fmtInt, fmtMs, load1, rawCopy, secs, sleep, stderrLog,
  table, timeRuns, withClient, type Api, type BenchDatabase, type ConversaChild, type Log, type Target, type Timing, startConversaChild,
} from './lib.js';

export const TARGET_COUNT_MS = 300;
/** The account time zone the bench sets: `within_next_days` counts calendar days there. */
export const BENCH_TIMEZONE = 'America/Bogota';
const [CITY, SALDO, PAGO] = BENCH_FILTER.and;
const DAYS = PAGO.value;

// ---- the expected answer, computed in JS -----------------------------------------------------

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localToday(tz: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Does a generated row match BENCH_FILTER, with "today" = `today`? */
export function matchesBenchFilter(r: Pick<BenchRow, 'ciudad' | 'saldo' | 'fechaPago'>, today: string): boolean {
  return r.ciudad === CITY.value && r.saldo >= SALDO.value[0] && r.saldo <= SALDO.value[1]
    && r.fechaPago >= today && r.fechaPago <= addDays(today, DAYS);
}

export function expectedCount(opts: { rows: number; seed?: number; baseDate: string }, today: string): number {
  let n = 0;
  for (const r of generateRows(opts)) if (matchesBenchFilter(r, today)) n++;
  return n;
}

// ---- loading contacts straight into the table ------------------------------------------------

const dmy = (s: string) => `${s.slice(6, 10)}-${s.slice(3, 5)}-${s.slice(0, 2)}`;
const coNumber = (s: string) => Number(s.replace(/\./g, '').replace(',', '.'));

/** One generated cell as Conversa stores it (field-types.ts), for this file's formats only. */
function cellValue(f: BenchField, raw: string): string | number | boolean {
  switch (f.type) {
    case 'phone': return `+57${raw.replace(/\D/g, '')}`;
    case 'date': return dmy(raw);
    case 'number': return coNumber(raw);
    case 'boolean': return raw === 'Sí' || raw === 'S';
    default: return raw;
  }
}

/** A generated row's `contacts.data`, normalised the way an import would store it. */
export function benchContactData(cells: readonly string[]): Record<string, string | number | boolean> {
  const data: Record<string, string | number | boolean> = {};
  BENCH_FIELDS.forEach((f, i) => {
    const raw = cells[i] ?? '';
    if (raw !== '') data[f.key] = cellValue(f, raw);
  });
  return data;
}

const csvQuote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * COPYs the generated rows into `contacts` of a list: the bench's fast path to 1M contacts. Ids
 * take the clock at each row, as the import's do per batch: one timestamp for all would make
 * them random within it and scatter the inserts over the whole primary-key index.
 */
export async function copyContacts(databaseUrl: string, listId: string, gen: { rows: number; seed?: number; baseDate: string }): Promise<{ rows: number; ms: number }> {
  return withClient(databaseUrl, async (c) => {
    const { rows } = await c.query<{ account_id: string }>('SELECT account_id FROM lists WHERE id = $1', [listId]);
    const accountId = rows[0]?.account_id;
    if (!accountId) throw new Error(`list ${listId} not found`);
    const t0 = performance.now();
    async function* lines(): AsyncGenerator<string> {
      let chunk = '';
      let n = 0;
      for (const r of generateRows(gen)) {
        chunk += `${accountId},${newId('ct')},${listId},${csvQuote(r.cedula)},${csvQuote(JSON.stringify(benchContactData(r.cells)))}\n`;
        if (++n % 1_000 === 0) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    const copy = c.query(copyFrom('COPY contacts (account_id, id, list_id, key_value, data) FROM STDIN WITH (FORMAT csv)'));
    await pipeline(Readable.from(lines()), copy);
    return { rows: copy.rowCount, ms: performance.now() - t0 };
  });
}

// ---- indexes ---------------------------------------------------------------------------------

export interface IndexInfo { name: string; valid: boolean; bytes: number }

export async function cxIndexes(c: pg.Client): Promise<IndexInfo[]> {
  const { rows } = await c.query<{ name: string; valid: boolean; bytes: string }>(
    `SELECT x.relname AS name, i.indisvalid AS valid, pg_relation_size(x.oid) AS bytes
       FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
      WHERE i.indrelid = 'contacts'::regclass AND x.relname LIKE 'cx\\_%' ORDER BY x.relname`);
  return rows.map((r) => ({ name: r.name, valid: r.valid, bytes: Number(r.bytes) }));
}

/**
 * Waits for what saving a segment starts in the background: at least `expected` cx_ indexes on
 * contacts, all valid, and the ANALYZE that index-builder.ts runs after its last build (so the
 * list read after it is the final one: per-field indexes and the segment's composite index).
 */
export async function waitForIndexes(databaseUrl: string, expected: number, since: Date, log: Log, timeoutMs = 30 * 60_000): Promise<IndexInfo[]> {
  return withClient(databaseUrl, async (c) => {
    const deadline = Date.now() + timeoutMs;
    let analyzedDeadline: number | undefined;
    for (;;) {
      const ixs = await cxIndexes(c);
      const { rows: building } = await c.query(`SELECT 1 FROM pg_stat_progress_create_index WHERE relid = 'contacts'::regclass`);
      const ready = building.length === 0 && ixs.length >= expected && ixs.every((x) => x.valid);
      if (ready) {
        const { rows } = await c.query<{ at: Date | null }>(`SELECT greatest(last_analyze, last_autoanalyze) AS at FROM pg_stat_user_tables WHERE relname = 'contacts'`);
        const at = rows[0]?.at;
        if (at && at >= since) return cxIndexes(c);
        analyzedDeadline ??= Date.now() + 120_000;
        if (Date.now() > analyzedDeadline) {
          log('  no ANALYZE seen 120 s after the indexes were valid; counting anyway');
          return ixs;
        }
      }
      if (Date.now() > deadline) throw new Error(`cx_ indexes not valid after ${timeoutMs / 1000} s: ${JSON.stringify(ixs)}`);
      await sleep(250);
    }
  });
}

// ---- the bench -------------------------------------------------------------------------------

const TYPED_TABLE = 'bench_raw_typed';

/** The filter as SQL over `contacts`, on the same expressions as the cx_ indexes. */
function contactsSql(listId: string, accountId: string, today: string): { text: string; values: unknown[] } {
  const def = (key: string) => BENCH_FIELDS.find((f) => f.key === key)!;
  const city = fieldExpr(def(CITY.field), 'c');
  const saldo = fieldExpr(def(SALDO.field), 'c');
  const pago = fieldExpr(def(PAGO.field), 'c');
  return {
    text: `SELECT count(*)::int AS n FROM contacts c WHERE c.account_id = $1 AND c.list_id = $2 AND c.erased_at IS NULL
             AND ${city} = $3::text AND (${saldo} >= $4::numeric AND ${saldo} <= $5::numeric) AND (${pago} >= $6::text AND ${pago} <= $7::text)`,
    values: [accountId, listId, CITY.value, SALDO.value[0], SALDO.value[1], today, addDays(today, DAYS)],
  };
}

const rawSql = (today: string) => ({
  text: `SELECT count(*)::int AS n FROM ${RAW_TABLE}
          WHERE ciudad = $1 AND replace(replace(saldo, '.', ''), ',', '.')::numeric BETWEEN $2 AND $3
            AND to_date(fecha_pago, 'DD/MM/YYYY') BETWEEN $4::date AND $5::date`,
  values: [CITY.value, SALDO.value[0], SALDO.value[1], today, addDays(today, DAYS)],
});

const typedSql = (today: string) => ({
  text: `SELECT count(*)::int AS n FROM ${TYPED_TABLE} WHERE ciudad = $1 AND saldo BETWEEN $2 AND $3 AND fecha_pago BETWEEN $4::date AND $5::date`,
  values: [CITY.value, SALDO.value[0], SALDO.value[1], today, addDays(today, DAYS)],
});

async function buildTypedTable(c: pg.Client): Promise<number> {
  const t0 = performance.now();
  await c.query(`DROP TABLE IF EXISTS ${TYPED_TABLE}`);
  await c.query(`CREATE TABLE ${TYPED_TABLE} AS SELECT ciudad, replace(replace(saldo, '.', ''), ',', '.')::numeric AS saldo,
                   to_date(fecha_pago, 'DD/MM/YYYY') AS fecha_pago FROM ${RAW_TABLE}`);
  for (const col of ['ciudad', 'saldo', 'fecha_pago']) await c.query(`CREATE INDEX ON ${TYPED_TABLE} (${col})`);
  await c.query(`VACUUM ANALYZE ${TYPED_TABLE}`);
  await c.query(`VACUUM ANALYZE ${RAW_TABLE}`);
  return performance.now() - t0;
}

/** The plan's node lines, without costs: enough to see which indexes a count used. */
async function planOf(c: pg.Client, q: { text: string; values: unknown[] }): Promise<string> {
  const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) ${q.text}`, q.values);
  return rows.map((r) => r['QUERY PLAN']).filter((l) => !/^\s*(Planning|Execution|Buffers)/.test(l) || /Execution Time/.test(l)).join('\n');
}

export interface SegmentFigures {
  target: Target;
  rows: number;
  load: { method: 'copy' | 'import'; ms: number };
  indexBuildMs: number;
  indexes: IndexInfo[];
  expected: number;
  today: string;
  /** Before VACUUM: right after the load and the index builds (with their ANALYZE). */
  apiSegment: Timing;
  apiInline: Timing;
  sqlContacts: Timing;
  /** After VACUUM ANALYZE contacts (visibility map set, as autovacuum leaves a table at rest). */
  apiSegmentVacuumed: Timing;
  sqlContactsVacuumed: Timing;
  rawText: Timing;
  rawTyped: Timing;
  counts: { api: number; inline: number; sql: number; raw: number; typed: number };
  plan: string;
  /** 1-minute load average before and after the timed counts. */
  loadAvg: [number, number];
}

export interface SegmentBenchOptions {
  rows: number;
  seed?: number;
  target: Target;
  serverUrl?: string;
  load?: 'copy' | 'import';
  runs?: number;
  keep?: boolean;
  log?: Log;
}

export async function runSegmentBench(opts: SegmentBenchOptions): Promise<SegmentFigures> {
  const log = opts.log ?? stderrLog;
  const runs = opts.runs ?? 10;
  const method = opts.load ?? 'copy';
  checkBuild(log);
  const baseDate = todayIso();
  const gen = { rows: opts.rows, seed: opts.seed, baseDate };
  const { file } = await cachedCsv(gen);
  let db: BenchDatabase | undefined;
  if (opts.target === 'server') db = await createBenchDatabase(opts.serverUrl ?? DEFAULT_SERVER_URL);
  let child: ConversaChild | undefined;
  try {
    child = await startConversaChild({
      target: opts.target, databaseUrl: db?.url, log,
      env: { CONVERSA_IMPORT_BODY_LIMIT: String(2 * 1024 * 1024 * 1024) },
    });
    const dbUrl = child.databaseUrl;
    const api: Api = apiClient(child.url, child.apiKey);
    await api.call('PATCH', '/v1/settings/policy', { timezone: BENCH_TIMEZONE });
    const listId = await createBenchList(api);
    log(`[${opts.target}] loading ${fmtInt(opts.rows)} contacts (${method}) …`);
    let loadMs: number;
    if (method === 'import') {
      const t0 = performance.now();
      const up = await uploadImport(child, listId, file);
      const v = await waitForImport(api, up.id, log);
      if (v.status !== 'done' || v.rejected !== 0) throw new Error(`import ${up.id}: ${JSON.stringify(v)}`);
      loadMs = performance.now() - t0;
    } else {
      loadMs = (await copyContacts(dbUrl, listId, gen)).ms;
    }
    log(`[${opts.target}] raw table and its typed copy …`);
    await rawCopy(dbUrl, file);
    const accountId = await withClient(dbUrl, async (c) => {
      await buildTypedTable(c);
      const { rows } = await c.query<{ account_id: string }>('SELECT account_id FROM lists WHERE id = $1', [listId]);
      return rows[0]!.account_id;
    });

    log(`[${opts.target}] saving the segment; waiting for its cx_ indexes …`);
    const since = await withClient(dbUrl, async (c) => (await c.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now);
    const t0 = performance.now();
    const seg = await api.call<{ id: string }>('POST', `/v1/lists/${listId}/segments`, { name: 'Bogotá, saldo 1–5 M, pago en 30 días', filter: BENCH_FILTER });
    const indexes = await waitForIndexes(dbUrl, BENCH_FILTER.and.length, since, log);
    const indexBuildMs = performance.now() - t0;

    const today = localToday(BENCH_TIMEZONE);
    const expected = expectedCount(gen, today);
    log(`[${opts.target}] timing counts (${runs} runs each) …`);
    const loadBefore = load1();
    const apiSegment = await timeRuns(runs, 1, () => api.call<{ count: number }>('GET', `/v1/segments/${seg.id}/count`));
    const apiInline = await timeRuns(runs, 1, () => api.call<{ count: number }>('POST', `/v1/lists/${listId}/contacts/count`, { filter: BENCH_FILTER }));
    const m = await withClient(dbUrl, async (c) => {
      const q = contactsSql(listId, accountId, today);
      const count = (query: { text: string; values: unknown[] }) => async () => (await c.query<{ n: number }>(query.text, query.values)).rows[0]!.n;
      const sqlContacts = await timeRuns(runs, 1, count(q));
      const plan = await planOf(c, q);
      const rawText = await timeRuns(Math.min(runs, 5), 1, count(rawSql(today)));
      const rawTyped = await timeRuns(runs, 1, count(typedSql(today)));
      await c.query('VACUUM ANALYZE contacts');
      const sqlContactsVacuumed = await timeRuns(runs, 1, count(q));
      return { sqlContacts, plan, rawText, rawTyped, sqlContactsVacuumed };
    });
    const apiSegmentVacuumed = await timeRuns(runs, 1, () => api.call<{ count: number }>('GET', `/v1/segments/${seg.id}/count`));
    return {
      target: opts.target, rows: opts.rows, load: { method, ms: loadMs }, indexBuildMs, indexes, expected, today,
      apiSegment: apiSegment.timing, apiInline: apiInline.timing, sqlContacts: m.sqlContacts.timing,
      apiSegmentVacuumed: apiSegmentVacuumed.timing, sqlContactsVacuumed: m.sqlContactsVacuumed.timing,
      rawText: m.rawText.timing, rawTyped: m.rawTyped.timing,
      counts: { api: apiSegment.last.count, inline: apiInline.last.count, sql: m.sqlContacts.last, raw: m.rawText.last, typed: m.rawTyped.last },
      plan: m.plan, loadAvg: [loadBefore, load1()],
    };
  } catch (err) {
    throw withConversaOutput(err, child);
  } finally {
    await child?.stop().catch(() => null);
    await dropUnlessKept(db, opts.keep, log);
  }
}

export function formatSegmentFigures(all: readonly SegmentFigures[]): string {
  const t = (x: Timing) => `${fmtMs(x.p50)} / ${fmtMs(x.min)} / ${fmtMs(x.p95)}`;
  const col = (f: (x: SegmentFigures) => string) => all.map(f);
  const rows: string[][] = [
    ['p50 / min / p95', ...all.map((x) => x.target)],
    ['contacts', ...col((x) => fmtInt(x.rows))],
    ['load', ...col((x) => `${x.load.method}, ${secs(x.load.ms)}`)],
    ['segment saved → cx_ indexes valid + ANALYZE', ...col((x) => secs(x.indexBuildMs))],
    ['cx_ indexes (total size)', ...col((x) => `${x.indexes.length} (${(x.indexes.reduce((s, i) => s + i.bytes, 0) / 1048576).toFixed(0)} MB)`)],
    ['count (expected, computed in JS)', ...col((x) => `${fmtInt(x.counts.api)} (${fmtInt(x.expected)})`)],
    ['API GET /v1/segments/:id/count', ...col((x) => t(x.apiSegment))],
    ['API POST /v1/lists/:id/contacts/count', ...col((x) => t(x.apiInline))],
    ['SQL on contacts, same predicate', ...col((x) => t(x.sqlContacts))],
    ['after VACUUM: API segment count', ...col((x) => t(x.apiSegmentVacuumed))],
    ['after VACUUM: SQL on contacts', ...col((x) => t(x.sqlContactsVacuumed))],
    ['raw 20-text table, parsed, no index', ...col((x) => t(x.rawText))],
    ['typed table, 3 b-tree indexes', ...col((x) => t(x.rawTyped))],
    ['load average (1 min), start → end', ...col((x) => `${x.loadAvg[0].toFixed(1)} → ${x.loadAvg[1].toFixed(1)}`)],
  ];
  const lines = [table(rows), ''];
  for (const x of all) {
    const c = x.counts;
    const agree = [c.api, c.inline, c.sql, c.raw, c.typed].every((n) => n === x.expected);
    lines.push(`[${x.target}] counts ${agree ? 'all agree' : `DISAGREE: ${JSON.stringify(c)} expected ${x.expected}`} (today ${x.today} in ${BENCH_TIMEZONE})`);
    if (x.target === 'server') {
      lines.push(`[${x.target}] target segment count < ${TARGET_COUNT_MS} ms: ${x.apiSegment.p50 < TARGET_COUNT_MS ? 'MET' : 'NOT MET'} (API p50 ${fmtMs(x.apiSegment.p50)})`);
    }
    lines.push(`[${x.target}] plan of the SQL count (before VACUUM):\n${x.plan.replace(/^/gm, '    ')}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      target: { type: 'string', default: 'both' },
      load: { type: 'string', default: 'copy' },
      runs: { type: 'string', default: '10' },
      'database-url': { type: 'string', default: DEFAULT_SERVER_URL },
      keep: { type: 'boolean', default: false },
    },
  });
  const targets: Target[] = values.target === 'both' ? ['server', 'embedded'] : values.target === 'server' || values.target === 'embedded' ? [values.target] : [];
  if (targets.length === 0) throw new Error(`--target must be server, embedded or both (got ${values.target})`);
  if (values.load !== 'copy' && values.load !== 'import') throw new Error(`--load must be copy or import (got ${values.load})`);
  const all: SegmentFigures[] = [];
  for (const target of targets) {
    const f = await runSegmentBench({
      rows: Number(values.rows), seed: Number(values.seed), target, serverUrl: values['database-url'],
      load: values.load, runs: Number(values.runs), keep: values.keep,
    });
    all.push(f);
    if (targets.length > 1) stderrLog(`\n${formatSegmentFigures([f])}\n`);
  }
  console.log(`\nSegment count benchmark — ${fmtInt(Number(values.rows))} contacts, filter ${JSON.stringify(BENCH_FILTER)}, ${new Date().toISOString()}`);
  if (values.load === 'copy') console.log('Contacts loaded by COPY straight into `contacts` (normalised as an import stores them): this bench measures counting, not importing.');
  console.log(`\n${formatSegmentFigures(all)}`);
}
