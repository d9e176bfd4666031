import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isIP } from 'node:net';
import { invalid, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { assertSafeUrl, isAllowedAddress, parseAllowList } from '../../core/ssrf.js';
import { getContact } from '../../contacts/index.js';
import type { AppDeps } from '../../http/deps.js';
import { deleteSubscription, listSubscriptions, upsertSubscription, type PushSubscriptionRow } from './subscriptions.js';

const ContactParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const SubscriptionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), subscriptionId: Type.String({ minLength: 1, maxLength: 64 }) });
const B64URL = '^[A-Za-z0-9_-]+={0,2}$';
// The shape of the browser's PushSubscription.toJSON(), so a site can post it as is.
const SubscriptionBody = Type.Object({
  endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
  expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  keys: Type.Object({
    p256dh: Type.String({ minLength: 1, maxLength: 200, pattern: B64URL }),
    auth: Type.String({ minLength: 1, maxLength: 100, pattern: B64URL }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

const view = (s: PushSubscriptionRow) => ({ id: s.id, contact_id: s.contact_id, endpoint: s.endpoint, created_at: s.created_at });

/**
 * A push endpoint is an https URL of a push service. Plain http is accepted only for addresses the
 * operator allowed (a local push service in tests and demos). The SSRF check runs again at send.
 */
async function checkEndpoint(endpoint: string, allow: string[]): Promise<void> {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw invalid('endpoint', 'is not a valid URL');
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (u.protocol === 'http:' && !(isIP(host) && isAllowedAddress(host, { allow }))) throw invalid('endpoint', 'must be an https URL');
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw invalid('endpoint', 'must be an https URL');
  await assertSafeUrl(endpoint, 'endpoint', { allow });
}

function checkKeys(keys: { p256dh: string; auth: string }): { p256dh: string; auth: string } {
  const p256dh = Buffer.from(keys.p256dh, 'base64url');
  if (p256dh.length !== 65 || p256dh[0] !== 4) throw invalid('keys.p256dh', 'must be an uncompressed P-256 public key (65 bytes, base64url)');
  const auth = Buffer.from(keys.auth, 'base64url');
  if (auth.length < 16) throw invalid('keys.auth', 'must be the 16-byte auth secret, base64url');
  // Stored normalised (no padding): web-push wants base64url without "=".
  return { p256dh: p256dh.toString('base64url'), auth: auth.toString('base64url') };
}

/** Web push subscriptions of contacts, and the VAPID public key a site needs to subscribe. Prefix /v1. */
export const pushRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; ssrfAllow?: string[] }> = async (app, opts) => {
  const { pool } = opts.deps;
  const allow = opts.ssrfAllow ?? parseAllowList(process.env.CONVERSA_SSRF_ALLOW);

  const contactOr404 = async (accountId: string, id: string) => {
    const c = await getContact(pool, accountId, id);
    if (!c) throw notFound('contact');
    return c;
  };

  app.post('/contacts/:id/push_subscriptions', {
    schema: { tags: ['messaging'], params: ContactParams, body: SubscriptionBody },
  }, async (req, reply) => {
    const contact = await contactOr404(req.auth.accountId, req.params.id);
    await checkEndpoint(req.body.endpoint, allow);
    const keys = checkKeys(req.body.keys);
    const row = await upsertSubscription(pool, { accountId: contact.account_id, id: newId('psub'), contactId: contact.id, endpoint: req.body.endpoint, keys });
    return reply.status(201).send(view(row));
  });

  app.get('/contacts/:id/push_subscriptions', { schema: { tags: ['messaging'], params: ContactParams } }, async (req) => {
    const contact = await contactOr404(req.auth.accountId, req.params.id);
    return { subscriptions: (await listSubscriptions(pool, contact.account_id, contact.id)).map(view) };
  });

  app.delete('/contacts/:id/push_subscriptions/:subscriptionId', { schema: { tags: ['messaging'], params: SubscriptionParams } }, async (req, reply) => {
    if (!(await deleteSubscription(pool, req.auth.accountId, req.params.id, req.params.subscriptionId))) throw notFound('push subscription');
    return reply.status(204).send();
  });

  app.get('/channels/:id/vapid_public_key', { schema: { tags: ['messaging'], params: ContactParams } }, async (req) => {
    const { rows } = await pool.query<{ key: string | null }>(
      `SELECT config->>'vapid_public_key' AS key FROM channels
       WHERE account_id = $1 AND id = $2 AND type = 'web_push' AND deleted_at IS NULL`, [req.auth.accountId, req.params.id]);
    const key = rows[0]?.key;
    if (!key) throw notFound('web push channel');
    return { public_key: key };
  });
};
