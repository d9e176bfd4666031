/**
 * The two limits an SMSC account has: a window (at most N requests awaiting their response) and a
 * throughput (at most M requests per second). Both take their waiting as promises, so callers can
 * abort a wait with an AbortSignal; the pacer takes its clock and sleep as parameters for tests.
 */

import { setMaxListeners } from 'node:events';

/**
 * Runs `fn` with a signal that aborts with `signal` but takes any number of listeners: a batch's
 * many waits (window, pacer, session) listen to it, and the caller's signal gets one listener.
 */
export async function withLinkedSignal<T>(signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(inner.signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export class AbortedError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortedError';
  }
}

/** A counting semaphore: `acquire()` resolves once fewer than `size` permits are out. */
export class Window {
  private out = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  get outstanding(): number {
    return this.out;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortedError();
    if (this.out < this.size) {
      this.out++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new AbortedError());
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    // The releaser handed its permit over: `out` stays the same.
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.out = Math.max(0, this.out - 1);
  }
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Spaces requests at least 1/`perSecond` apart in real time, one after another (no burst, and no
 * catching up after a stalled event loop): an SMSC counting per second sees at most that many in
 * any one-second span. Unlimited when `perSecond` is undefined or 0.
 */
export class Pacer {
  private last = -Infinity;
  // Takers queue here in order; each one's wait starts when the previous one went.
  private tail: Promise<void> = Promise.resolve();
  private readonly interval: number;

  constructor(perSecond: number | undefined, private readonly now: () => number = Date.now, private readonly sleep: Sleep = realSleep) {
    this.interval = perSecond && perSecond > 0 ? 1000 / perSecond : 0;
  }

  take(signal?: AbortSignal): Promise<void> {
    if (this.interval === 0) return Promise.resolve();
    const turn = this.tail.then(async () => {
      if (signal?.aborted) throw new AbortedError();
      const wait = this.last + this.interval - this.now();
      if (wait > 0) await this.sleep(wait, signal);
      this.last = this.now();
    });
    this.tail = turn.catch(() => {});
    return turn;
  }
}

/**
 * Exponential backoff with equal jitter: attempt n waits between half and all of
 * min(maxMs, baseMs·2ⁿ), so many channels dropped at once do not reconnect in lockstep.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
