import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { systemClock, type Clock } from '../core/clock.js';
import { bootstrapOwner, createAccount } from '../accounts/index.js';
import { buildApp } from '../http/app.js';
import { createMetrics } from '../http/metrics.js';
import type { AppDeps } from '../http/deps.js';
import { JobRunner } from '../jobs/index.js';
import { jobHandlers } from '../runtime/start.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { startDispatch, startSandbox, type Stoppable } from '../runtime/messaging.js';

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  deps: AppDeps;
  /** The owner API key of the bootstrapped account. */
  key: string;
  accountId: string;
  /** `app.inject` with the owner key (or another) and JSON handling. */
  call(method: InjectOptions['method'], url: string, body?: unknown, opts?: { key?: string; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** Another top-level account with its own owner key (for isolation tests). */
  newAccount(name?: string): Promise<{ id: string; key: string }>;
  /** Starts background workers (imports…) for this app. */
  startWorkers(): Promise<JobRunner>;
  close(): Promise<void>;
}

export const OWNER_PASSWORD = 'correct horse battery staple';

export async function createTestApp(opts: { config?: Partial<Config>; clock?: Clock; sandbox?: boolean } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config: Config = { ...loadConfig({}), databaseUrl: db.url, ...opts.config };
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  // The sandbox sinks (real SMTP and SMPP servers on free ports) only when a test asks for them.
  const sandbox = opts.sandbox ? await startSandbox(config, db.pool, log) : undefined;
  const deps: AppDeps = { pool: db.pool, config, log, clock: opts.clock ?? systemClock, metrics: createMetrics(db.pool), sandbox: sandbox?.endpoints };
  const boot = await bootstrapOwner(db.pool, { email: 'owner@example.com', password: OWNER_PASSWORD });
  const key = boot.generated.apiKey!;
  const app = await buildApp(deps);
  const runners: JobRunner[] = [];
  const dispatchers: Stoppable[] = [];
  const call: TestApp['call'] = (method, url, body, o = {}) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${o.key ?? key}`, ...(o.headers ?? {}) },
      ...(body === undefined ? {} : typeof body === 'string' || Buffer.isBuffer(body) ? { payload: body } : { payload: body as object }),
    });
  return {
    app, db, deps, key, accountId: boot.accountId!, call,
    async newAccount(name = 'Other bank') {
      const acc = await createAccount(db.pool, { name, parentId: null, actor: 'system' });
      return { id: acc.id, key: acc.apiKey };
    },
    async startWorkers() {
      const runner = new JobRunner({ pool: db.pool, log, handlers: jobHandlers(deps), pollMs: 100, leaseSeconds: config.workers.leaseSeconds });
      await runner.start();
      runners.push(runner);
      dispatchers.push(await startDispatch(deps, { pollMs: 100 }));
      return runner;
    },
    async close() {
      for (const r of runners) await r.stop();
      for (const d of dispatchers) await d.stop();
      await app.close();
      await sandbox?.stop();
      await db.drop();
    },
  };
}
