import type { Pool } from '../db/index.js';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { Metrics } from './metrics.js';
import type { SandboxEndpoints } from '../channels/sandbox/channels.js';

/** What every module's routes are given: the module never reaches for globals. */
export interface AppDeps {
  pool: Pool;
  config: Config;
  log: Logger;
  clock: Clock;
  metrics: Metrics;
  /** The running sandbox sinks (CONVERSA_SANDBOX=1); undefined when the sandbox is off. */
  sandbox?: SandboxEndpoints;
}
