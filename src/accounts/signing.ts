import type { Queryable } from '../db/index.js';
import { newSecret } from '../core/ids.js';

/**
 * The account's secret for signing outgoing calls (flow HTTP nodes): `Conversa-Signature:
 * t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, the webhook scheme. Made on first use;
 * concurrent first uses agree on one (the UPDATE keeps whichever landed first).
 */
export async function signingSecret(db: Queryable, accountId: string): Promise<string> {
  const r = await db.query<{ signing_secret: string }>(
    `UPDATE accounts SET signing_secret = coalesce(signing_secret, $2) WHERE id = $1 RETURNING signing_secret`,
    [accountId, 'sig_' + newSecret(32)],
  );
  return r.rows[0]!.signing_secret;
}
