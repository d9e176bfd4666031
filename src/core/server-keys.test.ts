import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../test-support/db.js';
import { serverKeys } from './server-keys.js';

let db: TestDatabase | undefined;
after(async () => { await db?.drop(); });

test('a database remembers the first master key: another one is refused, the same one and the stored one work', async () => {
  db = await createTestDatabase();
  const q = () => ({ query: db!.pool.query.bind(db!.pool) });
  const a = await serverKeys(q(), 'a'.repeat(64));
  assert.equal(a.source, 'env');
  const again = await serverKeys(q(), 'a'.repeat(64));
  assert.ok(again.otpHmac.equals(a.otpHmac), 'the same key derives the same keys');
  await assert.rejects(serverKeys(q(), 'b'.repeat(64)), /not the key this database was first used with/);
  await assert.rejects(serverKeys(q(), undefined), /not the key this database was first used with/, 'nor a generated one later');
  await assert.rejects(serverKeys(q(), 'c2hvcnQ='), /at least 32 bytes/);
});
