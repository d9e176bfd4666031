import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../test-support/db.js';
import { describeSchema } from './schema-dump.js';
import { migrate } from './migrate.js';
import { createPool } from './pool.js';

const DUMP = fileURLToPath(new URL('./schema.txt', import.meta.url));

test('the migrated database matches the checked-in schema dump (npm run schema:dump to refresh)', async () => {
  const db = await createTestDatabase();
  try {
    const actual = await describeSchema(db.pool);
    assert.equal(actual, readFileSync(DUMP, 'utf8'));
  } finally {
    await db.drop();
  }
});

test('two processes migrating at once: the advisory lock serialises them, each migration runs once', async () => {
  const db = await createTestDatabase({ migrate: false });
  const other = createPool(db.url, 2);
  try {
    const [a, b] = await Promise.all([migrate(db.pool), migrate(other)]);
    assert.equal(a.length + b.length, (await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n);
    assert.ok(a.length === 0 || b.length === 0, 'one of them found nothing to do');
    assert.deepEqual(await migrate(db.pool), []);
  } finally {
    await other.end();
    await db.drop();
  }
});
