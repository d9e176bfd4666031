import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { openDatabase, startConversa } from '../runtime/start.js';

const USAGE = `Usage: conversa <command>

Commands:
  start     API, console and workers in one process (what \`npm start\` runs)
  worker    workers only, for more processes against one DATABASE_URL
  migrate   apply database migrations and exit

Configuration is by environment: PORT, HOST, CONVERSA_DATA_DIR, DATABASE_URL,
CONVERSA_BOOTSTRAP_API_KEY, CONVERSA_BOOTSTRAP_EMAIL, CONVERSA_BOOTSTRAP_PASSWORD,
CONVERSA_PUBLIC_URL, CONVERSA_SANDBOX (see README.md).`;

export async function run(argv: string[]): Promise<void> {
  const [command] = argv;
  switch (command) {
    case 'start':
    case 'worker': {
      const running = await startConversa({ mode: command });
      if (running.url) process.stdout.write(`Conversa is listening on ${running.url} (console at ${running.config.publicUrl}/)\n`);
      const shutdown = (signal: string) => {
        process.stdout.write(`${signal} received, shutting down\n`);
        const force = setTimeout(() => process.exit(1), 30_000);
        force.unref();
        running.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      return;
    }
    case 'migrate': {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const { pool, embedded } = await openDatabase(config, log);
      await pool.end();
      await embedded?.stop();
      process.stdout.write('migrations are up to date\n');
      return;
    }
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      process.stderr.write(`conversa: unknown command "${command}"\n\n${USAGE}\n`);
      process.exitCode = 2;
  }
}
