import type { AppDeps } from '../http/deps.js';
import { serverKeys, unseal } from '../core/server-keys.js';
import { withTransaction } from '../db/index.js';
import { WorkLoop } from '../jobs/index.js';
import { OTP_CHANNEL } from '../messaging/index.js';
import { nextMove } from './decide.js';
import { sendFrom } from './deliver.js';
import { loadOtpSettings } from './settings.js';
import { contextOf, sealAad } from './service.js';
import { cancelQueuedMessages, claimDueOtps, deliveriesOf, getOtp, insertDeliveries, sweepExpired } from './sql.js';

const FAILED = new Set(['failed', 'bounced', 'suppressed', 'complained']);

/**
 * Moves each OTP along its fallback: when its channel's message fails (woken by the message's
 * event) or its timeout passes without a delivery receipt, the same code goes out on the next
 * channel. Each OTP is one transaction with its row locked: a worker killed mid-way leaves the
 * row to be retaken after the lease, and the step it had not committed is sent once.
 */
export class OtpWorker {
  private readonly loop: WorkLoop;

  constructor(private readonly deps: AppDeps, opts: { pollMs?: number } = {}) {
    this.loop = new WorkLoop({
      pool: deps.pool, log: deps.log, channel: OTP_CHANNEL, name: 'otp fallback', pollMs: opts.pollMs ?? 500,
      // Two loops: a slow render or send of one batch does not hold every other OTP's timeout back.
      concurrency: 2,
      work: () => this.round(),
      // Once a minute: end OTPs past their TTL (their sealed codes go with them).
      onTick: (tick) => {
        if (tick % Math.max(1, Math.round(60_000 / (opts.pollMs ?? 500))) === 0) {
          sweepExpired(deps.pool).catch((err: unknown) => deps.log.error({ err }, 'otp sweep failed'));
        }
      },
    });
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One batch of due OTPs; true when there were some. */
  async round(): Promise<boolean> {
    // A claimed OTP a dead worker did not finish is taken by another after the lease (CONVERSA_LEASE_SECONDS).
    const due = await claimDueOtps(this.deps.pool, 20, this.deps.config.workers.leaseSeconds);
    for (const d of due) {
      await this.advance(d.account_id, d.id).catch((err: unknown) => this.deps.log.error({ err, otp: d.id }, 'otp fallback step failed'));
    }
    return due.length > 0;
  }

  async advance(accountId: string, id: string): Promise<void> {
    const deps = this.deps;
    // Before the transaction: inside it, every read goes through `tx` (a second pool client could
    // be the one the pool no longer has).
    const keys = await serverKeys(deps.pool, deps.config.secretKey);
    await withTransaction(deps.pool, async (tx) => {
      const otp = await getOtp(tx, accountId, id, true);
      if (!otp) return;
      const now = deps.clock.now();
      const settings = await loadOtpSettings(tx, accountId);
      const timeouts = { ...settings.timeouts_seconds, ...otp.timeouts };
      const deliveries = (await deliveriesOf(tx, accountId, [id])).get(id) ?? [];
      const sent = deliveries.filter((x) => x.outcome === 'sent');
      const last = sent.at(-1);
      const move = nextMove({
        status: otp.status, expiresAt: otp.expires_at, plan: otp.plan, step: otp.step,
        last: last ? { status: last.status ?? 'queued', queuedAt: last.created_at } : null,
        timeoutsSeconds: timeouts, allFailed: sent.every((x) => FAILED.has(x.status ?? '')),
      }, now);
      const set = (sql: string, params: unknown[] = []) => tx.query(`UPDATE otps SET ${sql} WHERE account_id = $1 AND id = $2`, [accountId, id, ...params]);
      switch (move.kind) {
        case 'stop':
          return void (await set('check_at = NULL'));
        case 'end':
          await set(`status = $3, code_sealed = NULL, check_at = NULL`, [move.status]);
          return void (await cancelQueuedMessages(tx, accountId, id));
        case 'wait':
          return void (await set('check_at = $3', [move.until]));
        case 'exhausted':
          return void (await set(`check_at = NULL, status = CASE WHEN $3 THEN 'undeliverable' ELSE status END`, [move.undeliverable]));
        case 'send': {
          if (!otp.code_sealed) return void (await set('check_at = NULL'));
          const code = unseal(keys.seal, otp.code_sealed, sealAad(accountId, id));
          const result = await sendFrom(deps, tx, contextOf(otp), otp.plan, move.step, code, keys, settings, 'fallback');
          await insertDeliveries(tx, accountId, id, result.deliveries);
          if (result.sent) {
            await set('step = $3, check_at = $4', [result.sent.step, new Date(now.getTime() + timeouts[result.sent.channel] * 1000)]);
          } else {
            await set(`step = $3, check_at = NULL, status = CASE WHEN $4 THEN 'undeliverable' ELSE status END`,
              [otp.plan.length - 1, sent.every((x) => FAILED.has(x.status ?? ''))]);
          }
        }
      }
    });
  }
}
