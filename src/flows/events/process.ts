import type { AppDeps } from '../../http/deps.js';
import type { Queryable } from '../../db/index.js';
import { newId } from '../../core/ids.js';
import { withTransaction } from '../../db/index.js';
import { WorkLoop } from '../../jobs/index.js';
import { getList } from '../../contacts/index.js';
import { upsertBatch } from '../../contacts/contacts.js';
import { eventMatchesWait } from '../engine/match.js';
import type { EventData, WaitState } from '../engine/types.js';
import type { EntryRule } from '../definition/types.js';
import { RUNS_CHANNEL } from '../notify.js';
import { EVENTS_CHANNEL } from '../notify.js';

interface EventRow {
  account_id: string;
  id: string;
  name: string;
  list_id: string | null;
  contact_id: string | null;
  contact: Record<string, unknown> | null;
  data: Record<string, unknown>;
  received_at: Date;
}

/**
 * Matches stored events to flows: upserts the contact an event names by key, starts a run in every
 * active flow whose entry is that event (by the flow's entry rule), wakes the runs waiting for it
 * (found through the (account, contact, wait_event) index) and the runs whose goal it is. Each event
 * is marked processed in the transaction that starts and wakes its runs: processed exactly once.
 */
export class EventProcessor {
  private readonly loop: WorkLoop;

  constructor(private readonly deps: AppDeps, private readonly opts: { batchSize?: number; pollMs?: number } = {}) {
    this.loop = new WorkLoop({
      pool: deps.pool, log: deps.log, channel: EVENTS_CHANNEL, name: 'event batch', pollMs: opts.pollMs,
      work: async () => (await this.processBatch()) > 0,
    });
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async processBatch(): Promise<number> {
    const { pool } = this.deps;
    const events = (await pool.query<EventRow>(
      `WITH due AS (
         SELECT account_id, id FROM events WHERE processed_at IS NULL AND (locked_until IS NULL OR locked_until < now())
         ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE events e SET locked_until = now() + interval '60 seconds' FROM due
       WHERE e.account_id = due.account_id AND e.id = due.id
       RETURNING e.account_id, e.id, e.name, e.list_id, e.contact_id, e.contact, e.data, e.received_at`,
      [this.opts.batchSize ?? 200],
    )).rows.sort((a, b) => a.received_at.getTime() - b.received_at.getTime());
    if (events.length === 0) return 0;
    const contacts = await this.resolveContacts(events);
    for (const e of events) {
      const contact = contacts.get(e.id);
      try {
        await withTransaction(pool, async (tx) => {
          // Claimed first, in this transaction: an event another worker took over (a lease that
          // ran out on a slow batch) and already processed is skipped, never processed twice.
          const mine = await tx.query(
            `UPDATE events SET processed_at = now(), contact_id = coalesce($3, contact_id), error = $4
             WHERE account_id = $1 AND id = $2 AND processed_at IS NULL`,
            [e.account_id, e.id, contact?.id ?? null, contact ? null : 'contact not found']);
          if (mine.rowCount === 0 || !contact) return;
          const event: EventData = { name: e.name, data: e.data, at: e.received_at };
          await startRuns(tx, e.account_id, contact, event, this.deps.clock.now());
          await wakeRuns(tx, e.account_id, contact.id, event);
          await tx.query(`NOTIFY ${RUNS_CHANNEL}`);
        });
      } catch (err) {
        // One event's failure must not hold up the others; it is retried after its lease.
        this.deps.log.error({ err, event: e.id }, 'event processing failed');
      }
    }
    return events.length;
  }

  /** The contact of each event: by id, or upserted by its list's key field (one upsert per list). */
  private async resolveContacts(events: EventRow[]): Promise<Map<string, { id: string; list_id: string }>> {
    const { pool } = this.deps;
    const out = new Map<string, { id: string; list_id: string }>();
    const byList = new Map<string, EventRow[]>();
    for (const e of events) {
      if (e.contact && e.list_id) {
        const k = `${e.account_id}/${e.list_id}`;
        byList.set(k, [...(byList.get(k) ?? []), e]);
      }
    }
    for (const group of byList.values()) {
      const first = group[0]!;
      const list = await getList(pool, first.account_id, first.list_id!);
      if (!list) continue;
      await upsertBatch(pool, list, group.map((e) => e.contact!));
      const keys = group.map((e) => String(e.contact![list.key_field]));
      const found = await pool.query<{ id: string; key_value: string }>(
        'SELECT id, key_value FROM contacts WHERE account_id = $1 AND list_id = $2 AND key_value = ANY($3::text[]) AND erased_at IS NULL',
        [list.account_id, list.id, keys]);
      const ids = new Map(found.rows.map((r) => [r.key_value, r.id]));
      for (const e of group) {
        const id = ids.get(String(e.contact![list.key_field]));
        if (id) out.set(e.id, { id, list_id: list.id });
      }
    }
    const byId = events.filter((e) => e.contact_id && !out.has(e.id));
    if (byId.length) {
      const found = await pool.query<{ account_id: string; id: string; list_id: string }>(
        `SELECT account_id, id, list_id FROM contacts WHERE (account_id, id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND erased_at IS NULL`,
        [byId.map((e) => e.account_id), byId.map((e) => e.contact_id)]);
      const map = new Map(found.rows.map((r) => [`${r.account_id}/${r.id}`, r]));
      for (const e of byId) {
        const c = map.get(`${e.account_id}/${e.contact_id}`);
        if (c) out.set(e.id, { id: c.id, list_id: c.list_id });
      }
    }
    return out;
  }
}

/** A run in every active flow of the contact's list that starts on this event, as its entry rule allows. */
async function startRuns(tx: Queryable, accountId: string, contact: { id: string; list_id: string }, event: EventData, now: Date): Promise<void> {
  const flows = await tx.query<{ id: string; version: number; entry_rule: EntryRule | null }>(
    `SELECT f.id, f.version, v.definition -> 'entry_rule' AS entry_rule
     FROM flows f JOIN flow_versions v ON v.account_id = f.account_id AND v.flow_id = f.id AND v.version = f.version
     WHERE f.account_id = $1 AND f.entry_event = $2 AND f.list_id = $3 AND f.status = 'active' AND f.deleted_at IS NULL`,
    [accountId, event.name, contact.list_id]);
  for (const f of flows.rows) {
    const rule = f.entry_rule ?? 'every_time';
    // Two events of one contact processed at once must not both pass a "once" rule.
    if (rule !== 'every_time') await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${accountId}/${f.id}/${contact.id}`]);
    if (!(await entryAllowed(tx, accountId, f.id, contact.id, rule, now))) continue;
    await insertRun(tx, accountId, f.id, f.version, contact.id, event);
  }
}

export async function insertRun(tx: Queryable, accountId: string, flowId: string, version: number, contactId: string, event?: EventData): Promise<string> {
  const id = newId('run');
  await tx.query(
    `INSERT INTO flow_runs (account_id, id, flow_id, version, contact_id, status, due_at, vars)
     VALUES ($1, $2, $3, $4, $5, 'active', now(), $6)`,
    [accountId, id, flowId, version, contactId, JSON.stringify({ loops: {}, ...(event ? { event } : {}) })]);
  return id;
}

export async function entryAllowed(tx: Queryable, accountId: string, flowId: string, contactId: string, rule: EntryRule, now: Date): Promise<boolean> {
  if (rule === 'every_time') return true;
  const since = rule === 'once' ? new Date(0) : new Date(now.getTime() - rule.once_per_days * 86_400_000);
  const r = await tx.query('SELECT 1 FROM flow_runs WHERE account_id = $1 AND contact_id = $2 AND flow_id = $3 AND entered_at >= $4 LIMIT 1',
    [accountId, contactId, flowId, since]);
  return r.rowCount === 0;
}

/** Runs of this contact waiting for the event (by index, then its match), and live runs whose goal it is. */
async function wakeRuns(tx: Queryable, accountId: string, contactId: string, event: EventData): Promise<void> {
  const waiting = await tx.query<{ id: string; wait: WaitState | null }>(
    `SELECT id, wait FROM flow_runs WHERE account_id = $1 AND contact_id = $2 AND wait_event = $3 AND status = 'waiting'`,
    [accountId, contactId, event.name]);
  const goals = await tx.query<{ id: string }>(
    `SELECT r.id FROM flow_runs r JOIN flows f ON f.account_id = r.account_id AND f.id = r.flow_id
     WHERE r.account_id = $1 AND r.contact_id = $2 AND r.status IN ('active', 'waiting') AND f.goal_event = $3`,
    [accountId, contactId, event.name]);
  const ids = new Set([...waiting.rows.filter((r) => eventMatchesWait(r.wait, event)).map((r) => r.id), ...goals.rows.map((r) => r.id)]);
  if (ids.size === 0) return;
  await tx.query(
    `INSERT INTO flow_run_wakes (account_id, run_id, wake) SELECT $1, u, $3 FROM unnest($2::text[]) AS u`,
    [accountId, [...ids], JSON.stringify({ kind: 'event', event })]);
  await tx.query(`UPDATE flow_runs SET due_at = now() WHERE account_id = $1 AND id = ANY($2::text[])`, [accountId, [...ids]]);
}
