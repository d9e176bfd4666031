import type { Queryable } from '../../db/index.js';
import type { TrackingKind, TrackingToken } from './track-content.js';

/** Saves a message's tracking tokens in one statement (the send path calls this per message). */
export async function saveTokens(db: Queryable, accountId: string, messageId: string, tokens: readonly TrackingToken[]): Promise<void> {
  if (tokens.length === 0) return;
  await db.query(
    `INSERT INTO tracking_tokens (account_id, token, message_id, kind, url)
     SELECT $1, t.token, $2, t.kind, t.url FROM unnest($3::text[], $4::text[], $5::text[]) AS t (token, kind, url)`,
    [accountId, messageId, tokens.map((t) => t.token), tokens.map((t) => t.kind), tokens.map((t) => t.url)],
  );
}

/** A token with what the public routes need about its message. */
export interface TokenTarget {
  account_id: string;
  account_name: string;
  message_id: string;
  kind: TrackingKind;
  url: string | null;
  channel_type: string;
  contact_id: string | null;
  template_id: string | null;
  template_name: string | null;
  /** The campaign that sent the message (`messages.source.campaign`), when there is one. */
  campaign: string | null;
  /** The contact already opted out of marketing. */
  opted_out: boolean;
}

/**
 * Looks a token up. The public routes have no account: the unguessable token is the only key,
 * and everything done afterwards is scoped by the account_id found here.
 */
export async function findToken(db: Queryable, token: string, kind: TrackingKind): Promise<TokenTarget | undefined> {
  const { rows } = await db.query<TokenTarget>(
    `SELECT t.account_id, a.name AS account_name, t.message_id, t.kind, t.url, m.channel_type, m.contact_id,
            m.template_id, tp.name AS template_name, m.source ->> 'campaign' AS campaign,
            coalesce(c.data -> 'consent_marketing' = 'false'::jsonb, false) AS opted_out
     FROM tracking_tokens t
     JOIN accounts a ON a.id = t.account_id
     JOIN messages m ON m.account_id = t.account_id AND m.id = t.message_id
     LEFT JOIN templates tp ON tp.account_id = m.account_id AND tp.id = m.template_id
     LEFT JOIN contacts c ON c.account_id = m.account_id AND c.id = m.contact_id
     WHERE t.token = $1 AND t.kind = $2`,
    [token, kind],
  );
  return rows[0];
}

/**
 * Opts a contact out of marketing (`consent_marketing: false` in its data). Returns whether
 * anything changed: false when the contact had already opted out or is erased.
 */
export async function optOutOfMarketing(db: Queryable, accountId: string, contactId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE contacts SET data = data || '{"consent_marketing": false}'::jsonb, updated_at = now()
     WHERE account_id = $1 AND id = $2 AND erased_at IS NULL
       AND (data -> 'consent_marketing') IS DISTINCT FROM 'false'::jsonb`,
    [accountId, contactId],
  );
  return (rowCount ?? 0) > 0;
}
