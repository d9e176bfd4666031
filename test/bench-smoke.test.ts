// The benchmarks in small (2,000 rows), so that `npm test` keeps them working: the generated file
// imports without a rejection, and a saved segment counts what a count in JS over the generated
// rows says. The real figures come from `npx tsx bench/import.ts` / `bench/segment.ts` (docs/benchmarks.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BENCH_FIELDS, benchListDefinition, generateRows, todayIso } from '../bench/generate-csv.js';
import { runImportBench } from '../bench/import.js';
import { benchContactData, runSegmentBench } from '../bench/segment.js';
import { silent } from '../bench/lib.js';
import { SERVER_URL } from '../src/test-support/db.js';
import { normaliseContacts } from '../src/contacts/normalise-contacts.js';
import { checkFields } from '../src/contacts/lists.js';

const ROWS = 2_000;

test('bench: the COPY fast path stores exactly what the normaliser would', () => {
  const def = benchListDefinition();
  const list = {
    id: 'lst_BENCH', account_id: 'acc_BENCH', key_field: def.key_field, default_country: def.default_country,
    date_format: 'dd/mm/yyyy' as const, decimal_separator: def.decimal_separator, fields: checkFields(def.fields),
  };
  const rows = [...generateRows({ rows: ROWS, baseDate: todayIso() })];
  const records = rows.map((r) => Object.fromEntries(BENCH_FIELDS.map((f, i) => [f.key, r.cells[i]])));
  const { contacts, rejected } = normaliseContacts(list, records, { requireRequired: true });
  assert.deepEqual(rejected, []);
  assert.equal(contacts.length, ROWS);
  contacts.forEach((c, i) => assert.deepEqual(c.data, benchContactData(rows[i]!.cells), `row ${i}`));
});

test('bench/import: 2,000 generated rows import through the API job with no rejection', { timeout: 60_000 }, async () => {
  const f = await runImportBench({ rows: ROWS, target: 'server', serverUrl: SERVER_URL, log: silent });
  assert.equal(f.import.status, 'done');
  assert.equal(f.import.rows, ROWS);
  assert.equal(f.import.rejected, 0);
  assert.equal(f.import.inserted, ROWS);
  assert.equal(f.contactCount, ROWS);
  assert.equal(f.rawCopy.rows, ROWS);
  assert.ok(f.peakRss > 0, 'the Conversa process memory was read');
});

test('bench/segment: the imported contacts count as the generated rows say', { timeout: 60_000 }, async () => {
  const f = await runSegmentBench({ rows: ROWS, target: 'server', serverUrl: SERVER_URL, load: 'import', runs: 2, log: silent });
  assert.ok(f.expected > 0, 'the filter matches some rows');
  assert.deepEqual(f.counts, { api: f.expected, inline: f.expected, sql: f.expected, raw: f.expected, typed: f.expected });
  assert.ok(f.indexes.length >= 3, 'an index per field (and the segment\'s composite one)');
  assert.ok(f.indexes.every((ix) => ix.valid));
});
