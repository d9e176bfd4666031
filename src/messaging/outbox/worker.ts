import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { AppDeps } from '../../http/deps.js';
import { newId } from '../../core/ids.js';
import { withTransaction } from '../../db/index.js';
import { WorkLoop } from '../../jobs/index.js';
import type { ChannelKind, OutgoingMessage, ProviderReport, RenderedContent, SendOutcome } from '../../channels/port.js';
import { serverKeys, unseal } from '../../core/server-keys.js';
import { recordEvent } from '../events.js';
import { OUTBOX_CHANNEL } from '../send.js';
import { expireIdempotencyKeys } from '../idempotency.js';
import { expirePendingReports, replayPending } from '../report.js';
import { claimOutbox, deferAgain, recordFailed, recordSent, releaseClaims, renewClaims, retryLater, type ClaimedMessage } from './sql.js';
import { contactForPolicy, loadAccountPolicy } from '../policy/index.js';
import { recheckSendingTime } from '../policy/decide.js';
import type { PolicyView } from '../../accounts/policy.js';
import { ConnectionCache, type OpenChannel } from './connections.js';
import { AttachmentCache } from '../attachments.js';

export interface OutboxWorkerOptions {
  /** Messages claimed per batch. */
  batchSize?: number;
  /** Batches in flight at once (each its own claim → send → record loop). */
  concurrency?: number;
  leaseSeconds?: number;
  pollMs?: number;
  report: (r: ProviderReport) => Promise<void>;
}

const DEFAULT_RETRY_FOR_MS = 24 * 3600_000;

/** Backoff for the n-th transient failure: 10 s, 20 s, 40 s … capped at 1 h. */
export function retryDelayMs(attempt: number): number {
  return Math.min(3600_000, 10_000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Dispatch: claims due outbox rows in batches (leases, SKIP LOCKED), sends them through each
 * channel's open connection and records the outcomes set-based. Woken by NOTIFY on
 * `conversa_outbox`; a slow poll catches deferred messages coming due and expired leases.
 *
 * Crash safety: a worker killed after the provider accepted a message but before recording it
 * leaves the row leased; when the lease expires another worker sends it again with the same
 * message id, which goes to the provider as its idempotency key (Message-ID and
 * X-Conversa-Message-Id for email, a TLV for SMPP, Idempotency-Key for HTTP).
 */
export class OutboxWorker {
  readonly workerId = `${hostname()}:${process.pid}:${newId('ob').slice(-6)}`;
  private readonly cache: ConnectionCache;
  private readonly attachments = new AttachmentCache();
  private readonly loop: WorkLoop;
  private readonly batchSize: number;
  private readonly report: (r: ProviderReport) => Promise<void>;
  private readonly leaseSeconds: number;

  constructor(private readonly deps: AppDeps, opts: OutboxWorkerOptions) {
    this.cache = new ConnectionCache(deps, opts.report);
    this.report = opts.report;
    this.batchSize = opts.batchSize ?? 200;
    this.leaseSeconds = opts.leaseSeconds ?? 60;
    this.loop = new WorkLoop({
      pool: deps.pool, log: deps.log, channel: OUTBOX_CHANNEL, name: 'outbox batch',
      concurrency: opts.concurrency ?? 2, pollMs: opts.pollMs,
      work: (signal) => this.runBatch(signal),
      onTick: (tick) => {
        if (tick % 60 !== 0) return;
        void this.cache.sweep();
        void expireIdempotencyKeys(deps.pool).catch(() => undefined);
        void expirePendingReports(deps.pool).catch(() => undefined);
      },
    });
    // Every message waiting for a provider's window listens for shutdown on this one signal.
    setMaxListeners(10_000, this.loop.signal);
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  /** Wakes idle loops (new work was queued). */
  poke(): void {
    this.loop.poke();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.cache.closeAll();
  }

  /** One claim → send → record round. Returns false when nothing was due. */
  async runBatch(signal: AbortSignal): Promise<boolean> {
    const all = await claimOutbox(this.deps.pool, this.workerId, this.batchSize, this.leaseSeconds);
    if (all.length === 0) return false;
    const claimed = await this.stillOpen(all);
    const byChannel = new Map<string, ClaimedMessage[]>();
    for (const m of claimed) {
      const key = `${m.account_id}/${m.channel_id}`;
      const group = byChannel.get(key);
      if (group) group.push(m);
      else byChannel.set(key, [m]);
    }
    await Promise.all([...byChannel.values()].map((group) => this.sendGroup(group, signal)));
    return true;
  }

  /**
   * Deferred messages coming due are checked against the sending windows as they are now (the
   * policy, or the contact's time zone, may have changed): one still in a closed window goes back
   * to the outbox for its next opening. The others go.
   */
  private async stillOpen(claimed: ClaimedMessage[]): Promise<ClaimedMessage[]> {
    const deferred = claimed.filter((m) => m.status === 'deferred');
    if (deferred.length === 0) return claimed;
    const { pool, clock } = this.deps;
    const contacts = await pool.query<{ account_id: string; id: string; data: Record<string, unknown> }>(
      `SELECT account_id, id, data FROM contacts WHERE (account_id, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [deferred.map((m) => m.account_id), deferred.map((m) => m.contact_id ?? '')]);
    const byId = new Map(contacts.rows.map((c) => [`${c.account_id}/${c.id}`, c.data]));
    const policies = new Map<string, Promise<PolicyView>>();
    const held = new Set<string>();
    for (const m of deferred) {
      let policy = policies.get(m.account_id);
      if (!policy) policies.set(m.account_id, (policy = loadAccountPolicy(pool, m.account_id)));
      const data = m.contact_id ? byId.get(`${m.account_id}/${m.contact_id}`) : undefined;
      const d = recheckSendingTime({
        category: m.category, channelKind: m.channel_type as ChannelKind, now: clock.now(),
        contact: data ? contactForPolicy(data) : null, policy: await policy,
      });
      if (d.decision === 'defer') {
        held.add(m.message_id);
        await withTransaction(pool, async (tx) => {
          await deferAgain(tx, m.account_id, m.message_id, d.due_at);
          await recordEvent(tx, { accountId: m.account_id, messageId: m.message_id, type: 'deferred', detail: { reason: d.reason, due_at: d.due_at.toISOString(), again: true } });
        });
      }
    }
    return claimed.filter((m) => !held.has(m.message_id));
  }

  private async sendGroup(group: ClaimedMessage[], signal: AbortSignal): Promise<void> {
    const first = group[0]!;
    let channel: OpenChannel | undefined;
    try {
      channel = await this.cache.get(first.account_id, first.channel_id);
    } catch (err) {
      // The provider is unreachable: every message waits and retries.
      const error = err instanceof Error ? err.message : String(err);
      await this.settle(group, group.map((m) => ({ id: m.message_id, status: 'failed', transient: true, error })), undefined);
      return;
    }
    if (!channel) {
      await this.settle(group, group.map((m) => ({ id: m.message_id, status: 'failed', transient: false, error: 'channel deleted' })), undefined);
      return;
    }
    const max = Math.max(1, channel.provider.maxBatch);
    // Recording a part's outcomes (a transaction) overlaps sending the next part, so the
    // provider's window never idles while the database commits.
    const settling: Promise<void>[] = [];
    let leasedAt = Date.now();
    for (let i = 0; i < group.length; i += max) {
      const part = group.slice(i, i + max);
      // A slow (rate-limited) channel may take longer than the lease for a whole claim: the rows
      // not sent yet stay ours, or another worker would send them too.
      if (Date.now() - leasedAt > (this.leaseSeconds * 1000) / 2) {
        await renewClaims(this.deps.pool, this.workerId, group.slice(i), this.leaseSeconds);
        leasedAt = Date.now();
      }
      if (signal.aborted) {
        await Promise.all(settling);
        await releaseClaims(this.deps.pool, this.workerId, group.slice(i));
        return;
      }
      await channel.limiter?.take(part.length, signal);
      let outcomes: SendOutcome[];
      try {
        const ids = part.flatMap((m) => m.attachments.map((a) => a.id));
        const contents = ids.length ? await this.attachments.load(this.deps.pool, first.account_id, ids) : new Map<string, string>();
        const { opened, unreadable } = await this.openSealed(part);
        const sendable = unreadable.length ? part.filter((m) => opened.has(m.message_id) || !(m.sealed || m.otp)) : part;
        outcomes = [...unreadable, ...(sendable.length ? await channel.connection.send(sendable.map((m) => toOutgoing(m, contents, opened.get(m.message_id))), signal) : [])];
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        outcomes = part.map((m) => ({ id: m.message_id, status: 'failed', transient: true, error }));
      }
      // Caught here: a settle failing while the next part sends must not be an unhandled
      // rejection; its rows stay leased and are retried (and deduplicated by the provider key).
      settling.push(this.settle(part, outcomes, channel).catch((err: unknown) => this.deps.log.error({ err }, 'recording a send failed')));
    }
    await Promise.all(settling);
  }

  /**
   * The real content of messages kept masked in their rows (OTP codes), opened with the server
   * key. One that cannot be opened (another CONVERSA_SECRET_KEY, damaged bytes) fails alone and
   * for good; an OTP message without its sealed content never goes out masked.
   */
  private async openSealed(part: ClaimedMessage[]): Promise<{ opened: Map<string, RenderedContent>; unreadable: SendOutcome[] }> {
    const opened = new Map<string, RenderedContent>();
    const unreadable: SendOutcome[] = [];
    if (!part.some((m) => m.sealed || m.otp)) return { opened, unreadable };
    const keys = await serverKeys(this.deps.pool, this.deps.config.secretKey);
    for (const m of part) {
      if (!m.sealed) {
        if (m.otp) unreadable.push({ id: m.message_id, status: 'failed', transient: false, error: 'the OTP message has no sealed content' });
        continue;
      }
      try {
        opened.set(m.message_id, JSON.parse(unseal(keys.seal, m.sealed, `${m.account_id}:${m.message_id}`)) as RenderedContent);
      } catch {
        unreadable.push({ id: m.message_id, status: 'failed', transient: false, error: 'sealed content unreadable (was CONVERSA_SECRET_KEY changed?)' });
      }
    }
    return { opened, unreadable };
  }

  /** Records what happened to each message of a batch. */
  private async settle(batch: ClaimedMessage[], outcomes: SendOutcome[], channel: OpenChannel | undefined): Promise<void> {
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    const first = batch[0]!;
    const retryFor = channel?.provider.retryForMs ?? DEFAULT_RETRY_FOR_MS;
    const now = this.deps.clock.now().getTime();
    await withTransaction(this.deps.pool, async (tx) => {
      const sent = [];
      for (const m of batch) {
        const o = byId.get(m.message_id) ?? { id: m.message_id, status: 'failed' as const, transient: true, error: 'the provider gave no outcome' };
        if (o.status === 'sent') {
          sent.push({ messageId: m.message_id, providerIds: o.providerIds ?? [], segments: o.segments });
        } else if (o.transient && now - m.created_at.getTime() < retryFor) {
          await retryLater(tx, m.account_id, m.message_id, retryDelayMs(m.attempts), o.error);
          await recordEvent(tx, { accountId: m.account_id, messageId: m.message_id, type: 'retry', detail: { error: o.error, attempt: m.attempts } });
        } else {
          await recordFailed(tx, m.account_id, m.message_id, o.error);
          const dead = o.transient ? { dead_letter: true } : {};
          await recordEvent(tx, { accountId: m.account_id, messageId: m.message_id, type: 'failed', detail: { error: o.error, ...dead } });
        }
      }
      await recordSent(tx, first.account_id, first.channel_id, channel?.row.cost_per_message ?? '0', sent);
    });
    // Receipts that raced ahead of this commit can now find their message.
    const ids = [...byId.values()].flatMap((o) => (o.status === 'sent' ? o.providerIds ?? [] : []));
    await replayPending(this.deps, this.report, first.account_id, first.channel_id, ids);
  }
}

function toOutgoing(m: ClaimedMessage, contents: Map<string, string>, opened: RenderedContent | undefined): OutgoingMessage {
  return {
    id: m.message_id,
    ...(m.resends ? { idempotencyKey: `${m.message_id}.r${m.resends}` } : {}),
    accountId: m.account_id,
    contactId: m.contact_id,
    to: m.to_address,
    category: m.category,
    content: opened ?? m.content,
    attachments: m.attachments.map((a) => ({ filename: a.filename, content_type: a.content_type, content: contents.get(a.id) ?? '' })),
    headers: {},
    data: m.data,
    links: { unsubscribe: m.links.unsubscribe, unsubscribeMailto: m.links.unsubscribe_mailto },
  };
}
