import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SandboxEndpoints } from '../channels/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// The dispatch workers (outbox, flow runs, events, entries) alone in a process, reaching a test's
// sandbox sinks by their ports: what the crash tests SIGKILL.
const WORKER = `
import { loadConfig } from './src/core/config.ts';
import { createLogger } from './src/core/logger.ts';
import { systemClock } from './src/core/clock.ts';
import { createPool } from './src/db/index.ts';
import { createMetrics } from './src/http/metrics.ts';
import { configuredSandbox, startDispatch } from './src/runtime/messaging.ts';
const config = loadConfig(process.env);
const pool = createPool(config.databaseUrl, 5);
const deps = { pool, config, log: createLogger('error', process.stderr), clock: systemClock, metrics: createMetrics(pool), sandbox: configuredSandbox(config) };
await startDispatch(deps, { pollMs: 100 });
`;

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<void>;
  /** What it wrote on stderr so far (errors), for assertion messages. */
  stderr(): string;
}

/** Starts the workers in a child process on `databaseUrl`, with leases of `leaseSeconds`. */
export function spawnWorkerProcess(databaseUrl: string, sandbox: SandboxEndpoints, leaseSeconds = 3): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WORKER], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL: databaseUrl, CONVERSA_SANDBOX: '1', CONVERSA_LEASE_SECONDS: String(leaseSeconds),
      CONVERSA_SANDBOX_SMTP_PORT: String(sandbox.smtpPort), CONVERSA_SANDBOX_SMPP_PORT: String(sandbox.smscPort),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited, stderr: () => err };
}
