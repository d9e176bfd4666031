import { createHash } from 'node:crypto';
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

// Bigints (COUNT(*)) arrive as strings by default; our counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
// NUMERIC stays a string (money must not lose precision); dates stay strings ("2026-01-31").
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);

/** Distinct statement texts prepared by name; past this, new texts run unnamed (generated SQL must not grow without bound). */
const MAX_NAMED = 1000;
const MAX_NAMED_LENGTH = 16_384;
const names = new Map<string, string>();

/** The name a parameterised statement is prepared under, per connection (undefined: run it unnamed). */
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name !== undefined) return name;
  if (names.size >= MAX_NAMED || text.length > MAX_NAMED_LENGTH) return undefined;
  name = `cv_${createHash('sha1').update(text).digest('base64url')}`;
  names.set(text, name);
  return name;
}

/**
 * A client that prepares each parameterised statement once per connection (a named statement):
 * PostgreSQL then skips parsing — and, once its generic plan is chosen, planning — on every later
 * execution. On these machines parse and plan cost more than executing our statements.
 */
class PreparingClient extends pg.Client {
  // pg's query() has many overloads; this forwards them all, turning (text, values) into a named config.
  override query(...args: unknown[]): never {
    const [config, values] = args;
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(config);
      if (name) args = [{ name, text: config, values }, ...args.slice(2)];
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

export function createPool(connectionString: string, max = 10): Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'conversa', Client: PreparingClient });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Runs `fn` in a transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
