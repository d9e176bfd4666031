import { Type, type Static } from 'typebox';
import { invalid } from '../../core/errors.js';
import { assertSafeUrl, parseAllowList, safeFetch } from '../../core/ssrf.js';
import type { ChannelConnection, ChannelContext, ChannelProvider, OutgoingMessage, SendOutcome } from '../port.js';
import { bodyStart, mapLimit, outcomeFromError, outcomeFromStatus } from './http-outcome.js';
import { SIGNATURE_HEADER, newWebhookSecret, signPayload } from './signature.js';

export const WebhookConfig = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'https URL that receives a signed POST per message' }),
  secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'signing secret; generated when omitted' })),
  headers: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 4000 }), { maxProperties: 20 })),
}, { additionalProperties: false });
export type WebhookConfig = Static<typeof WebhookConfig>;

export const WEBHOOK_RETRY_MS = 72 * 3600_000;
const TIMEOUT_MS = 15_000;
/** Requests in flight per batch: a slow receiver should not be hit by a whole batch at once. */
const CONCURRENCY = 4;
/** Headers the signature scheme owns; a config header of the same name would break it. */
const RESERVED = new Set(['content-type', 'content-length', 'host', 'idempotency-key', SIGNATURE_HEADER.toLowerCase()]);

/** Checks the operator-supplied extra headers are valid HTTP and leave ours alone. */
export function checkExtraHeaders(headers: Record<string, string> | undefined, reserved: ReadonlySet<string> = RESERVED): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    const field = `config.headers.${name}`;
    if (reserved.has(name.toLowerCase())) throw invalid(field, 'is set by Conversa');
    try {
      new Headers([[name, value]]);
    } catch {
      throw invalid(field, 'is not a valid HTTP header');
    }
  }
}

/** The JSON a webhook receiver gets for one message (the body that is signed). */
export function webhookBody(m: OutgoingMessage, sentAt: Date): string {
  return JSON.stringify({
    id: m.id,
    type: 'message',
    category: m.category,
    to: m.to,
    contact_id: m.contactId,
    data: m.data,
    content: m.content,
    sent_at: sentAt.toISOString(),
  });
}

async function postOne(m: OutgoingMessage, config: WebhookConfig, ctx: ChannelContext, allow: string[], signal: AbortSignal): Promise<SendOutcome> {
  if (!config.secret) return { id: m.id, status: 'failed', transient: false, error: 'the channel has no signing secret' };
  const now = ctx.clock.now();
  const body = webhookBody(m, now);
  try {
    const res = await safeFetch(config.url, {
      method: 'POST',
      headers: {
        ...config.headers,
        'Content-Type': 'application/json',
        [SIGNATURE_HEADER]: signPayload(body, config.secret, now),
        // The receiver dedupes on it: a retry after a lost answer is the same message.
        'Idempotency-Key': m.id,
      },
      body,
      signal,
      timeoutMs: TIMEOUT_MS,
    }, { allow });
    return outcomeFromStatus(m.id, res.status, await bodyStart(res));
  } catch (err) {
    return outcomeFromError(m.id, err);
  }
}

/**
 * `webhook`: one signed JSON POST per message to the customer's URL. Retried for 72 h on
 * 408/429/5xx/network errors (the outbox's job, driven by `retryForMs`), then dead-lettered.
 */
export function createWebhookProvider(opts: { ssrfAllow: string[] }): ChannelProvider<WebhookConfig> {
  const allow = opts.ssrfAllow;
  return {
    type: 'webhook',
    kind: 'webhook',
    configSchema: WebhookConfig,
    // Extra headers usually carry the receiver's credentials (Authorization): write-only too.
    secrets: ['secret', 'headers.*'],
    retryForMs: WEBHOOK_RETRY_MS,
    maxBatch: 20,
    prepareConfig: (config) => (config.secret ? config : { ...config, secret: newWebhookSecret() }),
    async validateConfig(config) {
      checkExtraHeaders(config.headers);
      await assertSafeUrl(config.url, 'config.url', { allow });
    },
    async connect(config, ctx): Promise<ChannelConnection> {
      return {
        send: (batch, signal) => mapLimit(batch, CONCURRENCY, (m) => postOne(m, config, ctx, allow, signal)),
        close: async () => {},
      };
    },
  };
}

export const webhookProvider = createWebhookProvider({ ssrfAllow: parseAllowList(process.env.CONVERSA_SSRF_ALLOW) });
