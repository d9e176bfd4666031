import { Type, type Static } from 'typebox';
import { AppError } from '../../core/errors.js';
import { patchContact } from '../../contacts/contacts.js';
import { getContact } from '../../contacts/index.js';
import type { ChannelConnection, ChannelContext, ChannelProvider, OutgoingMessage, SendOutcome } from '../port.js';

export const DbUpdateConfig = Type.Object({
  list_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'only update contacts of this list' })),
}, { additionalProperties: false });
export type DbUpdateConfig = Static<typeof DbUpdateConfig>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One "message": set `content.fields` on the contact `to`, through the Contact Manager's
 * normalisation (types, formats, the list's date and decimal settings) exactly as PATCH
 * /v1/contacts/{id} does. A value the list refuses is a permanent failure naming the field.
 */
export async function applyUpdate(m: OutgoingMessage, config: DbUpdateConfig, ctx: ChannelContext): Promise<SendOutcome> {
  const fields = m.content.fields;
  if (!isRecord(fields) || Object.keys(fields).length === 0) return { id: m.id, status: 'failed', transient: false, error: 'no fields to set' };
  const contactId = m.to || m.contactId;
  if (!contactId) return { id: m.id, status: 'failed', transient: false, error: 'no contact to update' };
  try {
    if (config.list_id) {
      const c = await getContact(ctx.pool, ctx.accountId, contactId);
      if (c && c.list_id !== config.list_id) return { id: m.id, status: 'failed', transient: false, error: `contact is not in list ${config.list_id}` };
    }
    await patchContact(ctx.pool, ctx.accountId, contactId, fields);
    // Field names only: the values are personal data and live on the contact.
    return { id: m.id, status: 'sent', detail: { fields: Object.keys(fields) } };
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      const d = err.details[0];
      const error = d?.field ? `${d.field}: ${d.message}` : err.message;
      return { id: m.id, status: 'failed', transient: false, error, detail: { code: err.code, ...(d?.field ? { field: d.field } : {}) } };
    }
    // The database was unreachable or busy: try again later.
    return { id: m.id, status: 'failed', transient: true, error: err instanceof Error ? err.message : String(err) };
  }
}

/** `db_update`: the brochures' "database update" channel — a flow step that writes to the contact. */
export function createDbUpdateProvider(): ChannelProvider<DbUpdateConfig> {
  return {
    type: 'db_update',
    kind: 'db_update',
    configSchema: DbUpdateConfig,
    secrets: [],
    maxBatch: 100,
    async connect(config, ctx): Promise<ChannelConnection> {
      return {
        async send(batch) {
          const out: SendOutcome[] = [];
          // In order: two updates of one contact in a batch land as sent, the later one last.
          for (const m of batch) out.push(await applyUpdate(m, config, ctx));
          return out;
        },
        close: async () => {},
      };
    },
  };
}

export const dbUpdateProvider = createDbUpdateProvider();
