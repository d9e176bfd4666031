import type pg from 'pg';
import type { Pool } from '../db/index.js';
import type { Logger } from '../core/logger.js';

export interface WorkLoopOptions {
  pool: Pool;
  log: Logger;
  /** The NOTIFY channel that says new work is there. */
  channel: string;
  /** Loops claiming in parallel (each claims its own batch: SKIP LOCKED keeps them apart). */
  concurrency?: number;
  /** The safety-net poll: missed notifications, timers coming due, expired leases. */
  pollMs?: number;
  /** One round of work; resolves true when it found some (then it runs again at once). */
  work: (signal: AbortSignal) => Promise<boolean>;
  /** Called on every poll tick (housekeeping: idle connections, due schedules). */
  onTick?: (tick: number) => void;
  /** What the log says when a round throws. */
  name: string;
}

/**
 * The shape every row-claiming worker shares (the outbox, flow runs, events): a few loops that
 * claim and process batches back to back while there is work, and otherwise sleep until a
 * LISTEN/NOTIFY wake-up or the slow poll. `stop()` lets running rounds finish, then releases the
 * listening connection.
 */
export class WorkLoop {
  private readonly abort = new AbortController();
  private listener: pg.PoolClient | undefined;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  /** A poke that came while every loop was busy: the next idle loop looks again before sleeping. */
  private poked = false;

  constructor(private readonly opts: WorkLoopOptions) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  async start(): Promise<void> {
    this.listener = await this.opts.pool.connect();
    this.listener.on('notification', () => this.poke());
    await this.listener.query(`LISTEN ${this.opts.channel}`);
    let tick = 0;
    this.timer = setInterval(() => {
      this.poke();
      this.opts.onTick?.(++tick);
    }, this.opts.pollMs ?? 1000);
    for (let i = 0; i < (this.opts.concurrency ?? 1); i++) this.loops.push(this.loop());
  }

  /**
   * Wakes one idle loop (new work was queued). A loop that finds work wakes the next one, so a
   * burst fans out to every loop while a single message wakes one — not every loop to find
   * nothing (each empty claim is a round trip and a plan).
   */
  poke(): void {
    const first = this.wakers.values().next();
    if (first.done) {
      this.poked = true;
      return;
    }
    first.value();
  }

  private wakeAll(): void {
    for (const w of [...this.wakers]) w();
  }

  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    this.wakeAll();
    await Promise.all(this.loops);
    if (this.listener) {
      await this.listener.query(`UNLISTEN ${this.opts.channel}`).catch(() => undefined);
      this.listener.release();
    }
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let worked = false;
      try {
        worked = await this.opts.work(signal);
        if (worked && this.wakers.size) this.poke();
      } catch (err) {
        this.opts.log.error({ err }, `${this.opts.name} failed`);
      }
      if (!worked && !signal.aborted) {
        if (this.poked) {
          this.poked = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.wakers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, 5_000);
          timer.unref();
          this.wakers.add(wake);
        });
      }
    }
  }
}
