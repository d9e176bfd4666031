import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../http/deps.js';
import { AppError, invalid, notFound } from '../core/errors.js';
import { withTransaction } from '../db/index.js';
import { getContact, getList } from '../contacts/index.js';
import { normaliseContacts } from '../contacts/normalise-contacts.js';
import { contactFields, loadAccountInfo } from '../messaging/compose.js';
import { validateDefinition } from './definition/validate.js';
import { simulate } from './simulate.js';
import { getFlow, getVersion, type FlowRow } from './sql/flows.js';
import { accountChannels } from './runs/state.js';
import { RUNS_CHANNEL } from './notify.js';
import { insertRun } from './events/process.js';
import { releaseApproval } from './entries/fire.js';
import { recordAudit } from '../audit/index.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Runs, per-node stats and the simulator of a flow. */
export const flowRunRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;
  const requireFlow = async (accountId: string, id: string): Promise<FlowRow> => {
    const f = await getFlow(pool, accountId, id);
    if (!f) throw notFound('flow');
    return f;
  };

  app.post('/flows/:id/runs', {
    schema: { tags: ['flows'], params: IdParams, body: Type.Object({ contact_id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }) },
  }, async (req, reply) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    if (flow.version === null) throw new AppError(409, 'conflict', 'publish the flow before starting runs');
    const contact = await getContact(pool, req.auth.accountId, req.body.contact_id);
    if (!contact || contact.list_id !== flow.list_id) throw invalid('contact_id', "not a contact of the flow's list");
    const id = await withTransaction(pool, async (tx) => {
      const runId = await insertRun(tx, req.auth.accountId, flow.id, flow.version!, contact.id, { name: 'manual', data: {}, at: deps.clock.now() });
      await tx.query(`NOTIFY ${RUNS_CHANNEL}`);
      return runId;
    });
    return reply.status(201).send({ id, flow_id: flow.id, version: flow.version, contact_id: contact.id, status: 'active' });
  });

  app.get('/flows/:id/runs', {
    schema: {
      tags: ['flows'], params: IdParams,
      querystring: Type.Object({ contact_id: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }),
    },
  }, async (req) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    const runs = await pool.query<{ id: string; contact_id: string; version: number; status: string; node: string | null; entered_at: Date; ended_at: Date | null; due_at: Date | null; error: string | null }>(
      `SELECT id, contact_id, version, status, node, entered_at, ended_at, due_at, error FROM flow_runs
       WHERE account_id = $1 AND flow_id = $2 AND ($3::text IS NULL OR contact_id = $3) ORDER BY entered_at DESC, id DESC LIMIT $4`,
      [req.auth.accountId, flow.id, req.query.contact_id ?? null, req.query.limit ?? 50]);
    const steps = await pool.query<{ run_id: string; at: Date; node_id: string; type: string; outcome: string | null; detail: Record<string, unknown> | null }>(
      `SELECT run_id, at, node_id, type, outcome, detail FROM flow_run_steps WHERE account_id = $1 AND run_id = ANY($2::text[]) ORDER BY run_id, iteration`,
      [req.auth.accountId, runs.rows.map((r) => r.id)]);
    const paths = new Map<string, unknown[]>();
    for (const s of steps.rows) {
      paths.set(s.run_id, [...(paths.get(s.run_id) ?? []), { at: s.at, node_id: s.node_id, type: s.type, ...(s.outcome ? { outcome: s.outcome } : {}), ...(s.detail ?? {}) }]);
    }
    return { runs: runs.rows.map((r) => ({ ...r, path: paths.get(r.id) ?? [] })) };
  });

  app.get('/flows/:id/stats', { schema: { tags: ['flows'], params: IdParams } }, async (req) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    const steps = await pool.query<{ node_id: string; outcome: string | null; n: number }>(
      `SELECT node_id, outcome, count(*)::int AS n FROM flow_run_steps WHERE account_id = $1 AND flow_id = $2 GROUP BY node_id, outcome`,
      [req.auth.accountId, flow.id]);
    const live = await pool.query<{ node: string; status: string; n: number }>(
      `SELECT node, status, count(*)::int AS n FROM flow_runs WHERE account_id = $1 AND flow_id = $2 AND node IS NOT NULL AND status IN ('waiting', 'active') GROUP BY node, status`,
      [req.auth.accountId, flow.id]);
    const failed = await pool.query<{ node_id: string; n: number }>(
      `SELECT s.node_id, count(*)::int AS n FROM flow_run_steps s WHERE s.account_id = $1 AND s.flow_id = $2 AND s.outcome IN ('failed', 'error') GROUP BY s.node_id`,
      [req.auth.accountId, flow.id]);
    const nodes: Record<string, { entered: number; completed: number; waiting: number; failed: number; outcomes: Record<string, number> }> = {};
    const at = (id: string) => (nodes[id] ??= { entered: 0, completed: 0, waiting: 0, failed: 0, outcomes: {} });
    for (const s of steps.rows) {
      const n = at(s.node_id);
      n.entered += s.n;
      if (s.outcome) n.outcomes[s.outcome] = (n.outcomes[s.outcome] ?? 0) + s.n;
    }
    for (const l of live.rows) if (l.status === 'waiting') at(l.node).waiting += l.n;
    for (const f of failed.rows) at(f.node_id).failed += f.n;
    // A step is completed once executed, unless the run still waits in it or it failed there.
    for (const n of Object.values(nodes)) n.completed = Math.max(0, n.entered - n.waiting - n.failed);
    return { nodes };
  });

  app.get('/flows/:id/approvals', { schema: { tags: ['flows'], params: IdParams } }, async (req) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    const r = await pool.query(
      `SELECT id, version, status, sample_size, total, created_at, released_by, released_at FROM flow_approvals
       WHERE account_id = $1 AND flow_id = $2 ORDER BY created_at DESC LIMIT 100`, [req.auth.accountId, flow.id]);
    return { approvals: r.rows };
  });

  // A held broadcast's control sample went out; an approver releases the rest (API.md).
  app.post('/flows/:id/approvals/:approval_id/release', {
    config: { role: 'approver' },
    schema: { tags: ['flows'], params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), approval_id: Type.String({ minLength: 1, maxLength: 64 }) }) },
  }, async (req) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    return withTransaction(pool, async (tx) => {
      const a = (await tx.query<{ id: string; version: number; status: string }>(
        'SELECT id, version, status FROM flow_approvals WHERE account_id = $1 AND flow_id = $2 AND id = $3 FOR UPDATE',
        [req.auth.accountId, flow.id, req.params.approval_id])).rows[0];
      if (!a) throw notFound('approval');
      if (a.status === 'released') throw new AppError(409, 'conflict', 'this broadcast was already released');
      const v = await getVersion(tx, req.auth.accountId, flow.id, a.version);
      if (!v) throw notFound('version');
      const account = await loadAccountInfo(tx, req.auth.accountId);
      const started = await releaseApproval(deps, tx, {
        accountId: req.auth.accountId, flowId: flow.id, version: a.version, listId: flow.list_id, definition: v.definition,
        timezone: account.timezone, now: deps.clock.now(), approvalId: a.id,
      });
      await tx.query(`UPDATE flow_approvals SET status = 'released', released_by = $3, released_at = now() WHERE account_id = $1 AND id = $2`,
        [req.auth.accountId, a.id, req.auth.actor]);
      await recordAudit(tx, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'flow.broadcast_released', target: flow.id, detail: { approval_id: a.id, started } });
      await tx.query(`NOTIFY ${RUNS_CHANNEL}`);
      return { id: a.id, status: 'released', started };
    });
  });

  app.post('/flows/:id/simulate', {
    schema: {
      tags: ['flows'], params: IdParams,
      body: Type.Object({
        contact: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        contact_id: Type.Optional(Type.String({ maxLength: 64 })),
        start_at: Type.Optional(Type.String({ format: 'date-time' })),
        version: Type.Optional(Type.Integer({ minimum: 1, description: 'a published version; default the draft' })),
        trigger: Type.Optional(Type.Object({ name: Type.String(), data: Type.Optional(Type.Record(Type.String(), Type.Unknown())) })),
        events: Type.Optional(Type.Array(Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          after_seconds: Type.Number({ minimum: 0, maximum: 400 * 86400 }),
          data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }), { maxItems: 1000 })),
      }, { additionalProperties: false }),
    },
  }, async (req) => {
    const flow = await requireFlow(req.auth.accountId, req.params.id);
    const definition = req.body.version
      ? (await getVersion(pool, req.auth.accountId, flow.id, req.body.version))?.definition
      : validateDefinition(flow.draft);
    if (!definition) throw notFound('version');
    const account = await loadAccountInfo(pool, req.auth.accountId);
    const list = await getList(pool, req.auth.accountId, flow.list_id);
    if (!list) throw notFound('list');
    let contact: Record<string, unknown> = {};
    if (req.body.contact_id) {
      const c = await getContact(pool, req.auth.accountId, req.body.contact_id);
      if (!c) throw new AppError(404, 'not_found', 'contact not found', [{ field: 'contact_id', message: 'not found' }]);
      contact = contactFields(c, list);
    } else if (req.body.contact) {
      // A sample contact is normalised like a real one (dates, phones), but never stored.
      const { contacts, rejected } = normaliseContacts(list, [req.body.contact]);
      if (rejected[0]) throw invalid(`contact.${rejected[0].field}`, rejected[0].reason);
      contact = { ...contacts[0]?.data };
    }
    const timezone = typeof contact.timezone === 'string' ? contact.timezone : account.timezone;
    const result = simulate({
      definition, contact, timezone, channels: await accountChannels(deps, req.auth.accountId),
      startAt: req.body.start_at ? new Date(req.body.start_at) : deps.clock.now(),
      ...(req.body.trigger ? { trigger: req.body.trigger } : {}),
      events: req.body.events ?? [],
    });
    return { timeline: result.timeline, sends: result.sends, final: { status: result.final.status, node: result.final.node } };
  });
};
