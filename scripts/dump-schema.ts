// Regenerates src/db/schema.txt from a freshly migrated database (npm run schema:dump).
import { writeFileSync } from 'node:fs';
import { createTestDatabase } from '../src/test-support/db.js';
import { describeSchema } from '../src/db/schema-dump.js';

const db = await createTestDatabase();
try {
  writeFileSync(new URL('../src/db/schema.txt', import.meta.url), await describeSchema(db.pool));
  console.log('wrote src/db/schema.txt');
} finally {
  await db.drop();
}
