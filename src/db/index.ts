export { createPool, withTransaction, type Pool, type PoolClient, type Queryable } from './pool.js';
export { migrate, loadMigrations } from './migrate.js';
export { startEmbedded, freePort, type EmbeddedServer } from './embedded.js';
export { describeSchema } from './schema-dump.js';
