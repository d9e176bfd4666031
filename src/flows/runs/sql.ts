import type { Queryable } from '../../db/index.js';
import type { RunState, TraceEntry, Wake, WaitState } from '../engine/types.js';
import { waitIndex } from '../engine/match.js';

export interface RunRow {
  account_id: string;
  id: string;
  flow_id: string;
  version: number;
  contact_id: string;
  node: string | null;
  status: RunState['status'];
  due_at: Date | null;
  wait: WaitState | null;
  iteration: number;
  attempts: number;
  vars: Record<string, unknown>;
  error: string | null;
  entered_at: Date;
}

const COLS = 'account_id, id, flow_id, version, contact_id, node, status, due_at, wait, iteration, attempts, vars, error, entered_at';

/** Claims due runs (FOR UPDATE SKIP LOCKED, with a lease): timers that fired and runs woken by an event or a message outcome. */
export async function claimRuns(db: Queryable, workerId: string, limit: number, leaseSeconds: number): Promise<RunRow[]> {
  const r = await db.query<RunRow>(
    `WITH due AS (
       SELECT account_id, id FROM flow_runs
       WHERE due_at <= now() AND status IN ('active', 'waiting') AND (locked_until IS NULL OR locked_until < now())
       ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED
     )
     UPDATE flow_runs r SET locked_by = $1, locked_until = now() + make_interval(secs => $3), attempts = r.attempts + 1
     FROM due WHERE r.account_id = due.account_id AND r.id = due.id
     RETURNING ${COLS.split(', ').map((c) => 'r.' + c).join(', ')}`,
    [workerId, limit, leaseSeconds],
  );
  return r.rows;
}

export async function loadWakes(db: Queryable, runs: { account_id: string; id: string }[]): Promise<Map<string, { seq: string; wake: Wake }[]>> {
  const map = new Map<string, { seq: string; wake: Wake }[]>();
  if (runs.length === 0) return map;
  const r = await db.query<{ run_id: string; seq: string; wake: Wake }>(
    `SELECT run_id, seq::text, wake FROM flow_run_wakes
     WHERE (account_id, run_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY seq`,
    [runs.map((x) => x.account_id), runs.map((x) => x.id)],
  );
  for (const w of r.rows) {
    const list = map.get(w.run_id) ?? [];
    list.push({ seq: w.seq, wake: w.wake });
    map.set(w.run_id, list);
  }
  return map;
}

export interface RunCommit {
  run: RunState;
  trace: TraceEntry[];
  /** Wakes (their seq) the run consumed. */
  consumed: string[];
}

/**
 * Commits runs' new states, the paths they took and the wakes they consumed — three statements
 * for the whole batch, inside the caller's transaction.
 */
export async function saveRuns(db: Queryable, commits: RunCommit[]): Promise<void> {
  if (commits.length === 0) return;
  const rows = commits.map(({ run }) => {
    const { wait_event, correlation } = waitIndex(run.wait);
    return {
      account_id: run.accountId, id: run.id, node: run.node, status: run.status, due_at: run.dueAt, wait: run.wait,
      wait_event, correlation, iteration: run.iteration, vars: run.vars, error: run.error ?? null,
      ended: run.status === 'done' || run.status === 'exited' || run.status === 'failed',
    };
  });
  const wakes = commits.flatMap(({ run, consumed }) => consumed.map((seq) => [run.accountId, run.id, seq] as const));
  if (wakes.length) {
    await db.query(
      `DELETE FROM flow_run_wakes w USING unnest($1::text[], $2::text[], $3::bigint[]) AS u (a, r, s)
       WHERE w.account_id = u.a AND w.run_id = u.r AND w.seq = u.s`,
      [wakes.map((w) => w[0]), wakes.map((w) => w[1]), wakes.map((w) => w[2])],
    );
  }
  // A wake that arrived while the run was being stepped keeps it due (its sender's own UPDATE
  // waits on this row's lock and lands after this commit; one that committed before is seen here).
  await db.query(
    `UPDATE flow_runs r SET node = u.node, status = u.status,
       due_at = CASE WHEN u.status IN ('active', 'waiting')
                      AND EXISTS (SELECT 1 FROM flow_run_wakes w WHERE w.account_id = r.account_id AND w.run_id = r.id)
                     THEN now() ELSE u.due_at END, wait = u.wait, wait_event = u.wait_event,
       correlation = u.correlation, iteration = u.iteration, vars = u.vars, error = u.error, updated_at = now(),
       ended_at = CASE WHEN u.ended THEN coalesce(r.ended_at, now()) END, locked_by = NULL, locked_until = NULL, attempts = 0
     FROM jsonb_to_recordset($1::jsonb) AS u (account_id text, id text, node text, status text, due_at timestamptz, wait jsonb,
       wait_event text, correlation text, iteration int, vars jsonb, error text, ended boolean)
     WHERE r.account_id = u.account_id AND r.id = u.id`,
    [JSON.stringify(rows)],
  );
  // A wake whose sender held the row while the UPDATE above waited is invisible to that UPDATE's
  // snapshot; a second statement sees it (a fresh snapshot) and keeps the run due.
  await db.query(
    `UPDATE flow_runs r SET due_at = now()
     FROM unnest($1::text[], $2::text[]) AS u (a, i)
     WHERE r.account_id = u.a AND r.id = u.i AND r.status IN ('active', 'waiting')
       AND (r.due_at IS NULL OR r.due_at > now())
       AND EXISTS (SELECT 1 FROM flow_run_wakes w WHERE w.account_id = r.account_id AND w.run_id = r.id)`,
    [rows.map((r) => r.account_id), rows.map((r) => r.id)],
  );
  const steps = commits.flatMap(({ run, trace }) => trace.map((t) => ({
    account_id: run.accountId, run_id: run.id, flow_id: run.flowId, iteration: t.iteration, node_id: t.node_id, type: t.type,
    outcome: t.outcome ?? null, at: t.at,
    detail: { ...t.detail, ...(t.channel_type ? { channel_type: t.channel_type } : {}), ...(t.template_id ? { template_id: t.template_id } : {}) },
  })));
  if (steps.length) {
    await db.query(
      `INSERT INTO flow_run_steps (account_id, run_id, iteration, flow_id, node_id, type, outcome, at, detail)
       SELECT s.account_id, s.run_id, s.iteration, s.flow_id, s.node_id, s.type, s.outcome, s.at, s.detail
       FROM jsonb_to_recordset($1::jsonb) AS s (account_id text, run_id text, iteration int, flow_id text, node_id text, type text,
         outcome text, at timestamptz, detail jsonb)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(steps)],
    );
  }
}

/** Messages the given runs' steps already wrote, by effect key (a replayed step finds them). */
export async function writtenMessages(db: Queryable, runs: { account_id: string; id: string }[]): Promise<Map<string, { id: string; status: string; channel_type: string }>> {
  const map = new Map<string, { id: string; status: string; channel_type: string }>();
  if (runs.length === 0) return map;
  const r = await db.query<{ key: string; id: string; status: string; channel_type: string }>(
    `SELECT m.source ->> 'key' AS key, m.id, m.status, m.channel_type FROM messages m
     JOIN unnest($1::text[], $2::text[]) AS u (a, r) ON m.account_id = u.a AND m.source ->> 'run_id' = u.r
     WHERE m.source ? 'run_id'`,
    [runs.map((x) => x.account_id), runs.map((x) => x.id)],
  );
  for (const x of r.rows) map.set(x.key, { id: x.id, status: x.status, channel_type: x.channel_type });
  return map;
}

export async function releaseRuns(db: Queryable, workerId: string, runs: { account_id: string; id: string }[]): Promise<void> {
  if (runs.length === 0) return;
  await db.query(
    `UPDATE flow_runs r SET locked_by = NULL, locked_until = NULL FROM unnest($2::text[], $3::text[]) AS u(a, i)
     WHERE r.account_id = u.a AND r.id = u.i AND r.locked_by = $1`,
    [workerId, runs.map((r) => r.account_id), runs.map((r) => r.id)],
  );
}

/** Appends a wake to a run and makes it due now. */
export async function wakeRun(db: Queryable, accountId: string, runId: string, wake: Wake): Promise<void> {
  await db.query('INSERT INTO flow_run_wakes (account_id, run_id, wake) VALUES ($1, $2, $3)', [accountId, runId, JSON.stringify(wake)]);
  await db.query(`UPDATE flow_runs SET due_at = now() WHERE account_id = $1 AND id = $2 AND status IN ('active', 'waiting')`, [accountId, runId]);
}

/**
 * Locks the batch's runs for its commit and keeps only those this worker still holds: a run whose
 * lease expired and was taken over by another worker is that worker's to commit, not ours.
 */
export async function stillHeld(db: Queryable, workerId: string, runs: { accountId: string; id: string }[]): Promise<Set<string>> {
  if (runs.length === 0) return new Set();
  const r = await db.query<{ id: string }>(
    `SELECT r.id FROM flow_runs r JOIN unnest($2::text[], $3::text[]) AS u (a, i) ON r.account_id = u.a AND r.id = u.i
     WHERE r.locked_by = $1 ORDER BY r.account_id, r.id FOR UPDATE OF r`,
    [workerId, runs.map((x) => x.accountId), runs.map((x) => x.id)],
  );
  return new Set(r.rows.map((x) => x.id));
}

/** Extends this worker's lease on the runs of a batch still being stepped (slow HTTP nodes). */
export async function renewRuns(db: Queryable, workerId: string, runs: { account_id: string; id: string }[], leaseSeconds: number): Promise<void> {
  if (runs.length === 0) return;
  await db.query(
    `UPDATE flow_runs r SET locked_until = now() + make_interval(secs => $4)
     FROM unnest($2::text[], $3::text[]) AS u (a, i)
     WHERE r.account_id = u.a AND r.id = u.i AND r.locked_by = $1`,
    [workerId, runs.map((x) => x.account_id), runs.map((x) => x.id), leaseSeconds]);
}
