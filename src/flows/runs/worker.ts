import { hostname } from 'node:os';
import type pg from 'pg';
import type { AppDeps } from '../../http/deps.js';
import { newId } from '../../core/ids.js';
import { withTransaction } from '../../db/index.js';
import { WorkLoop } from '../../jobs/index.js';
import { getList } from '../../contacts/index.js';
import type { ContactRow } from '../../contacts/sql/contacts.js';
import type { ListRow } from '../../contacts/sql/lists.js';
import { contactFields, loadAccountInfo, type AccountInfo } from '../../messaging/compose.js';
import { writeMessages } from '../../messaging/sql/write-messages.js';
import type { PreparedMessage } from '../../messaging/prepare.js';
import { advance, contactChanges } from '../engine/index.js';
import type { ChannelCost, Effect, RunState, TraceEntry, Wake } from '../engine/types.js';
import type { FlowDefinition } from '../definition/types.js';
import { getVersion } from '../sql/flows.js';
import { applyLocalEffect, contactPatchOf, finishDrafts, performHttp, prepareFlowSend, type RunEnv, type SendDraft } from './effects.js';
import { normaliseContacts } from '../../contacts/normalise-contacts.js';
import { patchContact } from '../../contacts/contacts.js';
import { AppError } from '../../core/errors.js';
import { claimRuns, loadWakes, releaseRuns, renewRuns, saveRuns, stillHeld, writtenMessages, type RunCommit, type RunRow } from './sql.js';
import { accountChannels, rowToState } from './state.js';
import { fireDueEntries } from '../entries/scheduler.js';
import { RUNS_CHANNEL } from '../notify.js';

export { RUNS_CHANNEL };

/** Claims of a run whose step keeps failing before the run is failed. */
const MAX_ATTEMPTS = 5;


/**
 * Drives runs: claims due ones in batches (SKIP LOCKED, leases), feeds each its wakes through the
 * pure engine, performs the effects and commits the run's new state together with the messages
 * and the path — so a step replayed after a crash finds its messages (keyed by run, node and
 * iteration) and sends nothing twice.
 */
export class FlowWorker {
  readonly workerId = `${hostname()}:${process.pid}:${newId('fw').slice(-6)}`;
  private readonly loop: WorkLoop;
  private readonly definitions = new Map<string, Promise<FlowDefinition | undefined>>();
  private firing = false;

  constructor(private readonly deps: AppDeps, private readonly opts: { batchSize?: number; concurrency?: number; pollMs?: number; leaseSeconds?: number } = {}) {
    this.loop = new WorkLoop({
      pool: deps.pool, log: deps.log, channel: RUNS_CHANNEL, name: 'flow batch',
      // Latency-bound (round trips, commits): four loops keep both cores busy (bench/flows).
      concurrency: opts.concurrency ?? 4, pollMs: opts.pollMs,
      work: () => this.runBatch(),
      // Scheduled entries (broadcasts, date fields, segments) are checked on every tick.
      onTick: () => {
        if (this.firing) return; // one firing at a time per process: a slow one must not pile up
        this.firing = true;
        void fireDueEntries(deps).catch((err: unknown) => deps.log.error({ err }, 'flow entries failed')).finally(() => { this.firing = false; });
      },
    });
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  poke(): void {
    this.loop.poke();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async runBatch(): Promise<boolean> {
    const { deps } = this;
    const rows = await claimRuns(deps.pool, this.workerId, this.opts.batchSize ?? 100, this.opts.leaseSeconds ?? deps.config.workers.leaseSeconds);
    if (rows.length === 0) return false;
    const [wakes, written, contacts] = await Promise.all([loadWakes(deps.pool, rows), writtenMessages(deps.pool, rows), loadContacts(deps.pool, rows)]);
    const batch = new BatchContext(deps);
    const results: StepOutcome[] = [];
    const lease = this.opts.leaseSeconds ?? deps.config.workers.leaseSeconds;
    let leasedAt = Date.now();
    for (const [i, row] of rows.entries()) {
      // Steps with slow HTTP calls can outlast the lease: the batch's runs stay ours until committed.
      if (Date.now() - leasedAt > (lease * 1000) / 2) {
        await renewRuns(deps.pool, this.workerId, rows, lease);
        leasedAt = Date.now();
      }
      if (this.loop.signal.aborted) {
        await releaseRuns(deps.pool, this.workerId, rows.slice(i));
        break;
      }
      try {
        results.push(await this.stepRun(row, wakes.get(row.id) ?? [], contacts.get(row.id), written, batch));
      } catch (err) {
        if (row.attempts < MAX_ATTEMPTS) {
          deps.log.error({ err, run: row.id }, 'flow run step failed; retried after its lease');
          continue;
        }
        // The same failure every time: the run fails (visible in its path) instead of retrying forever.
        const error = err instanceof Error ? err.message : String(err);
        const run = { ...rowToState(row), status: 'failed' as const, node: null, dueAt: null, wait: null, error };
        const step: TraceEntry = { at: deps.clock.now(), iteration: row.iteration + 1, node_id: row.node ?? 'start', type: 'error', outcome: 'failed', detail: { error } };
        results.push({ commit: { run: { ...run, iteration: row.iteration + 1 }, trace: [step], consumed: (wakes.get(row.id) ?? []).map((w) => w.seq) }, local: [], sends: [], drafts: [] });
      }
    }
    await this.commit(results);
    return true;
  }

  private definition(row: RunRow): Promise<FlowDefinition | undefined> {
    const key = `${row.account_id}/${row.flow_id}/${row.version}`;
    let d = this.definitions.get(key);
    if (!d) {
      d = getVersion(this.deps.pool, row.account_id, row.flow_id, row.version).then((v) => v?.definition);
      // A failed read (the database restarting) must not be remembered.
      d.catch(() => this.definitions.delete(key));
      if (this.definitions.size > 1000) this.definitions.clear();
      this.definitions.set(key, d);
    }
    return d;
  }

  /** One run: every pending wake through the engine, its sends prepared, nothing committed yet. */
  private async stepRun(
    row: RunRow, pending: { seq: string; wake: Wake }[], contact: ContactRow | undefined,
    written: Map<string, { id: string; status: string; channel_type: string }>, batch: BatchContext,
  ): Promise<StepOutcome> {
    const { deps } = this;
    const now = deps.clock.now();
    let run = rowToState(row);
    const consumed = pending.map((p) => p.seq);
    const definition = await this.definition(row);
    const list = contact && (await batch.list(row.account_id, contact.list_id));
    if (!definition || !contact || !list) {
      run = { ...run, status: 'failed', node: null, dueAt: null, wait: null, error: !definition ? 'flow version not found' : 'contact erased or list deleted' };
      return { commit: { run, trace: [], consumed }, local: [], sends: [], drafts: [] };
    }
    const account = await batch.account(row.account_id);
    const env: RunEnv = {
      deps, account, contactId: contact.id, listId: list.id, listCountry: list.default_country, fields: contactFields(contact, list),
      templates: batch.templates, channels: batch.sendChannels, policies: batch.policies,
    };
    const timezone = typeof env.fields.timezone === 'string' ? env.fields.timezone : account.timezone;
    const channels: ChannelCost[] = await batch.channels(row.account_id);

    const queue: Wake[] = pending.map((p) => reviveWake(p.wake));
    if (queue.length === 0) queue.push(run.status === 'active' && run.iteration === 0 ? { kind: 'start', event: run.vars.event } : { kind: 'timer' });
    const trace: TraceEntry[] = [];
    const local: { env: RunEnv; effect: Effect }[] = [];
    const sends: PreparedMessage[] = [];
    const drafts: SendDraft[] = [];
    for (let guard = 0; queue.length && guard < 100; guard++) {
      const wake = queue.shift()!;
      const res = advance({ run, definition, contact: env.fields, wake, now, timezone, channels });
      run = res.run;
      trace.push(...res.trace);
      for (const e of res.effects) {
        if (e.type === 'send') {
          // A replayed step: its message exists (same key). Nothing is sent again; a step that
          // waits on the outcome gets the outcome the message already has.
          const existing = written.get(e.key);
          if (existing) {
            const outcome = existingOutcome(existing);
            if (e.await_outcome && outcome) queue.push({ kind: 'message', key: e.key, messageId: existing.id, status: outcome, channel_type: existing.channel_type });
            continue;
          }
          const r = await prepareFlowSend(env, run, e);
          if (r.prepared) sends.push(r.prepared);
          if (r.draft) drafts.push(r.draft);
          if (r.wake) queue.push(r.wake);
        } else if (e.type === 'http') {
          queue.push(await performHttp(env, e));
        } else {
          local.push({ env, effect: e });
          // The next wake of this same call must see the contact as this step left it.
          Object.assign(env.fields, contactChanges(e));
        }
      }
    }
    return { commit: { run, trace, consumed }, local, sends, drafts };
  }

  /**
   * The batch's contact updates (update_contact, subscription) validated like any contact write
   * and written by one statement; a value the list rejects marks its step. A change of the key
   * field (rare) goes through patchContact for its uniqueness check.
   */
  private async updateContacts(updates: ContactUpdate[], now: Date): Promise<void> {
    const rows: { account_id: string; id: string; data: Record<string, unknown> }[] = [];
    const cache = new Map<string, Promise<ListRow | undefined>>();
    const lists = (accountId: string, id: string) => memo(cache, `${accountId}/${id}`, () => getList(this.deps.pool, accountId, id));
    for (const u of updates) {
      const list = await lists(u.env.account.id, u.env.listId);
      if (!list) continue;
      const key = String(u.env.fields.key ?? '');
      if (u.patch[list.key_field] !== undefined && String(u.patch[list.key_field]) !== key) {
        await patchContact(this.deps.pool, u.env.account.id, u.env.contactId, u.patch).catch((err: unknown) => {
          if (!(err instanceof AppError)) throw err;
          markStepFailed(u.trace, u.effect, err.message, now);
        });
        continue;
      }
      const { contacts, rejected } = normaliseContacts(list, [{ ...u.patch, [list.key_field]: key }]);
      if (rejected.length || !contacts[0]) {
        markStepFailed(u.trace, u.effect, rejected.map((r) => `${r.field}: ${r.reason}`).join('; '), now);
        continue;
      }
      rows.push({ account_id: u.env.account.id, id: u.env.contactId, data: contacts[0].data });
    }
    if (rows.length === 0) return;
    // Several updates of one contact in a batch apply in order: merged before the one statement.
    const merged = new Map<string, { account_id: string; id: string; data: Record<string, unknown> }>();
    for (const r of rows) {
      const k = `${r.account_id}/${r.id}`;
      const prev = merged.get(k);
      merged.set(k, prev ? { ...prev, data: { ...prev.data, ...r.data } } : r);
    }
    await this.deps.pool.query(
      `UPDATE contacts c SET data = jsonb_strip_nulls(c.data || u.data), updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS u (account_id text, id text, data jsonb)
       WHERE c.account_id = u.account_id AND c.id = u.id AND c.erased_at IS NULL`,
      [JSON.stringify([...merged.values()])]);
  }

  /**
   * The batch's new run states, paths and messages in one transaction: one commit (one WAL flush)
   * for up to a hundred runs, and a replayed batch finds its messages by key.
   */
  private async commit(batch: StepOutcome[]): Promise<void> {
    let results = batch;
    if (results.length === 0) return;
    const now = this.deps.clock.now();
    // Contact updates, list changes and emitted events first, each on its own: they are
    // idempotent (same values, same keys), and holding the batch's transaction open while they
    // take other pool connections could starve the pool.
    const updates: ContactUpdate[] = [];
    for (const r of results) {
      for (const { env, effect } of r.local) {
        let patch: Record<string, unknown> | undefined;
        try {
          patch = await contactPatchOf(env, r.commit.run, effect);
        } catch (err) {
          // A value that does not render marks its step; it must not hold up the batch.
          if (!(err instanceof AppError)) throw err;
          markStepFailed(r.commit.trace, effect, err.message, now);
          continue;
        }
        if (patch) {
          updates.push({ env, effect, patch, trace: r.commit.trace });
          continue;
        }
        const error = await applyLocalEffect(env, this.deps.pool, r.commit.run, effect);
        if (error) markStepFailed(r.commit.trace, effect, error, now);
      }
    }
    await this.updateContacts(updates, now);
    let gated = await finishDrafts(results.flatMap((r) => r.drafts));
    await withTransaction(this.deps.pool, async (tx) => {
      const held = await stillHeld(tx, this.workerId, results.map((r) => r.commit.run));
      if (held.size < results.length) {
        this.deps.log.warn({ lost: results.length - held.size }, 'flow runs taken over by another worker (lease expired); their steps are theirs');
        results = results.filter((r) => held.has(r.commit.run.id));
        gated = gated.filter((m) => held.has(String(m.message.source?.run_id)));
      }
      const byAccount = new Map<string, PreparedMessage[]>();
      for (const m of [...results.flatMap((r) => r.sends), ...gated]) {
        const list = byAccount.get(m.message.accountId);
        if (list) list.push(m);
        else byAccount.set(m.message.accountId, [m]);
      }
      for (const [accountId, sends] of byAccount) await writeMessages(tx, accountId, await withoutWritten(tx, accountId, sends));
      await saveRuns(tx, results.map((r) => r.commit));
    });
  }
}

/**
 * A local effect that could not be applied (a value the list rejects, a list gone) marks the step
 * that asked for it — the one whose iteration its key names — so the path shows why.
 */
function markStepFailed(trace: TraceEntry[], effect: Effect, error: string, now: Date): void {
  const iteration = Number(effect.key.slice(effect.key.lastIndexOf(':') + 1));
  const step = trace.find((t) => t.iteration === iteration);
  if (step) {
    step.outcome = 'error';
    step.detail = { ...step.detail, error };
  } else {
    trace.push({ at: now, iteration, node_id: effect.node, type: effect.type, outcome: 'error', detail: { error } });
  }
}

interface ContactUpdate {
  env: RunEnv;
  effect: Effect;
  patch: Record<string, unknown>;
  trace: TraceEntry[];
}

interface StepOutcome {
  commit: RunCommit;
  local: { env: RunEnv; effect: Effect }[];
  sends: PreparedMessage[];
  /** Plain sends waiting for the batch's policy decisions. */
  drafts: SendDraft[];
}

/** What the runs of one batch share: accounts, lists, channel costs and templates, each read once. */
class BatchContext {
  readonly templates: RunEnv['templates'] = new Map();
  readonly sendChannels: RunEnv['channels'] = new Map();
  readonly policies: RunEnv['policies'] = new Map();
  private readonly accounts = new Map<string, Promise<AccountInfo>>();
  private readonly lists = new Map<string, Promise<ListRow | undefined>>();
  private readonly costs = new Map<string, Promise<ChannelCost[]>>();

  constructor(private readonly deps: AppDeps) {}

  account(id: string): Promise<AccountInfo> {
    return memo(this.accounts, id, () => loadAccountInfo(this.deps.pool, id));
  }

  list(accountId: string, id: string): Promise<ListRow | undefined> {
    return memo(this.lists, `${accountId}/${id}`, () => getList(this.deps.pool, accountId, id));
  }

  channels(accountId: string): Promise<ChannelCost[]> {
    return memo(this.costs, accountId, () => accountChannels(this.deps, accountId));
  }
}

function memo<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) map.set(key, (p = load()));
  return p;
}

/** The runs' contacts in one query (erased contacts and deleted lists are absent). */
async function loadContacts(db: { query: pg.Pool['query'] }, rows: RunRow[]): Promise<Map<string, ContactRow>> {
  const r = await db.query<ContactRow & { run_id: string }>(
    `SELECT u.r AS run_id, c.account_id, c.id, c.list_id, c.key_value, c.data, c.created_at, c.updated_at
     FROM unnest($1::text[], $2::text[], $3::text[]) AS u (a, c, r)
     JOIN contacts c ON c.account_id = u.a AND c.id = u.c AND c.erased_at IS NULL`,
    [rows.map((x) => x.account_id), rows.map((x) => x.contact_id), rows.map((x) => x.id)],
  );
  return new Map(r.rows.map((c) => [c.run_id, c]));
}

function existingOutcome(m: { status: string; channel_type: string }): string | undefined {
  if (['delivered', 'opened', 'clicked'].includes(m.status)) return 'delivered';
  if (['failed', 'bounced', 'complained', 'suppressed'].includes(m.status)) return m.status;
  // Kinds without receipts count as delivered once accepted (as the outbox reports them).
  if (m.status === 'sent' && ['email', 'push', 'webhook', 'db_update'].includes(m.channel_type)) return 'delivered';
  return undefined;
}

/** Drops sends whose key a previous attempt of the same step already wrote (a lease taken over mid-batch). */
async function withoutWritten(tx: { query: pg.PoolClient['query'] }, accountId: string, sends: PreparedMessage[]): Promise<PreparedMessage[]> {
  if (sends.length === 0) return sends;
  const keys = sends.map((s) => String(s.message.source?.key));
  const r = await tx.query<{ key: string }>(
    `SELECT source ->> 'key' AS key FROM messages WHERE account_id = $1 AND source ? 'key' AND source ->> 'key' = ANY($2::text[])`, [accountId, keys]);
  const done = new Set(r.rows.map((x) => x.key));
  return sends.filter((s) => !done.has(String(s.message.source?.key)));
}

/** Wakes stored as JSON carry their event's time as a string. */
function reviveWake(w: Wake): Wake {
  if ((w.kind === 'event' || w.kind === 'start') && w.event && typeof w.event.at === 'string') {
    return { ...w, event: { ...w.event, at: new Date(w.event.at) } };
  }
  return w;
}
