import type { Queryable } from '../../db/index.js';
import { newId } from '../../core/ids.js';

/** What a sandbox sink received, as `GET /v1/sandbox/messages` shows it. */
export interface SandboxMessage {
  accountId: string;
  /** The Conversa message id the sink read off the wire (header, TLV), when it carried one. */
  messageId: string | null;
  channelType: string;
  to: string;
  subject?: string | null;
  text: string;
  raw?: string | null;
}

/**
 * Stores what a sink received. The sinks are providers' stand-ins, so they dedupe the way a real
 * provider does with an idempotency key: a second delivery of the same message id is recorded as
 * a duplicate (duplicates + 1), which the crash tests assert stays at zero.
 */
export async function recordSandboxMessage(db: Queryable, m: SandboxMessage): Promise<void> {
  await db.query(
    `INSERT INTO sandbox_messages (account_id, id, message_id, channel_type, to_address, subject, text, raw)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (account_id, message_id) WHERE message_id IS NOT NULL
     DO UPDATE SET duplicates = sandbox_messages.duplicates + 1`,
    [m.accountId, newId('sbx'), m.messageId, m.channelType, m.to, m.subject ?? null, m.text, m.raw ?? null],
  );
}
