import type { Queryable } from '../../db/index.js';
import type { Category, RenderedContent } from '../../channels/port.js';
import type { AttachmentRef } from '../attachments.js';
import type { MessageStatus } from '../status.js';

export interface NewMessage {
  accountId: string;
  id: string;
  contactId: string | null;
  channelId: string;
  channelType: string;
  to: string;
  category: Category;
  templateId: string | null;
  content: RenderedContent;
  data: Record<string, unknown>;
  attachments: AttachmentRef[];
  links: Record<string, string>;
  status: MessageStatus;
  policy: Record<string, unknown>;
  segments: number;
  source: Record<string, unknown> | null;
}

export interface MessageRow {
  id: string;
  contact_id: string | null;
  channel_id: string;
  channel_type: string;
  to_address: string;
  category: string;
  template_id: string | null;
  content: RenderedContent;
  status: string;
  policy: Record<string, unknown>;
  provider_id: string | null;
  segments: number;
  cost: string;
  attempts: number;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

const COLS = `id, contact_id, channel_id, channel_type, to_address, category, template_id, content, status, policy,
  provider_id, segments, cost::text, attempts, error, created_at, updated_at, sent_at`;

export async function getMessage(db: Queryable, accountId: string, id: string): Promise<MessageRow | undefined> {
  const r = await db.query<MessageRow>(`SELECT ${COLS} FROM messages WHERE account_id = $1 AND id = $2`, [accountId, id]);
  return r.rows[0];
}

export interface EventRow {
  type: string;
  at: Date;
  detail: Record<string, unknown>;
}

export async function messageEvents(db: Queryable, accountId: string, id: string): Promise<EventRow[]> {
  const r = await db.query<EventRow>(
    'SELECT type, at, detail FROM message_events WHERE account_id = $1 AND message_id = $2 ORDER BY at, seq', [accountId, id]);
  return r.rows;
}

export interface MessageQuery {
  contactId?: string;
  status?: string;
  channelType?: string;
  from?: string;
  to?: string;
  /** keyset: (created_at, id) of the last row of the previous page */
  after?: { createdAt: string; id: string };
  limit: number;
}

export async function findMessages(db: Queryable, accountId: string, q: MessageQuery): Promise<MessageRow[]> {
  const where = ['account_id = $1'];
  const args: unknown[] = [accountId];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (q.contactId) add('contact_id = ?', q.contactId);
  if (q.status) add('status = ?', q.status);
  if (q.channelType) add('channel_type = ?', q.channelType);
  if (q.from) add('created_at >= ?', q.from);
  if (q.to) add('created_at < ?', q.to);
  if (q.after) {
    args.push(q.after.createdAt, q.after.id);
    where.push(`(created_at, id) < ($${args.length - 1}::timestamptz, $${args.length})`);
  }
  args.push(q.limit);
  const r = await db.query<MessageRow>(
    `SELECT ${COLS} FROM messages WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${args.length}`, args);
  return r.rows;
}
