import { hostname } from 'node:os';
import type pg from 'pg';
import type { Pool } from '../db/index.js';
import type { Logger } from '../core/logger.js';
import { newId } from '../core/ids.js';
import { claimJobs, type ClaimedJob } from './sql/claim-jobs.js';
import { completeJob, extendLease, failJob, releaseJobs } from './sql/finish-jobs.js';

export interface JobContext {
  job: ClaimedJob;
  pool: Pool;
  log: Logger;
  /** Aborted when the worker shuts down: a handler stops at its next safe point and returns. */
  signal: AbortSignal;
}

/** A handler returns 'done', or 'released' when it stopped early on shutdown (work resumes later). */
export type JobHandler = (ctx: JobContext) => Promise<'done' | 'released' | void>;

export interface RunnerOptions {
  pool: Pool;
  log: Logger;
  handlers: Record<string, JobHandler>;
  pollMs?: number;
  leaseSeconds?: number;
  concurrency?: number;
}

/**
 * Claims jobs and runs their handlers. Woken by LISTEN/NOTIFY when work is enqueued, with a slow
 * poll as the safety net (a missed notification, a lease that expired on a dead worker).
 */
export class JobRunner {
  readonly workerId = `${hostname()}:${process.pid}:${newId('w').slice(-6)}`;
  private readonly abort = new AbortController();
  private listener: pg.PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly pollMs: number;
  private readonly leaseSeconds: number;
  private readonly concurrency: number;

  constructor(private readonly opts: RunnerOptions) {
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseSeconds = opts.leaseSeconds ?? 60;
    this.concurrency = opts.concurrency ?? 2;
  }

  async start(): Promise<void> {
    this.listener = await this.opts.pool.connect();
    this.listener.on('notification', () => this.poke());
    await this.listener.query('LISTEN conversa_jobs');
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const kinds = Object.keys(this.opts.handlers);
    while (!this.abort.signal.aborted) {
      const free = this.concurrency - this.running.size;
      let claimed: ClaimedJob[] = [];
      if (free > 0) {
        try {
          claimed = await claimJobs(this.opts.pool, {
            kinds, limit: free, workerId: this.workerId, leaseSeconds: this.leaseSeconds,
          });
        } catch (err) {
          this.opts.log.error({ err }, 'claiming jobs failed');
        }
      }
      for (const job of claimed) this.track(this.execute(job));
      if (claimed.length === 0 || free <= claimed.length) await this.sleep();
    }
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => {
      this.running.delete(p);
      this.poke();
    });
  }

  /** Wakes the loop; a wake-up that arrives while it is busy claiming is kept, not lost. */
  private poke(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  private woken = false;

  private sleep(): Promise<void> {
    if (this.woken || this.abort.signal.aborted) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      this.timer = setTimeout(() => this.wake?.(), this.pollMs);
    });
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const handler = this.opts.handlers[job.kind];
    const log = this.opts.log.child({ job: job.id, kind: job.kind });
    const heartbeat = setInterval(() => {
      void extendLease(this.opts.pool, job, this.workerId, this.leaseSeconds).catch(() => {});
    }, (this.leaseSeconds * 1000) / 3);
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const outcome = await handler({ job, pool: this.opts.pool, log, signal: this.abort.signal });
      if (outcome !== 'released') await completeJob(this.opts.pool, job, this.workerId);
    } catch (err) {
      if (this.abort.signal.aborted) return; // released in bulk by stop()
      const result = await failJob(this.opts.pool, job, (err as Error).message, this.workerId).catch(() => 'retry');
      log.warn({ err: (err as Error).message, result }, 'job failed');
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Stop claiming, let running handlers reach a safe point, hand back what is unfinished. */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return this.stopped;
    this.stopped = this.shutdown();
    return this.stopped;
  }

  private stopped: Promise<void> = Promise.resolve();

  private async shutdown(): Promise<void> {
    this.abort.abort();
    this.poke();
    await this.loop;
    await Promise.allSettled([...this.running]);
    await releaseJobs(this.opts.pool, this.workerId).catch(() => 0);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      await listener.query('UNLISTEN *').catch(() => {});
      listener.release();
    }
  }
}
