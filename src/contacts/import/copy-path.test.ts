// The import's COPY path (writeContacts): new contacts by COPY, existing ones by the upsert, and
// the fallback to the upsert when another writer inserts a "new" key between the existence check
// and the COPY. Counts must stay exact and no key may be stored twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test-support/db.js';
import type { PoolClient } from '../../db/index.js';
import { insertAccount } from '../../accounts/sql/accounts.js';
import { insertList, getList } from '../sql/lists.js';
import { checkFields } from '../lists.js';
import type { ListSchema } from '../fields.js';
import { existingKeys, upsertContacts, type ContactWrite } from '../sql/upsert-contacts.js';
import { contactCopyChunks, copyText, writeContacts } from '../sql/copy-contacts.js';
import { prepareBatch, writeBatch } from './import-batch.js';

let db: TestDatabase;
let list: ListSchema;
const ACC = 'acc_COPY';

before(async () => {
  db = await createTestDatabase();
  await insertAccount(db.pool, { id: ACC, name: 'copy', parentId: null });
  await insertList(db.pool, {
    accountId: ACC, id: 'lst_COPY', name: 'copy', keyField: 'doc', defaultCountry: null, dateFormat: 'yyyy-mm-dd', decimalSeparator: '.',
    fields: checkFields([{ key: 'doc', label: 'Doc', type: 'text' }, { key: 'nombre', label: 'Nombre', type: 'text' }, { key: 'saldo', label: 'Saldo', type: 'number' }]),
  });
  list = (await getList(db.pool, ACC, 'lst_COPY'))!;
});
after(async () => { await db.drop(); });

async function inTx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await db.pool.connect();
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}

async function stored(keys: string[]): Promise<Record<string, { n: number; data: Record<string, unknown> }>> {
  const { rows } = await db.pool.query<{ key_value: string; n: number; data: Record<string, unknown> }>(
    `SELECT key_value, count(*) OVER (PARTITION BY key_value) AS n, data FROM contacts WHERE list_id = $1 AND key_value = ANY($2)`, [list.id, keys]);
  return Object.fromEntries(rows.map((r) => [r.key_value, { n: r.n, data: r.data }]));
}

test('COPY text escaping: backslash, tab, newline and CR in keys and values round-trip', async () => {
  assert.equal(copyText('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
  assert.equal(copyText('plain'), 'plain');
  const odd = ['t\\1', 't\t2', 't\n3', 't\r4', '\\N', 't"5'];
  const rows: ContactWrite[] = odd.map((k, i) => ({ key: k, data: { doc: k, nombre: `Ñandú \\ "x"\t${i}\n\r\u2028`, saldo: i + 0.5, clear: null } }));
  const r = await inTx((c) => writeContacts(c, ACC, list.id, rows, new Set()));
  assert.deepEqual(r, { inserted: odd.length, updated: 0, path: 'copy' });
  const s = await stored(odd);
  for (const [i, k] of odd.entries()) {
    assert.deepEqual(s[k], { n: 1, data: { doc: k, nombre: `Ñandú \\ "x"\t${i}\n\r\u2028`, saldo: i + 0.5 } }, JSON.stringify(k));
  }
  // Every line is one row: five tab-separated columns, no raw line break inside.
  const text = Buffer.concat(contactCopyChunks(ACC, list.id, rows)).toString();
  const lines = text.split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, odd.length);
  for (const l of lines) assert.equal(l.split('\t').length, 5, l);
});

test('new keys by COPY, existing ones by the upsert: exact counts, values merged', async () => {
  await inTx((c) => upsertContacts(c, ACC, list.id, [{ key: 'm1', data: { doc: 'm1', nombre: 'Uno', saldo: 1 } }]));
  const rows: ContactWrite[] = [
    { key: 'm1', data: { doc: 'm1', saldo: 10 } },
    { key: 'm2', data: { doc: 'm2', nombre: 'Dos' } },
    { key: 'm3', data: { doc: 'm3', nombre: 'Tres' } },
  ];
  const r = await inTx(async (c) => writeContacts(c, ACC, list.id, rows, await existingKeys(c, ACC, list.id, ['m1', 'm2', 'm3'])));
  assert.deepEqual(r, { inserted: 2, updated: 1, path: 'copy' });
  const s = await stored(['m1', 'm2', 'm3']);
  assert.deepEqual(s.m1, { n: 1, data: { doc: 'm1', nombre: 'Uno', saldo: 10 } });
  assert.deepEqual(s.m2, { n: 1, data: { doc: 'm2', nombre: 'Dos' } });
});

test('a stale existence check (a key inserted since): the COPY fails, the batch falls back to the upsert', async () => {
  await inTx((c) => upsertContacts(c, ACC, list.id, [{ key: 's1', data: { doc: 's1', nombre: 'Antes', saldo: 1 } }]));
  const rows: ContactWrite[] = [
    { key: 's0', data: { doc: 's0', nombre: 'Nuevo' } },
    { key: 's1', data: { doc: 's1', saldo: 2 } },
    { key: 's2', data: { doc: 's2', nombre: 'Otro' } },
  ];
  // `existing` as it was before s1 was inserted: s1 is taken for new.
  const r = await inTx(async (c) => {
    const out = await writeContacts(c, ACC, list.id, rows, new Set());
    // The transaction is still usable after the failed COPY (rolled back to the savepoint).
    assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
    return out;
  });
  assert.deepEqual(r, { inserted: 2, updated: 1, path: 'upsert' });
  const s = await stored(['s0', 's1', 's2']);
  assert.deepEqual(s.s1, { n: 1, data: { doc: 's1', nombre: 'Antes', saldo: 2 } });
  assert.deepEqual([s.s0?.n, s.s2?.n], [1, 1]);
});

test('a concurrent writer inserts a key between the check and the COPY: the batch waits, then falls back; counts exact', async () => {
  // Another transaction inserts c5 and holds it uncommitted: the import's existence check cannot
  // see it, its COPY waits on the key, then gets a unique violation once the other one commits.
  const other = await db.pool.connect();
  try {
    await other.query('BEGIN');
    await upsertContacts(other, ACC, list.id, [{ key: 'c5', data: { doc: 'c5', nombre: 'Concurrente' } }]);
    const csvRows = [
      { line: 2, fields: ['c4', 'Cuatro', '4'] },
      { line: 3, fields: ['c5', '', '5'] },
      { line: 4, fields: ['c6', 'Seis', 'x'] }, // rejected: not a number
      { line: 5, fields: ['c4', '', '44'] }, // folded into line 2: an update
    ];
    const batch = prepareBatch(list, ['doc', 'nombre', 'saldo'], csvRows, ',');
    const client = await db.pool.connect();
    let importPid = 0;
    const write = (async () => {
      try {
        await client.query('BEGIN');
        importPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await client.query(`INSERT INTO imports (account_id, id, list_id) VALUES ($1, 'imp_COPY', $2)`, [ACC, list.id]);
        const counts = await writeBatch(client, 'imp_COPY', list, batch);
        await client.query('COMMIT');
        return counts;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    })();
    // Wait until the import's COPY is blocked on the other transaction's key.
    for (let i = 0; ; i++) {
      const { rows } = await db.pool.query<{ wait: string | null; query: string }>(
        'SELECT wait_event_type AS wait, query FROM pg_stat_activity WHERE pid = $1', [importPid]);
      if (rows[0]?.wait === 'Lock' && rows[0].query.startsWith('COPY')) break;
      assert.ok(i < 200, `the import's COPY never waited: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await other.query('COMMIT');
    const counts = await write;
    assert.deepEqual(counts, { rows: 4, inserted: 1, updated: 2, rejected: 1 });
  } finally {
    other.release();
  }
  const s = await stored(['c4', 'c5', 'c6']);
  assert.deepEqual(s.c4, { n: 1, data: { doc: 'c4', nombre: 'Cuatro', saldo: 44 } });
  assert.deepEqual(s.c5, { n: 1, data: { doc: 'c5', nombre: 'Concurrente', saldo: 5 } });
  assert.equal(s.c6, undefined);
});

test('writeBatch: after a batch that updated contacts the next goes straight to the upsert, until one updates none', async () => {
  const batch = (keys: string[], line = 2) => prepareBatch(list, ['doc', 'nombre', 'saldo'], keys.map((k, i) => ({ line: line + i, fields: [k, `N ${k}`, '1'] })), ',');
  const mode = { copy: true };
  const write = (keys: string[]) => inTx(async (c) => {
    const before = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM contacts WHERE list_id = $1`, [list.id]);
    const counts = await writeBatch(c, 'imp_MODE', list, batch(keys), mode);
    const after = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM contacts WHERE list_id = $1`, [list.id]);
    assert.equal(after.rows[0]!.n - before.rows[0]!.n, counts.inserted, 'inserted = contacts added');
    return counts;
  });
  await db.pool.query(`INSERT INTO imports (account_id, id, list_id) VALUES ($1, 'imp_MODE', $2)`, [ACC, list.id]);
  assert.deepEqual(await write(['a1', 'a2']), { rows: 2, inserted: 2, updated: 0, rejected: 0 });
  assert.equal(mode.copy, true);
  // a2 exists: the COPY fails, the upsert counts it; the next batch skips the COPY.
  assert.deepEqual(await write(['a3', 'a2', 'a4']), { rows: 3, inserted: 2, updated: 1, rejected: 0 });
  assert.equal(mode.copy, false);
  assert.deepEqual(await write(['a5', 'a6']), { rows: 2, inserted: 2, updated: 0, rejected: 0 });
  assert.equal(mode.copy, true);
  const s = await stored(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
  assert.deepEqual(Object.values(s).map((x) => x.n), [1, 1, 1, 1, 1, 1]);
});
