import { resolve } from 'node:path';
import { parseAllowList } from './ssrf.js';

/** Process configuration, read once from the environment (API.md, "Process"). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string;
  bootstrap: { apiKey?: string; email: string; password?: string };
  sandbox: boolean;
  /** Ports of the sandbox SMTP server and SMSC (0: a free port; a worker process must be given them). */
  sandboxPorts: { smtp: number; smsc: number };
  /** The bounce receiver's SMTP port for the return-path domain (undefined: not started). */
  bouncePort: number | undefined;
  /** CIDRs that user-configured URLs (webhooks, HTTP providers) may reach despite the SSRF guard. */
  ssrfAllow: string[];
  /** Largest attachment total of one message, in bytes. */
  attachmentLimit: number;
  /** Largest request body accepted by upload routes (imports). Other routes take 10 MB. */
  importBodyLimit: number;
  bodyLimit: number;
  workers: { enabled: boolean; pollMs: number; leaseSeconds: number };
  logLevel: string;
  /** CONVERSA_SECRET_KEY: the master key OTP hashes and sealed codes derive from (else one kept in the database). */
  secretKey?: string;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 8080);
  const host = env.HOST || '127.0.0.1';
  return {
    port,
    host,
    dataDir: resolve(env.CONVERSA_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    secretKey: env.CONVERSA_SECRET_KEY || undefined,
    publicUrl: (env.CONVERSA_PUBLIC_URL || `http://${host}:${port}`).replace(/\/$/, ''),
    bootstrap: {
      apiKey: env.CONVERSA_BOOTSTRAP_API_KEY || undefined,
      email: env.CONVERSA_BOOTSTRAP_EMAIL || 'admin@localhost',
      password: env.CONVERSA_BOOTSTRAP_PASSWORD || undefined,
    },
    sandbox: env.CONVERSA_SANDBOX === undefined ? true : env.CONVERSA_SANDBOX === '1',
    sandboxPorts: { smtp: int(env, 'CONVERSA_SANDBOX_SMTP_PORT', 0), smsc: int(env, 'CONVERSA_SANDBOX_SMPP_PORT', 0) },
    bouncePort: env.CONVERSA_BOUNCE_PORT ? int(env, 'CONVERSA_BOUNCE_PORT', 0) : undefined,
    ssrfAllow: parseAllowList(env.CONVERSA_SSRF_ALLOW),
    attachmentLimit: int(env, 'CONVERSA_ATTACHMENT_LIMIT', 10 * 1024 * 1024),
    importBodyLimit: int(env, 'CONVERSA_IMPORT_BODY_LIMIT', 100 * 1024 * 1024),
    bodyLimit: int(env, 'CONVERSA_BODY_LIMIT', 10 * 1024 * 1024),
    workers: {
      enabled: env.CONVERSA_WORKERS !== '0',
      pollMs: int(env, 'CONVERSA_WORKER_POLL_MS', 1000),
      leaseSeconds: int(env, 'CONVERSA_LEASE_SECONDS', 60),
    },
    logLevel: env.LOG_LEVEL || 'info',
  };
}
