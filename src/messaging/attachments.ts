import type { Queryable } from '../db/index.js';
import { AppError, invalid } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Attachment } from '../channels/port.js';

/** What a message row keeps of an attachment: the bytes live once in `attachments`. */
export interface AttachmentRef {
  id: string;
  filename: string;
  content_type: string;
  size: number;
}

export interface NewAttachment extends AttachmentRef {
  content: Buffer;
}

/** Checks and decodes attachments from the API (base64); 413 naming the one that crosses the limit. */
export function decodeAttachments(list: Attachment[] | undefined, limit: number): NewAttachment[] {
  if (!list?.length) return [];
  let total = 0;
  return list.map((a, i) => {
    const b64 = a.content.replace(/\s/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) throw invalid(`attachments[${i}].content`, 'must be base64');
    total += Math.floor((b64.length * 3) / 4);
    if (total > limit) {
      throw new AppError(413, 'payload_too_large', `attachments[${i}]: attachments exceed the ${limit}-byte limit`, [{ field: `attachments[${i}]`, message: 'over the limit' }]);
    }
    const content = Buffer.from(b64, 'base64');
    return { id: newId('att'), filename: a.filename, content_type: a.content_type, size: content.length, content };
  });
}

export const refsOf = (list: NewAttachment[]): AttachmentRef[] =>
  list.map(({ id, filename, content_type, size }) => ({ id, filename, content_type, size }));

export async function storeAttachments(db: Queryable, accountId: string, list: NewAttachment[]): Promise<void> {
  if (list.length === 0) return;
  await db.query(
    `INSERT INTO attachments (account_id, id, filename, content_type, size, content)
     SELECT $1, a.id, a.filename, a.content_type, a.size, a.content
     FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::bytea[]) AS a (id, filename, content_type, size, content)`,
    [accountId, list.map((a) => a.id), list.map((a) => a.filename), list.map((a) => a.content_type), list.map((a) => a.size), list.map((a) => a.content)],
  );
}

/**
 * The bytes of attachments as base64, by id, for the outbox worker. Kept in a small cache: a
 * broadcast's one-for-all attachment is read and encoded once, not once per message.
 */
export class AttachmentCache {
  private readonly cache = new Map<string, string>();

  constructor(private readonly maxEntries = 64) {}

  async load(db: Queryable, accountId: string, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.cache.get(`${accountId}/${id}`);
      if (hit !== undefined) out.set(id, hit);
      else missing.push(id);
    }
    if (missing.length) {
      const { rows } = await db.query<{ id: string; content: Buffer }>(
        'SELECT id, content FROM attachments WHERE account_id = $1 AND id = ANY($2::text[])', [accountId, missing]);
      for (const r of rows) {
        const b64 = r.content.toString('base64');
        out.set(r.id, b64);
        if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(`${accountId}/${r.id}`, b64);
      }
    }
    return out;
  }
}
