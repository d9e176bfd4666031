import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { recordAudit } from '../../audit/index.js';
import { requireList, resolveFilter, whereFor } from '../segments/index.js';
import { exportCsv } from './csv-export.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ExportQuery = Type.Object({ segment_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false });

/** `GET /v1/lists/:id/export[?segment_id=]`: the list (or a segment of it) as a streamed CSV. */
export const exportRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;

  app.get('/lists/:id/export', { schema: { tags: ['contacts'], params: IdParams, querystring: ExportQuery } }, async (req, reply) => {
    const list = await requireList(pool, req.auth.accountId, req.params.id);
    // Unknown segment → 404; a segment of another list → 422 (resolveFilter).
    const filter = await resolveFilter(pool, req.auth.accountId, list, { segment_id: req.query.segment_id });
    const where = await whereFor(deps, list, filter);
    // Exports carry personal data out of the system: the audit trail says who took what.
    await recordAudit(pool, {
      accountId: list.account_id, actor: req.auth.actor, action: 'list.exported', target: list.id,
      detail: { segment_id: req.query.segment_id ?? null },
    });
    const csv = await exportCsv(pool, req.log, list, where);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="contacts-${list.id}.csv"`)
      .send(csv);
  });
};
