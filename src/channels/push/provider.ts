import { createECDH } from 'node:crypto';
import { Type, type Static } from 'typebox';
import webpush from 'web-push';
import { invalid } from '../../core/errors.js';
import { isSsrfError, parseAllowList, safeFetch } from '../../core/ssrf.js';
import type { ChannelConnection, ChannelContext, ChannelProvider, OutgoingMessage, SendOutcome } from '../port.js';
import { mapLimit } from '../webhook/http-outcome.js';
import { deleteSubscription, listSubscriptions, type PushSubscriptionRow } from './subscriptions.js';

export const WebPushConfig = Type.Object({
  vapid_subject: Type.String({ minLength: 1, maxLength: 500, description: 'mailto: or https: contact for the push services' }),
  vapid_public_key: Type.Optional(Type.String({ maxLength: 200, description: 'generated when omitted' })),
  vapid_private_key: Type.Optional(Type.String({ maxLength: 200, description: 'generated when omitted; write-only' })),
  ttl_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_419_200, description: 'how long a push service keeps an undelivered message (default 1 day)' })),
}, { additionalProperties: false });
export type WebPushConfig = Static<typeof WebPushConfig>;

const DEFAULT_TTL = 86_400;
const TIMEOUT_MS = 15_000;
/** Messages in flight per batch. */
const CONCURRENCY = 4;

/** Checks the VAPID subject and that the two keys are one P-256 pair (a pasted typo fails here, not at send). */
export function checkVapid(config: WebPushConfig): void {
  let subject: URL;
  try {
    subject = new URL(config.vapid_subject);
  } catch {
    throw invalid('config.vapid_subject', 'must be a mailto: or https: URL');
  }
  if (subject.protocol !== 'mailto:' && subject.protocol !== 'https:') throw invalid('config.vapid_subject', 'must be a mailto: or https: URL');
  const pub = config.vapid_public_key;
  const priv = config.vapid_private_key;
  if (!pub || !priv) throw invalid(pub ? 'config.vapid_private_key' : 'config.vapid_public_key', 'give both VAPID keys, or neither to have them generated');
  const pubBytes = Buffer.from(pub, 'base64url');
  if (!/^[A-Za-z0-9_-]+$/.test(pub) || pubBytes.length !== 65 || pubBytes[0] !== 4) throw invalid('config.vapid_public_key', 'must be an uncompressed P-256 public key, base64url (65 bytes)');
  const privBytes = Buffer.from(priv, 'base64url');
  if (!/^[A-Za-z0-9_-]+$/.test(priv) || privBytes.length !== 32) throw invalid('config.vapid_private_key', 'must be a P-256 private key, base64url (32 bytes)');
  let derived: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privBytes);
    derived = ecdh.getPublicKey();
  } catch {
    throw invalid('config.vapid_private_key', 'is not a valid P-256 private key');
  }
  if (!derived.equals(pubBytes)) throw invalid('config.vapid_public_key', 'does not belong to vapid_private_key');
}

/** What the service worker receives (after decryption): shown as a notification by the site's worker. */
export function pushPayload(m: OutgoingMessage): string {
  return JSON.stringify({ title: m.content.subject ?? '', body: m.content.text, data: m.data });
}

/** A Topic lets a push service replace an undelivered older message of the same topic. */
function topicOf(m: OutgoingMessage): string | undefined {
  const t = m.data.topic;
  return typeof t === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(t) ? t : undefined;
}

/**
 * How long the push service keeps an undelivered message: the channel's setting, shortened by the
 * message's own `data.ttl_seconds` (an OTP's push must not pop up after its code expired).
 */
export function ttlOf(m: Pick<OutgoingMessage, 'data'>, config: Pick<WebPushConfig, 'ttl_seconds'>): number {
  const channel = config.ttl_seconds ?? DEFAULT_TTL;
  const own = m.data.ttl_seconds;
  return typeof own === 'number' && Number.isFinite(own) && own >= 0 ? Math.min(Math.floor(own), channel) : channel;
}

type SubscriptionResult = 'sent' | 'removed' | { transient: boolean; error: string };

/**
 * One subscription. web-push encrypts (aes128gcm) and signs (VAPID); the request itself goes
 * through safeFetch, so the endpoint — a URL the browser, i.e. anyone, gave us — is checked for
 * SSRF at connect time like every other outbound URL.
 */
async function pushOne(sub: PushSubscriptionRow, m: OutgoingMessage, config: WebPushConfig, ctx: ChannelContext, allow: string[], signal: AbortSignal): Promise<SubscriptionResult> {
  let details: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    const topic = topicOf(m);
    details = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: sub.keys }, pushPayload(m), {
      vapidDetails: { subject: config.vapid_subject, publicKey: config.vapid_public_key!, privateKey: config.vapid_private_key! },
      TTL: ttlOf(m, config),
      urgency: m.category === 'transactional' ? 'high' : 'normal',
      ...(topic ? { topic } : {}),
    });
  } catch (err) {
    return { transient: false, error: `cannot encrypt for this subscription: ${err instanceof Error ? err.message : String(err)}` };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(details.headers)) headers[k] = String(v);
  try {
    const res = await safeFetch(details.endpoint, { method: details.method, headers, body: details.body ?? undefined, signal, timeoutMs: TIMEOUT_MS }, { allow });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return 'sent';
    // The browser unsubscribed or the subscription expired: it will never work again.
    if (res.status === 404 || res.status === 410) {
      await deleteSubscription(ctx.pool, ctx.accountId, sub.contact_id, sub.id);
      return 'removed';
    }
    const transient = res.status === 408 || res.status === 429 || res.status >= 500;
    return { transient, error: `push service answered HTTP ${res.status}` };
  } catch (err) {
    if (isSsrfError(err)) return { transient: false, error: `refused push endpoint: ${err.message}` };
    const code = String((err as { code?: unknown }).code ?? '');
    return { transient: true, error: `push service unreachable${code ? ` (${code})` : ''}` };
  }
}

/**
 * Folds the per-subscription results into the message's outcome: sent when any device got it
 * (a retry would notify the others twice); otherwise failed, retried only if some failure may pass.
 */
export function combine(id: string, results: SubscriptionResult[]): SendOutcome {
  const sent = results.filter((r) => r === 'sent').length;
  const removed = results.filter((r) => r === 'removed').length;
  const failures = results.filter((r): r is { transient: boolean; error: string } => typeof r === 'object');
  const detail = { subscriptions: results.length, delivered_to: sent, removed, ...(failures.length ? { errors: failures.map((f) => f.error) } : {}) };
  if (sent > 0) return { id, status: 'sent', detail };
  if (failures.length === 0) return { id, status: 'failed', transient: false, error: 'no_subscription', detail };
  return { id, status: 'failed', transient: failures.some((f) => f.transient), error: failures[0]!.error, detail };
}

/**
 * `web_push`: a browser notification to every subscription of the contact (`to` is the contact id).
 * Subscriptions come from the site's subscribe call (POST /v1/contacts/{id}/push_subscriptions).
 */
export function createWebPushProvider(opts: { ssrfAllow: string[] }): ChannelProvider<WebPushConfig> {
  const allow = opts.ssrfAllow;
  return {
    type: 'web_push',
    kind: 'push',
    configSchema: WebPushConfig,
    secrets: ['vapid_private_key'],
    maxBatch: 50,
    prepareConfig(config) {
      if (config.vapid_public_key || config.vapid_private_key) return config;
      const keys = webpush.generateVAPIDKeys();
      return { ...config, vapid_public_key: keys.publicKey, vapid_private_key: keys.privateKey };
    },
    validateConfig: (config) => checkVapid(config),
    async connect(config, ctx): Promise<ChannelConnection> {
      const sendOne = async (m: OutgoingMessage, signal: AbortSignal): Promise<SendOutcome> => {
        const subs = await listSubscriptions(ctx.pool, ctx.accountId, m.to);
        const results: SubscriptionResult[] = [];
        // One device at a time: a contact has few, and the push services rate-limit per sender.
        for (const s of subs) results.push(await pushOne(s, m, config, ctx, allow, signal));
        return combine(m.id, results);
      };
      return {
        send: (batch, signal) =>
          mapLimit(batch, CONCURRENCY, (m) =>
            sendOne(m, signal).catch((err: unknown): SendOutcome => ({
              // A database hiccup reading subscriptions: this message only, retried.
              id: m.id, status: 'failed', transient: true, error: err instanceof Error ? err.message : String(err),
            }))),
        close: async () => {},
      };
    },
  };
}

export const webPushProvider = createWebPushProvider({ ssrfAllow: parseAllowList(process.env.CONVERSA_SSRF_ALLOW) });
