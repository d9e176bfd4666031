import type { Queryable } from '../../db/index.js';

export interface PushKeys {
  p256dh: string;
  auth: string;
}

export interface PushSubscriptionRow {
  account_id: string;
  id: string;
  contact_id: string;
  endpoint: string;
  keys: PushKeys;
  created_at: Date;
}

const COLS = 'account_id, id, contact_id, endpoint, keys, created_at';

/** Adds a browser's subscription; the same endpoint again (a re-subscribe) refreshes its keys. */
export async function upsertSubscription(db: Queryable, s: { accountId: string; id: string; contactId: string; endpoint: string; keys: PushKeys }): Promise<PushSubscriptionRow> {
  const { rows } = await db.query<PushSubscriptionRow>(
    `INSERT INTO push_subscriptions (account_id, id, contact_id, endpoint, keys) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account_id, contact_id, endpoint) DO UPDATE SET keys = EXCLUDED.keys
     RETURNING ${COLS}`,
    [s.accountId, s.id, s.contactId, s.endpoint, JSON.stringify(s.keys)],
  );
  return rows[0]!;
}

export async function listSubscriptions(db: Queryable, accountId: string, contactId: string): Promise<PushSubscriptionRow[]> {
  const { rows } = await db.query<PushSubscriptionRow>(
    `SELECT ${COLS} FROM push_subscriptions WHERE account_id = $1 AND contact_id = $2 ORDER BY created_at, id`, [accountId, contactId]);
  return rows;
}

export async function deleteSubscription(db: Queryable, accountId: string, contactId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'DELETE FROM push_subscriptions WHERE account_id = $1 AND contact_id = $2 AND id = $3', [accountId, contactId, id]);
  return rowCount === 1;
}
