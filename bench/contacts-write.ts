// Where PostgreSQL's share of an import goes: the same N generated contacts (normalised as the
// import stores them) written into `contacts` several ways, against the raw COPY of the CSV into
// 20 text columns that bench/import.ts compares with. Only the database side is timed; building
// each payload in JS is timed apart. No Conversa process: this isolates the table and statement.
//
//   npx tsx bench/contacts-write.ts [--rows 200000] [--database-url postgres://postgres@127.0.0.1:5432/test]
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { from as copyFrom } from 'pg-copy-streams';
import { createPool, migrate, type Pool } from '../src/db/index.js';
import { newId } from '../src/core/ids.js';
import { upsertContacts, type ContactWrite } from '../src/contacts/sql/upsert-contacts.js';
import { cachedCsv, generateRows, todayIso } from './generate-csv.js';
import { benchContactData } from './segment.js';
import { DEFAULT_SERVER_URL, createBenchDatabase, fmtInt, load1, perSec, rawCopy, secs, stderrLog, table } from './lib.js';

const BATCH = 5_000;
const ACCOUNT = 'acc_BENCH';

/** COPY text format: backslash, tab and line breaks escaped. */
const esc = (s: string) => s.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));

export interface WriteVariant { name: string; ms: number; jsMs: number; rowsPerSec: number }

async function copyInto(pool: Pool, tableName: string, listId: string, rows: readonly ContactWrite[]): Promise<{ ms: number; jsMs: number }> {
  const t0 = performance.now();
  const chunks: string[] = [];
  for (let i = 0; i < rows.length; i += 1_000) {
    chunks.push(rows.slice(i, i + 1_000).map((r) => `${ACCOUNT}\t${newId('ct')}\t${listId}\t${esc(r.key)}\t${esc(JSON.stringify(r.data))}\n`).join(''));
  }
  const jsMs = performance.now() - t0;
  const c = await pool.connect();
  try {
    const t1 = performance.now();
    await pipeline(Readable.from(chunks), c.query(copyFrom(`COPY ${tableName} (account_id, id, list_id, key_value, data) FROM STDIN`)));
    return { ms: performance.now() - t1, jsMs };
  } finally {
    c.release();
  }
}

async function batched(rows: readonly ContactWrite[], write: (batch: readonly ContactWrite[]) => Promise<number>): Promise<{ ms: number; jsMs: number }> {
  let ms = 0;
  let jsMs = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const t0 = performance.now();
    const js = await write(rows.slice(i, i + BATCH));
    ms += performance.now() - t0 - js;
    jsMs += js;
  }
  return { ms, jsMs };
}

export async function runContactsWriteBench(opts: { rows: number; serverUrl?: string; log?: (l: string) => void }): Promise<{ raw: WriteVariant; variants: WriteVariant[] }> {
  const log = opts.log ?? stderrLog;
  const baseDate = todayIso();
  const { file } = await cachedCsv({ rows: opts.rows, baseDate });
  const rows: ContactWrite[] = [...generateRows({ rows: opts.rows, baseDate })].map((r) => ({ key: r.cedula, data: benchContactData(r.cells) }));
  const db = await createBenchDatabase(opts.serverUrl ?? DEFAULT_SERVER_URL);
  const pool = createPool(db.url, 2);
  try {
    await migrate(pool);
    await pool.query(`INSERT INTO accounts (id, name) VALUES ($1, 'bench')`, [ACCOUNT]);
    await pool.query(`INSERT INTO lists (account_id, id, name, key_field) VALUES ($1, 'lst_A', 'bench', 'cedula')`, [ACCOUNT]);
    // Every variant writes into an empty table: a table already holding the previous variant's
    // rows has bigger indexes to insert into, which would be charged to the variant.
    await pool.query(`CREATE TABLE bench_fk (LIKE contacts INCLUDING ALL)`);
    await pool.query(`ALTER TABLE bench_fk ADD FOREIGN KEY (account_id) REFERENCES accounts (id),
                        ADD FOREIGN KEY (account_id, list_id) REFERENCES lists (account_id, id)`);
    await pool.query(`CREATE TABLE bench_pkonly (LIKE contacts INCLUDING DEFAULTS, PRIMARY KEY (account_id, id))`);
    await pool.query(`CREATE TABLE bench_noidx (LIKE contacts INCLUDING DEFAULTS)`);
    await pool.query(`CREATE TABLE bench_text (LIKE contacts INCLUDING DEFAULTS)`);
    await pool.query(`ALTER TABLE bench_text ALTER COLUMN data TYPE text`);
    const variants: WriteVariant[] = [];
    const run = async (name: string, fn: () => Promise<{ ms: number; jsMs: number }>) => {
      await pool.query('TRUNCATE contacts');
      await pool.query('CHECKPOINT');
      log(`  ${name} …`);
      const r = await fn();
      variants.push({ name, ...r, rowsPerSec: perSec(opts.rows, r.ms) });
    };
    await pool.query('CHECKPOINT');
    const rawR = await rawCopy(db.url, file);
    const raw: WriteVariant = { name: 'raw COPY of the CSV, 20 text columns', ms: rawR.ms, jsMs: 0, rowsPerSec: perSec(rawR.rows, rawR.ms) };

    await run('upsertContacts() as the import calls it, incl. its JS (payload, ids)', () => batched(rows, async (b) => {
      await upsertContacts(pool, ACCOUNT, 'lst_A', b);
      return 0;
    }));
    // The same statement with the payload built beforehand: PostgreSQL's part alone.
    await run('its statement alone (jsonb_to_recordset, ON CONFLICT)', () => batched(rows, async (b) => {
      const t0 = performance.now();
      const payload = JSON.stringify(b.map((r) => ({ id: newId('ct'), k: r.key, d: r.data })));
      const js = performance.now() - t0;
      await pool.query(
        `INSERT INTO contacts AS c (account_id, id, list_id, key_value, data)
         SELECT $1, r.id, 'lst_A', r.k, r.d FROM jsonb_to_recordset($2::jsonb) AS r(id text, k text, d jsonb)
         ON CONFLICT (account_id, list_id, key_value) DO UPDATE SET data = c.data || EXCLUDED.data, updated_at = now()`,
        [ACCOUNT, payload]);
      return js;
    }));
    const c = await pool.connect();
    try {
      await c.query(`CREATE TEMP TABLE bench_stage (id text, k text, d jsonb)`);
      await run('COPY into a temp stage, then INSERT … SELECT … ON CONFLICT', () => batched(rows, async (b) => {
        const t0 = performance.now();
        const payload = b.map((r) => `${newId('ct')}\t${esc(r.key)}\t${esc(JSON.stringify(r.data))}\n`).join('');
        const js = performance.now() - t0;
        await c.query('BEGIN');
        await pipeline(Readable.from([payload]), c.query(copyFrom('COPY bench_stage FROM STDIN')));
        await c.query(`INSERT INTO contacts AS t (account_id, id, list_id, key_value, data)
                         SELECT $1, s.id, 'lst_A', s.k, s.d FROM bench_stage s
                         ON CONFLICT (account_id, list_id, key_value) DO UPDATE SET data = t.data || EXCLUDED.data, updated_at = now()`, [ACCOUNT]);
        await c.query('TRUNCATE bench_stage');
        await c.query('COMMIT');
        return js;
      }));
    } finally {
      c.release();
    }
    const { rows: shape } = await pool.query<{ fks: number; indexes: number }>(
      `SELECT (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'contacts'::regclass AND contype = 'f') AS fks,
              (SELECT count(*)::int FROM pg_index WHERE indrelid = 'contacts'::regclass) AS indexes`);
    const { fks, indexes } = shape[0]!;
    await run(`plain COPY into contacts as migrated (${fks} foreign keys, ${indexes} indexes)`, () => copyInto(pool, 'contacts', 'lst_A', rows));
    await run('COPY, same indexes plus foreign keys to accounts and lists', () => copyInto(pool, 'bench_fk', 'lst_A', rows));
    await run('COPY, no foreign key, primary key only', () => copyInto(pool, 'bench_pkonly', 'lst_A', rows));
    await run('COPY, no foreign key, no index', () => copyInto(pool, 'bench_noidx', 'lst_A', rows));
    await run('COPY, no foreign key, no index, data as text (no jsonb parse)', () => copyInto(pool, 'bench_text', 'lst_A', rows));
    return { raw, variants };
  } finally {
    await pool.end();
    await db.drop();
  }
}

export function formatContactsWrite(rows: number, r: { raw: WriteVariant; variants: WriteVariant[] }): string {
  const pct = (v: WriteVariant) => `${((v.rowsPerSec / r.raw.rowsPerSec) * 100).toFixed(0)} %`;
  return table([
    [`${fmtInt(rows)} contacts, PostgreSQL side`, 'time', 'rows/s', 'of raw COPY'],
    [r.raw.name, secs(r.raw.ms), fmtInt(r.raw.rowsPerSec), '100 %'],
    ...r.variants.map((v) => [v.name, secs(v.ms), fmtInt(v.rowsPerSec), pct(v)]),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, 'database-url': { type: 'string', default: DEFAULT_SERVER_URL } } });
  const rows = Number(values.rows);
  const before = load1();
  const r = await runContactsWriteBench({ rows, serverUrl: values['database-url'] });
  console.log(`\nWriting contacts — ${fmtInt(rows)} rows, ${new Date().toISOString()}, load average ${before.toFixed(1)} → ${load1().toFixed(1)}\n`);
  console.log(formatContactsWrite(rows, r));
}
