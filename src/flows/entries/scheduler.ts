import type { AppDeps } from '../../http/deps.js';
import type { Queryable } from '../../db/index.js';
import { withTransaction } from '../../db/index.js';
import { getAccount } from '../../accounts/index.js';
import type { FlowDefinition } from '../definition/types.js';
import { RUNS_CHANNEL } from '../notify.js';
import { FIRE_LIMIT, fireEntry } from './fire.js';
import { nextFire } from './next-fire.js';

/**
 * On publish: a flow with a scheduled entry (broadcast, date field, segment) gets its next firing.
 * A firing in progress keeps its lock (`locked_until`): re-publishing must not let a second worker
 * fire the same schedule beside it.
 */
export async function scheduleEntry(tx: Queryable, accountId: string, flowId: string, version: number, definition: FlowDefinition, now: Date): Promise<void> {
  const account = await getAccount(tx, accountId);
  const next = nextFire(definition.entry, now, account?.timezone ?? 'UTC', null);
  if (!next) {
    await tx.query('DELETE FROM flow_schedules WHERE account_id = $1 AND flow_id = $2', [accountId, flowId]);
    return;
  }
  await tx.query(
    `INSERT INTO flow_schedules (account_id, flow_id, version, next_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account_id, flow_id) DO UPDATE SET version = EXCLUDED.version, next_at = EXCLUDED.next_at, firing_since = NULL`,
    [accountId, flowId, version, next]);
}

/**
 * Fires due scheduled entries. Each firing and the schedule's next time commit together, so a
 * crash in between fires it again (its entry rule keeps a contact from entering twice).
 */
export async function fireDueEntries(deps: AppDeps, limit = 20): Promise<number> {
  const due = await deps.pool.query<{ account_id: string; flow_id: string; version: number; firing_since: Date | null }>(
    `WITH d AS (SELECT account_id, flow_id FROM flow_schedules
                WHERE next_at <= now() AND (locked_until IS NULL OR locked_until < now())
                ORDER BY next_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE flow_schedules s SET locked_until = now() + interval '5 minutes' FROM d
     WHERE s.account_id = d.account_id AND s.flow_id = d.flow_id RETURNING s.account_id, s.flow_id, s.version, s.firing_since`,
    [limit]);
  for (const s of due.rows) {
    try {
      await withTransaction(deps.pool, async (tx) => {
        const f = await tx.query<{ list_id: string; status: string; version: number; definition: FlowDefinition; timezone: string }>(
          `SELECT f.list_id, f.status, f.version, v.definition, a.timezone FROM flows f
           JOIN flow_versions v ON v.account_id = f.account_id AND v.flow_id = f.id AND v.version = f.version
           JOIN accounts a ON a.id = f.account_id
           WHERE f.account_id = $1 AND f.id = $2 AND f.deleted_at IS NULL`, [s.account_id, s.flow_id]);
        const flow = f.rows[0];
        if (!flow || flow.status !== 'active') {
          await tx.query('DELETE FROM flow_schedules WHERE account_id = $1 AND flow_id = $2', [s.account_id, s.flow_id]);
          return;
        }
        const now = deps.clock.now();
        // The database's clock: runs record their entry with it, and the next tick compares them.
        const since = s.firing_since ?? (await tx.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
        const fired = await fireEntry(deps, tx, {
          accountId: s.account_id, flowId: s.flow_id, version: flow.version, listId: flow.list_id, definition: flow.definition,
          timezone: flow.timezone, now, since,
        });
        // A firing that hit its limit goes on at once (and remembers when it began); otherwise the
        // entry's own next time.
        // (An approval's sample is one firing by itself: the rest waits for the release.)
        const more = !fired.approvalId && fired.started >= FIRE_LIMIT;
        const next = more ? now : nextFire(flow.definition.entry, now, flow.timezone, now);
        await tx.query(
          `UPDATE flow_schedules SET next_at = $3, last_fired_at = now(), firing_since = $4, locked_until = NULL
           WHERE account_id = $1 AND flow_id = $2`,
          [s.account_id, s.flow_id, next, more ? since : null]);
        if (fired.started) await tx.query(`NOTIFY ${RUNS_CHANNEL}`);
        if (fired.started || fired.held) deps.log.info({ flow: s.flow_id, started: fired.started, held: fired.held }, 'flow entry fired');
      });
    } catch (err) {
      deps.log.error({ err, flow: s.flow_id }, 'flow entry failed; retried in 5 minutes');
    }
  }
  return due.rows.length;
}
