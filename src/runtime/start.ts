import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../core/config.js';
import { serverKeys } from '../core/server-keys.js';
import { createLogger, type Logger } from '../core/logger.js';
import { systemClock } from '../core/clock.js';
import { createPool, migrate, startEmbedded, type EmbeddedServer, type Pool } from '../db/index.js';
import { bootstrapOwner } from '../accounts/index.js';
import { JobRunner } from '../jobs/index.js';
import { contactJobHandlers } from '../contacts/index.js';
import { BROADCAST_JOB, broadcastJobHandler } from '../messaging/index.js';
import { buildApp } from '../http/app.js';
import { createMetrics } from '../http/metrics.js';
import type { AppDeps } from '../http/deps.js';
import { configuredSandbox, startDispatch, startSandbox, type Stoppable } from './messaging.js';

export interface Running {
  config: Config;
  pool: Pool;
  app?: FastifyInstance;
  runner?: JobRunner;
  /** The address the API listens on (start mode). */
  url?: string;
  stop(): Promise<void>;
}

/** Connects to PostgreSQL (embedded unless DATABASE_URL is set) and applies migrations. */
export async function openDatabase(config: Config, log: Logger): Promise<{ pool: Pool; embedded?: EmbeddedServer }> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbedded(config.dataDir, log);
    url = embedded.url;
  }
  const pool = createPool(url, 20);
  try {
    const applied = await migrate(pool);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    await pool.end();
    await embedded?.stop();
    throw err;
  }
  return { pool, embedded };
}

export function jobHandlers(deps: AppDeps) {
  return { ...contactJobHandlers(deps), [BROADCAST_JOB]: broadcastJobHandler(deps) };
}

/**
 * `conversa start` (API + console + workers) or `conversa worker` (workers only). Returns a
 * handle whose stop() is the graceful shutdown: stop accepting requests and claiming work,
 * let running jobs reach a safe point and release their leases, close the database.
 */
export async function startConversa(opts: { mode: 'start' | 'worker'; config?: Config; listen?: boolean }): Promise<Running> {
  const config = opts.config ?? loadConfig();
  const log = createLogger(config.logLevel);
  const { pool, embedded } = await openDatabase(config, log);
  // Fails here, not at the first OTP, when CONVERSA_SECRET_KEY is malformed.
  const keys = await serverKeys(pool, config.secretKey);
  if (keys.source === 'database') {
    log.warn('CONVERSA_SECRET_KEY is not set: OTP hashes use a key kept in the database; set one in production (docs/otp.md)');
  }
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  if (config.sandbox && opts.mode === 'start') sandbox = await startSandbox(config, pool, log);
  const deps: AppDeps = {
    pool, config, log, clock: systemClock, metrics: createMetrics(pool),
    sandbox: sandbox?.endpoints ?? configuredSandbox(config),
  };

  if (opts.mode === 'start') {
    const boot = await bootstrapOwner(pool, config.bootstrap);
    if (boot.created) printBootstrap(boot, config);
  }

  let runner: JobRunner | undefined;
  let dispatch: Stoppable | undefined;
  if (config.workers.enabled || opts.mode === 'worker') {
    runner = new JobRunner({ pool, log, handlers: jobHandlers(deps), pollMs: config.workers.pollMs, leaseSeconds: config.workers.leaseSeconds });
    await runner.start();
    dispatch = await startDispatch(deps, { pollMs: config.workers.pollMs });
  }

  let app: FastifyInstance | undefined;
  let url: string | undefined;
  if (opts.mode === 'start') {
    app = await buildApp(deps, { health: () => ({ ok: true }) });
    if (opts.listen !== false) url = await app.listen({ port: config.port, host: config.host });
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down');
      await app?.close();
      await runner?.stop();
      await dispatch?.stop();
      await sandbox?.stop();
      await pool.end();
      await embedded?.stop();
      log.info('stopped');
    })());
  return { config, pool, app, runner, url, stop };
}

function printBootstrap(boot: Awaited<ReturnType<typeof bootstrapOwner>>, config: Config): void {
  // Printed once on stdout, not through the logger: generated secrets must never reach log files.
  const lines = [
    '',
    'Conversa: created the owner account.',
    `  console:  ${config.publicUrl}/  (user ${boot.email})`,
  ];
  if (boot.generated.password) lines.push(`  password: ${boot.generated.password}`);
  if (boot.generated.apiKey) lines.push(`  API key:  ${boot.generated.apiKey}`);
  if (boot.generated.password || boot.generated.apiKey) lines.push('  These are shown only now; store them safely.');
  process.stdout.write(lines.join('\n') + '\n\n');
}
