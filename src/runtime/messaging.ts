import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Pool } from '../db/index.js';
import type { AppDeps } from '../http/deps.js';
import type { SandboxEndpoints } from '../channels/index.js';
import { startSandboxSmtp } from '../channels/sandbox/smtp.js';
import { startSandboxSmsc } from '../channels/sandbox/smsc.js';
import { startBounceReceiver } from '../channels/email/bounces.js';
import { OutboxWorker, createReporter } from '../messaging/index.js';
import { configureProviders } from '../channels/registry.js';
import { EventProcessor, FlowWorker } from '../flows/index.js';
import { OtpWorker } from '../otp/index.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * The sandbox's local sinks (an SMTP server and an SMPP SMSC on free ports unless configured),
 * started by `conversa start` when CONVERSA_SANDBOX=1. A `conversa worker` process does not run
 * them but reaches them when given their ports (CONVERSA_SANDBOX_SMTP_PORT / _SMPP_PORT).
 */
export async function startSandbox(config: Config, pool: Pool, log: Logger): Promise<{ endpoints: SandboxEndpoints } & Stoppable> {
  const host = '127.0.0.1';
  const smtp = await startSandboxSmtp({ pool, log, host, port: config.sandboxPorts.smtp });
  const smsc = await startSandboxSmsc({ pool, log, host, port: config.sandboxPorts.smsc }).catch(async (err: unknown) => {
    await smtp.close();
    throw err;
  });
  log.info({ smtp: smtp.port, smpp: smsc.port }, 'sandbox sinks listening');
  return {
    endpoints: { host, smtpPort: smtp.port, smscPort: smsc.port },
    async stop() {
      await Promise.all([smtp.close(), smsc.close()]);
    },
  };
}

/** Sandbox endpoints a worker-only process can use (ports given by the operator). */
export function configuredSandbox(config: Config): SandboxEndpoints | undefined {
  if (!config.sandbox || !config.sandboxPorts.smtp || !config.sandboxPorts.smsc) return undefined;
  return { host: '127.0.0.1', smtpPort: config.sandboxPorts.smtp, smscPort: config.sandboxPorts.smsc };
}

/** Dispatch: the outbox worker, the flow workers (runs, events), the OTP fallback worker, and the bounce receiver when CONVERSA_BOUNCE_PORT is set. */
export async function startDispatch(deps: AppDeps, opts: { pollMs?: number; concurrency?: number } = {}): Promise<Stoppable & { worker: OutboxWorker }> {
  configureProviders(deps.config.ssrfAllow);
  const report = createReporter(deps);
  const worker = new OutboxWorker(deps, { report, pollMs: opts.pollMs, concurrency: opts.concurrency, leaseSeconds: deps.config.workers.leaseSeconds });
  await worker.start();
  const flows = new FlowWorker(deps, { pollMs: opts.pollMs });
  await flows.start();
  const events = new EventProcessor(deps, { pollMs: opts.pollMs });
  await events.start();
  const otp = new OtpWorker(deps, { pollMs: opts.pollMs });
  await otp.start();
  const bounces = deps.config.bouncePort === undefined
    ? undefined
    : await startBounceReceiver({ port: deps.config.bouncePort, log: deps.log, report });
  return {
    worker,
    async stop() {
      await events.stop();
      await otp.stop();
      await flows.stop();
      await worker.stop();
      await bounces?.close();
    },
  };
}
