import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Pool } from '../db/index.js';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  importRows: Counter<'outcome'>;
}

/** One registry per app, so tests can build several apps in one process. */
export function createMetrics(pool: Pool): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'conversa_' });
  const httpDuration = new Histogram({
    name: 'conversa_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const importRows = new Counter({
    name: 'conversa_import_rows_total',
    help: 'CSV import rows processed, by outcome (inserted, updated, rejected)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'conversa_queue_depth',
    help: 'Background jobs waiting or running, by kind and status',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const { rows } = await pool.query<{ kind: string; status: string; n: number }>(
        `SELECT kind, status, count(*) AS n FROM jobs WHERE status IN ('queued', 'running') GROUP BY 1, 2`,
      );
      for (const r of rows) this.set({ kind: r.kind, status: r.status }, r.n);
    },
  });
  return { registry, httpDuration, importRows };
}
