import type { AppDeps } from '../../http/deps.js';
import type { Queryable } from '../../db/index.js';
import { newId } from '../../core/ids.js';
import { getList } from '../../contacts/index.js';
import { localDate, requireSegment, SqlParams, validateFilter, whereFor, type SqlFragment } from '../../contacts/segments/index.js';
import { fieldExpr } from '../../contacts/segments/field-expr.js';
import type { Entry, EntryRule, FlowDefinition } from '../definition/types.js';

export interface FireTarget {
  accountId: string;
  flowId: string;
  version: number;
  listId: string;
  definition: FlowDefinition;
  timezone: string;
  now: Date;
  /** When this firing began (it may span ticks): contacts that entered since are not started again. */
  since?: Date;
}

/** How many runs one firing starts at most; a large segment continues at the next tick. */
export const FIRE_LIMIT = 50_000;

/**
 * Starts the runs a scheduled entry brings in, set-based (INSERT … SELECT over the contacts):
 * a segment's contacts that have not entered yet (by the entry rule), a broadcast's whole segment
 * (or its control sample when it needs approval), the contacts whose date field plus the offset is
 * today. Returns how many runs started and, for an approval, the contacts held back.
 */
export async function fireEntry(deps: AppDeps, tx: Queryable, t: FireTarget): Promise<{ started: number; held: number; approvalId?: string }> {
  const entry = t.definition.entry;
  const list = await getList(tx, t.accountId, t.listId);
  if (!list) return { started: 0, held: 0 };
  const segmentWhere = async (segmentId: string): Promise<SqlFragment> => {
    const seg = await requireSegment(tx, t.accountId, segmentId);
    return whereFor({ ...deps, pool: tx }, list, validateFilter(list, seg.filter));
  };
  switch (entry.type) {
    case 'segment': {
      const where = await segmentWhere(entry.segment_id);
      return { started: await startFor(tx, t, where, t.definition.entry_rule ?? 'once'), held: 0 };
    }
    case 'date_field': {
      // Contacts whose date + offset is today in the account's time zone: the field equals today − offset.
      const target = shiftDate(localDate(t.now, t.timezone), -entry.offset_days);
      const field = list.fields.find((f) => f.key === entry.field);
      const where: SqlFragment = (p) => `(${fieldExpr(field ?? { key: entry.field, type: 'date', label: entry.field }, 'c')}) = ${p.add(target, 'text')}`;
      return { started: await startFor(tx, t, where, t.definition.entry_rule ?? { once_per_days: 1 }), held: 0 };
    }
    case 'broadcast': {
      const where = await segmentWhere(entry.segment_id);
      if (!entry.approval) return { started: await startFor(tx, t, where, t.definition.entry_rule ?? 'every_time'), held: 0 };
      return startSample(tx, t, where, entry);
    }
    default:
      return { started: 0, held: 0 };
  }
}

function shiftDate(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The NOT EXISTS that applies an entry rule in SQL (the flow id is parameter $3 of the statement). */
function ruleSql(rule: EntryRule | { since: Date }, p: SqlParams, now: Date): string {
  if (rule === 'every_time') return 'TRUE';
  const since = rule === 'once' ? new Date(0) : 'since' in rule ? rule.since : new Date(now.getTime() - rule.once_per_days * 86_400_000);
  return `NOT EXISTS (SELECT 1 FROM flow_runs r WHERE r.account_id = c.account_id AND r.contact_id = c.id AND r.flow_id = $3
    AND r.entered_at >= ${p.add(since.toISOString(), 'text')}::timestamptz)`;
}

async function startFor(tx: Queryable, t: FireTarget, where: SqlFragment, rule: EntryRule, limit = FIRE_LIMIT): Promise<number> {
  const p = new SqlParams([t.accountId, t.listId, t.flowId, t.version]);
  // 'every_time' within one firing still means once: a firing continued over ticks skips those it started.
  const rule_ = rule === 'every_time' && t.since ? ruleSql({ since: t.since }, p, t.now) : ruleSql(rule, p, t.now);
  const r = await tx.query(
    `INSERT INTO flow_runs (account_id, id, flow_id, version, contact_id, status, due_at, vars)
     SELECT c.account_id, 'run_' || replace(gen_random_uuid()::text, '-', ''), $3, $4, c.id, 'active', now(), '{"loops":{}}'::jsonb
     FROM contacts c
     WHERE c.account_id = $1 AND c.list_id = $2 AND c.erased_at IS NULL AND (${where(p)}) AND ${rule_}
     LIMIT ${p.add(limit, 'integer')}`,
    p.values,
  );
  return r.rowCount ?? 0;
}

/** A broadcast needing approval: start the control sample, hold the rest behind an approval. */
async function startSample(tx: Queryable, t: FireTarget, where: SqlFragment, entry: Extract<Entry, { type: 'broadcast' }>): Promise<{ started: number; held: number; approvalId: string }> {
  const p = new SqlParams([t.accountId, t.listId]);
  const total = Number((await tx.query<{ n: string }>(
    `SELECT count(*) AS n FROM contacts c WHERE c.account_id = $1 AND c.list_id = $2 AND c.erased_at IS NULL AND (${where(p)})`, p.values)).rows[0]?.n ?? 0);
  const sample = sampleSize(entry.approval!.sample, total);
  const approvalId = newId('apr');
  await tx.query(
    `INSERT INTO flow_approvals (account_id, id, flow_id, version, sample_size, total) VALUES ($1, $2, $3, $4, $5, $6)`,
    [t.accountId, approvalId, t.flowId, t.version, sample, total]);
  // The sample is a deterministic pseudo-random pick (by a hash of the contact id and the approval).
  const q = new SqlParams([t.accountId, t.listId, t.flowId, t.version, approvalId]);
  const r = await insertApprovalRuns(tx, q, where, `ORDER BY md5(c.id || $5::text) LIMIT ${q.add(sample, 'integer')}`);
  return { started: r.rowCount ?? 0, held: total - (r.rowCount ?? 0), approvalId };
}

export function sampleSize(sample: number | string, total: number): number {
  if (typeof sample === 'number') return Math.min(total, Math.max(0, Math.floor(sample)));
  const pct = Number(String(sample).replace('%', ''));
  return Math.min(total, Math.max(1, Math.ceil((total * pct) / 100)));
}

/** Releases a held broadcast: every contact of its segment not yet in this approval's runs starts. */
export async function releaseApproval(deps: AppDeps, tx: Queryable, t: FireTarget & { approvalId: string }): Promise<number> {
  const entry = t.definition.entry;
  if (entry.type !== 'broadcast') return 0;
  const list = await getList(tx, t.accountId, t.listId);
  if (!list) return 0;
  const seg = await requireSegment(tx, t.accountId, entry.segment_id);
  const where = await whereFor({ ...deps, pool: tx }, list, validateFilter(list, seg.filter));
  const p = new SqlParams([t.accountId, t.listId, t.flowId, t.version, t.approvalId]);
  const r = await insertApprovalRuns(tx, p, where,
    `AND NOT EXISTS (SELECT 1 FROM flow_runs r WHERE r.account_id = c.account_id AND r.contact_id = c.id AND r.flow_id = $3
                     AND r.vars ->> 'approval_id' = $5)`);
  return r.rowCount ?? 0;
}

/** Runs tagged with the approval ($5) for the segment's contacts; params $1–$5: account, list, flow, version, approval. */
function insertApprovalRuns(tx: Queryable, p: SqlParams, where: SqlFragment, tail: string) {
  const condition = where(p);
  return tx.query(
    `INSERT INTO flow_runs (account_id, id, flow_id, version, contact_id, status, due_at, vars)
     SELECT c.account_id, 'run_' || replace(gen_random_uuid()::text, '-', ''), $3, $4, c.id, 'active', now(),
       jsonb_build_object('loops', '{}'::jsonb, 'approval_id', $5::text)
     FROM contacts c
     WHERE c.account_id = $1 AND c.list_id = $2 AND c.erased_at IS NULL AND (${condition}) ${tail}`,
    p.values);
}

