import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../http/deps.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { withTransaction } from '../db/index.js';
import { recordAudit } from '../audit/index.js';
import { MAX_FIELDS } from './fields.js';
import { checkCountry, checkDateFormat, checkFields, checkKeyField, listView, planFieldChange } from './lists.js';
import { MAX_UPSERT, eraseContact, patchContact, readContact, upsertBatch } from './contacts.js';
import { countListContacts, deleteList, getList, insertList, listLists, updateList } from './sql/lists.js';
import { eraseContacts } from './sql/contacts.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const FieldInput = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 63 }),
  label: Type.Optional(Type.String({ maxLength: 200 })),
  type: Type.String({ description: 'text, number, date, datetime, boolean, email, phone or enum' }),
  required: Type.Optional(Type.Boolean()),
  options: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000 })),
}, { additionalProperties: false });
// One more than the limit passes the schema so the 201st field gets its own clear message.
const Fields = Type.Array(FieldInput, { maxItems: MAX_FIELDS + 1 });
const ListSettings = {
  default_country: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'ISO 3166 alpha-2, e.g. CO' })),
  date_format: Type.Optional(Type.String({ description: 'yyyy-mm-dd, dd/mm/yyyy or mm/dd/yyyy' })),
  decimal_separator: Type.Optional(Type.Union([Type.Literal('.'), Type.Literal(',')])),
};

export const listAndContactRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;

  app.post('/lists', {
    schema: {
      tags: ['contacts'],
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), key_field: Type.String({ minLength: 1 }), fields: Type.Optional(Fields), ...ListSettings }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const b = req.body;
    const fields = checkFields(b.fields ?? []);
    checkKeyField(b.key_field, fields);
    const list = await insertList(pool, {
      accountId: req.auth.accountId, id: newId('lst'), name: b.name, keyField: b.key_field,
      defaultCountry: checkCountry(b.default_country), dateFormat: checkDateFormat(b.date_format) ?? 'yyyy-mm-dd',
      decimalSeparator: b.decimal_separator ?? '.', fields,
    });
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'list.created', target: list.id });
    return reply.status(201).send(listView(list, 0));
  });

  app.get('/lists', { schema: { tags: ['contacts'] } }, async (req) => ({
    lists: (await listLists(pool, req.auth.accountId)).map((l) => listView(l, l.contact_count)),
  }));

  app.get('/lists/:id', { schema: { tags: ['contacts'], params: IdParams } }, async (req) => {
    const list = await getList(pool, req.auth.accountId, req.params.id);
    if (!list) throw notFound('list');
    return listView(list, await countListContacts(pool, list.account_id, list.id));
  });

  app.patch('/lists/:id', {
    schema: {
      tags: ['contacts'], params: IdParams,
      body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), fields: Type.Optional(Fields), ...ListSettings }, { additionalProperties: false }),
    },
  }, async (req) => {
    const b = req.body;
    const next = b.fields ? checkFields(b.fields) : undefined;
    const defaultCountry = b.default_country === undefined ? undefined : checkCountry(b.default_country);
    const dateFormat = checkDateFormat(b.date_format);
    const updated = await withTransaction(pool, async (tx) => {
      const list = await getList(tx, req.auth.accountId, req.params.id, { forUpdate: true });
      if (!list) throw notFound('list');
      let fields;
      if (next) {
        const hasContacts = (await countListContacts(tx, list.account_id, list.id)) > 0;
        const plan = planFieldChange(list.fields, next, list.key_field, hasContacts, new Date().toISOString());
        checkKeyField(list.key_field, plan.fields);
        fields = plan.fields;
        // A re-added key starts empty: old values were validated under the old definition.
        for (const key of plan.readded) {
          await tx.query(`UPDATE contacts SET data = data - $3::text WHERE account_id = $1 AND list_id = $2 AND data ? $3`, [list.account_id, list.id, key]);
        }
      }
      const row = await updateList(tx, list.account_id, list.id, { name: b.name, defaultCountry, dateFormat, decimalSeparator: b.decimal_separator, fields });
      await recordAudit(tx, { accountId: list.account_id, actor: req.auth.actor, action: 'list.updated', target: list.id, detail: { fields_changed: !!next } });
      return row!;
    });
    return listView(updated, await countListContacts(pool, updated.account_id, updated.id));
  });

  app.delete('/lists/:id', { config: { role: 'admin' }, schema: { tags: ['contacts'], params: IdParams } }, async (req, reply) => {
    await withTransaction(pool, async (tx) => {
      if (!(await deleteList(tx, req.auth.accountId, req.params.id))) throw notFound('list');
      const erased = await eraseContacts(tx, req.auth.accountId, { listId: req.params.id });
      await recordAudit(tx, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'list.deleted', target: req.params.id, detail: { contacts_erased: erased } });
    });
    return reply.status(204).send();
  });

  app.put('/lists/:id/contacts', {
    schema: {
      tags: ['contacts'], params: IdParams,
      body: Type.Object({ contacts: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: MAX_UPSERT, minItems: 1 }) }, { additionalProperties: false }),
    },
  }, async (req) => {
    const list = await getList(pool, req.auth.accountId, req.params.id);
    if (!list) throw notFound('list');
    return upsertBatch(pool, list, req.body.contacts);
  });

  app.get('/contacts/:id', { schema: { tags: ['contacts'], params: IdParams } }, async (req) =>
    readContact(pool, req.auth.accountId, req.params.id));

  app.patch('/contacts/:id', {
    schema: { tags: ['contacts'], params: IdParams, body: Type.Record(Type.String(), Type.Unknown()) },
  }, async (req) => patchContact(pool, req.auth.accountId, req.params.id, req.body));

  app.delete('/contacts/:id', { schema: { tags: ['contacts'], params: IdParams } }, async (req, reply) => {
    await eraseContact(pool, req.auth.accountId, req.params.id, req.auth.actor);
    return reply.status(204).send();
  });
};
