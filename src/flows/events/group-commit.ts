import type { Pool } from '../../db/index.js';
import { EVENTS_CHANNEL } from '../notify.js';

export { EVENTS_CHANNEL };

export interface PendingEvent {
  accountId: string;
  id: string;
  name: string;
  listId: string | null;
  contactId: string | null;
  contact: Record<string, unknown> | null;
  data: Record<string, unknown>;
  idempotencyKey: string | null;
}

interface Waiter {
  event: PendingEvent;
  resolve: (id: string) => void;
  reject: (err: unknown) => void;
}


/**
 * Group commit for `POST /v1/events`: requests arriving together are written by one INSERT in one
 * transaction (one WAL flush for all of them), and each is answered only after that commit — every
 * accepted event is durable before its 202. Up to `writers` batches commit at once, so a request
 * that arrives while one commits waits for the next flush, not for a queue of them.
 */
export class EventWriter {
  private queue: Waiter[] = [];
  private active = 0;

  constructor(private readonly pool: Pool, private readonly maxBatch = 500, private readonly writers = 2) {}

  /** Resolves to the event's id — the first one's when the idempotency key was already used. */
  write(event: PendingEvent): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (this.active < this.writers) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.active++;
    try {
      // Let the requests of this tick join the batch before it goes.
      await new Promise((r) => setImmediate(r));
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const ids = await insertEvents(this.pool, batch.map((w) => w.event));
          batch.forEach((w, i) => w.resolve(ids[i]!));
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          // One bad event (a value PostgreSQL refuses) must not fail the others it was batched with.
          else for (const w of batch) await insertEvents(this.pool, [w.event]).then((ids) => w.resolve(ids[0]!), w.reject);
        }
      }
    } finally {
      this.active--;
    }
  }
}

/** Inserts events (one statement), returning each one's id in order; a repeated idempotency key yields the stored event's id. */
async function insertEvents(pool: Pool, events: PendingEvent[]): Promise<string[]> {
  const rows = events.map((e) => ({
    account_id: e.accountId, id: e.id, name: e.name, list_id: e.listId, contact_id: e.contactId, contact: e.contact,
    data: e.data, idempotency_key: e.idempotencyKey,
  }));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO events (account_id, id, name, list_id, contact_id, contact, data, idempotency_key)
       SELECT r.account_id, r.id, r.name, r.list_id, r.contact_id, r.contact, coalesce(r.data, '{}'), r.idempotency_key
       FROM jsonb_to_recordset($1::jsonb) AS r (account_id text, id text, name text, list_id text, contact_id text, contact jsonb, data jsonb, idempotency_key text)
       ON CONFLICT (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id`,
      [JSON.stringify(rows)],
    );
    const fresh = new Set(inserted.rows.map((r) => r.id));
    const repeated = events.filter((e) => !fresh.has(e.id) && e.idempotencyKey);
    const byKey = new Map<string, string>();
    if (repeated.length) {
      const found = await client.query<{ account_id: string; idempotency_key: string; id: string }>(
        `SELECT account_id, idempotency_key, id FROM events
         WHERE (account_id, idempotency_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [repeated.map((e) => e.accountId), repeated.map((e) => e.idempotencyKey)],
      );
      for (const r of found.rows) byKey.set(`${r.account_id}/${r.idempotency_key}`, r.id);
    }
    if (fresh.size) await client.query(`NOTIFY ${EVENTS_CHANNEL}`);
    await client.query('COMMIT');
    return events.map((e) => (fresh.has(e.id) ? e.id : byKey.get(`${e.accountId}/${e.idempotencyKey}`) ?? e.id));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
