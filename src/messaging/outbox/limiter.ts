/** A token bucket: `take(n)` resolves when n messages may go at `perSecond`. */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  async take(n: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= Math.min(n, this.perSecond)) {
        this.tokens -= n;
        return;
      }
      if (signal?.aborted) return;
      const waitMs = ((Math.min(n, this.perSecond) - this.tokens) / this.perSecond) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(1, waitMs)));
    }
  }
}
