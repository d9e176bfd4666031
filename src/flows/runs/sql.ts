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
  vars: Record<string, unknown>;
  error: string | null;
  entered_at: Date;
}

const COLS = 'account_id, id, flow_id, version, contact_id, node, status, due_at, wait, iteration, vars, error, entered_at';

/** Claims due runs (FOR UPDATE SKIP LOCKED, with a lease): timers that fired and runs woken by an event or a message outcome. */
export async function claimRuns(db: Queryable, workerId: string, limit: number, leaseSeconds: number): Promise<RunRow[]> {
  const r = await db.query<RunRow>(
    `WITH due AS (
       SELECT account_id, id FROM flow_runs
       WHERE due_at <= now() AND status IN ('active', 'waiting') AND (locked_until IS NULL OR locked_until < now())
       ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED
     )
     UPDATE flow_runs r SET locked_by = $1, locked_until = now() + make_interval(secs => $3)
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

/** Commits a run's new state with the path it took, and forgets the wakes it consumed. */
export async function saveRun(db: Queryable, run: RunState, trace: TraceEntry[], consumed: string[]): Promise<void> {
  const { wait_event: waitEvent, correlation } = waitIndex(run.wait);
  const ended = run.status === 'done' || run.status === 'exited' || run.status === 'failed';
  await db.query(
    `UPDATE flow_runs SET node = $3, status = $4, due_at = $5, wait = $6, wait_event = $7, correlation = $8, iteration = $9,
       vars = $10, error = $11, updated_at = now(), ended_at = CASE WHEN $12 THEN coalesce(ended_at, now()) END,
       locked_by = NULL, locked_until = NULL
     WHERE account_id = $1 AND id = $2`,
    [run.accountId, run.id, run.node, run.status, run.dueAt, run.wait ? JSON.stringify(run.wait) : null, waitEvent, correlation,
      run.iteration, JSON.stringify(run.vars), run.error ?? null, ended],
  );
  if (trace.length) {
    await db.query(
      `INSERT INTO flow_run_steps (account_id, run_id, iteration, flow_id, node_id, type, outcome, at, detail)
       SELECT $1, $2, s.iteration, $3, s.node_id, s.type, s.outcome, s.at, s.detail
       FROM jsonb_to_recordset($4::jsonb) AS s (iteration int, node_id text, type text, outcome text, at timestamptz, detail jsonb)
       ON CONFLICT DO NOTHING`,
      [run.accountId, run.id, run.flowId, JSON.stringify(trace.map((t) => ({
        iteration: t.iteration, node_id: t.node_id, type: t.type, outcome: t.outcome ?? null, at: t.at,
        detail: { ...t.detail, ...(t.channel_type ? { channel_type: t.channel_type } : {}), ...(t.template_id ? { template_id: t.template_id } : {}) },
      })))],
    );
  }
  if (consumed.length) {
    await db.query('DELETE FROM flow_run_wakes WHERE account_id = $1 AND run_id = $2 AND seq = ANY($3::bigint[])', [run.accountId, run.id, consumed]);
  }
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
