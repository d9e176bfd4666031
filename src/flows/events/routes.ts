import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { AppError, invalid } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { getList } from '../../contacts/index.js';
import { normaliseContacts } from '../../contacts/normalise-contacts.js';
import type { ListRow } from '../../contacts/sql/lists.js';
import { EventWriter } from './group-commit.js';

const LIST_TTL_MS = 10_000;

/**
 * `POST /v1/events` — starts or resumes every published flow waiting on the event's name. The
 * event is written durably (group commit) before the 202; matching it to flows and runs is the
 * event worker's job, so the request stays one short insert.
 */
export const eventRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const writer = new EventWriter(deps.pool);
  // Lists rarely change; a short cache keeps the hot path to one insert per batch.
  const lists = new Map<string, { at: number; list: ListRow | undefined }>();
  const listFor = async (accountId: string, id: string) => {
    const key = `${accountId}/${id}`;
    const hit = lists.get(key);
    if (hit && Date.now() - hit.at < LIST_TTL_MS) return hit.list;
    const list = await getList(deps.pool, accountId, id);
    if (lists.size > 10_000) lists.clear();
    lists.set(key, { at: Date.now(), list });
    return list;
  };

  app.post('/events', {
    schema: {
      tags: ['flows'],
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:-]+$' }),
        list_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        contact: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "the list's key field and any fields to upsert" })),
        contact_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const b = req.body;
    const accountId = req.auth.accountId;
    if (b.contact && b.contact_id) throw invalid('contact', 'give contact or contact_id, not both');
    // PostgreSQL's jsonb cannot hold U+0000: refused here rather than failing at the insert.
    if (JSON.stringify(b).includes('\\u0000')) throw invalid('data', 'text may not contain the NUL character (U+0000)');
    let contact: Record<string, unknown> | null = null;
    if (b.contact) {
      if (!b.list_id) throw invalid('list_id', 'is needed to identify a contact by its key field');
      const list = await listFor(accountId, b.list_id);
      if (!list) throw new AppError(404, 'not_found', 'list not found', [{ field: 'list_id', message: 'not found' }]);
      if (b.contact[list.key_field] === undefined || b.contact[list.key_field] === null || b.contact[list.key_field] === '') {
        throw invalid(`contact.${list.key_field}`, "the list's key field is required");
      }
      const { rejected } = normaliseContacts(list, [b.contact], { rejectUnknown: true });
      if (rejected.length) {
        throw new AppError(422, 'invalid_request', `contact.${rejected[0]!.field}: ${rejected[0]!.reason}`,
          rejected.map((r) => ({ field: `contact.${r.field}`, message: r.reason })));
      }
      contact = b.contact;
    } else if (b.list_id && !(await listFor(accountId, b.list_id))) {
      throw new AppError(404, 'not_found', 'list not found', [{ field: 'list_id', message: 'not found' }]);
    }
    const id = await writer.write({
      accountId, id: newId('evt'), name: b.name, listId: b.list_id ?? null, contactId: b.contact_id ?? null, contact,
      data: b.data ?? {}, idempotencyKey: req.headers['idempotency-key'] ?? null,
    });
    return reply.status(202).send({ id, status: 'accepted' });
  });
};
