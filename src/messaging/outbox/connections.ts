import type { AppDeps } from '../../http/deps.js';
import type { ChannelConnection, ChannelProvider, ProviderReport } from '../../channels/port.js';
import type { ChannelRow } from '../../channels/sql.js';
import { loadChannel } from '../../channels/service.js';
import { providerFor } from '../../channels/registry.js';
import { RateLimiter } from './limiter.js';

export interface OpenChannel {
  row: ChannelRow;
  provider: ChannelProvider;
  connection: ChannelConnection;
  limiter: RateLimiter | undefined;
  lastUsed: number;
  /** The config the connection was opened with: a changed channel reconnects. */
  version: string;
}

const IDLE_MS = 60_000;

/**
 * Open provider connections by channel, shared by the worker's loops: a pooled SMTP transport or
 * a bound SMPP session lives across batches, is reopened when the channel's config changes, and
 * is closed after a minute idle or on shutdown.
 */
export class ConnectionCache {
  private readonly open = new Map<string, Promise<OpenChannel | undefined>>();

  constructor(private readonly deps: AppDeps, private readonly report: (r: ProviderReport) => Promise<void>) {}

  async get(accountId: string, channelId: string): Promise<OpenChannel | undefined> {
    const key = `${accountId}/${channelId}`;
    const row = await loadChannel(this.deps.pool, accountId, channelId, this.deps.sandbox);
    if (!row) return undefined;
    const version = row.updated_at.toISOString() + JSON.stringify(row.config).length;
    const cached = await this.open.get(key);
    if (cached && cached.version === version) {
      cached.lastUsed = Date.now();
      return cached;
    }
    if (cached) {
      this.open.delete(key);
      void cached.connection.close().catch(() => undefined);
    }
    const opening = this.connect(row, version);
    this.open.set(key, opening);
    const result = await opening.catch((err: unknown) => {
      this.open.delete(key);
      throw err;
    });
    return result;
  }

  private async connect(row: ChannelRow, version: string): Promise<OpenChannel | undefined> {
    const provider = providerFor(row.type);
    if (!provider) return undefined;
    const connection = await provider.connect(row.config, {
      pool: this.deps.pool, log: this.deps.log, clock: this.deps.clock, accountId: row.account_id, channelId: row.id,
      publicUrl: this.deps.config.publicUrl, report: this.report,
    });
    const mps = provider.rateLimit?.(row.config);
    return { row, provider, connection, limiter: mps ? new RateLimiter(mps) : undefined, lastUsed: Date.now(), version };
  }

  /** Closes connections idle for a minute. */
  async sweep(): Promise<void> {
    const now = Date.now();
    for (const [key, p] of this.open) {
      const c = await p.catch(() => undefined);
      if (c && now - c.lastUsed > IDLE_MS) {
        this.open.delete(key);
        await c.connection.close().catch(() => undefined);
      }
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.connection.close().catch(() => undefined)));
  }
}
