import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { openDatabase, startConversa } from '../runtime/start.js';

/** `conversa start` and `conversa worker`: runs until SIGTERM or SIGINT, then shuts down cleanly. */
export async function serve(mode: 'start' | 'worker'): Promise<void> {
  const running = await startConversa({ mode });
  if (running.url) process.stdout.write(`Conversa is listening on ${running.url} (console at ${running.config.publicUrl}/)\n`);
  const shutdown = (signal: string) => {
    process.stdout.write(`${signal} received, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    running.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** `conversa migrate`: opening the database applies the migrations. */
export async function migrate(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const { pool, embedded } = await openDatabase(config, log);
  await pool.end();
  await embedded?.stop();
  process.stdout.write('migrations are up to date\n');
}
