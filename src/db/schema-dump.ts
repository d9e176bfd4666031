import type { Queryable } from './pool.js';

/**
 * A text description of the public schema — tables, columns, constraints, indexes — stable across
 * PostgreSQL versions (the embedded server is 18, a system server may be 15). The checked-in
 * `schema.sql.txt` is compared with it by a test, so a migration that drifts is caught.
 * Indexes that segments create on demand (`cx_…`) are data, not schema, and are left out.
 */
export async function describeSchema(db: Queryable): Promise<string> {
  const cols = await db.query<{ t: string; c: string; ty: string; n: string; d: string | null }>(`
    SELECT table_name AS t, column_name AS c, data_type AS ty, is_nullable AS n, column_default AS d
    FROM information_schema.columns WHERE table_schema = 'public'
    ORDER BY table_name, column_name`);
  const cons = await db.query<{ t: string; def: string }>(`
    SELECT cl.relname AS t, pg_get_constraintdef(co.oid) AS def
    FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
    JOIN pg_namespace ns ON ns.oid = cl.relnamespace WHERE ns.nspname = 'public'
    ORDER BY 1, 2`);
  const idx = await db.query<{ t: string; i: string; def: string }>(`
    SELECT tablename AS t, indexname AS i, indexdef AS def FROM pg_indexes
    WHERE schemaname = 'public' AND indexname NOT LIKE 'cx\\_%' ORDER BY 1, 2`);
  const lines: string[] = [];
  for (const r of cols.rows) {
    lines.push(`column ${r.t}.${r.c} ${r.ty}${r.n === 'NO' ? ' not null' : ''}${r.d ? ` default ${r.d}` : ''}`);
  }
  for (const r of cons.rows) lines.push(`constraint ${r.t} ${r.def}`);
  for (const r of idx.rows) lines.push(`index ${r.t} ${r.i} ${r.def.replace(/ USING btree/, '')}`);
  return lines.join('\n') + '\n';
}
