import { createHmac, randomBytes } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { assertSafeUrl, parseAllowList, safeFetch } from '../../core/ssrf.js';
import type { ChannelConnection, ChannelContext, ChannelProvider, OutgoingMessage, SendOutcome } from '../port.js';
import { checkExtraHeaders } from '../webhook/provider.js';
import { bodyStart, mapLimit, outcomeFromError, outcomeFromStatus } from '../webhook/http-outcome.js';

export const VoiceConfig = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048, description: "the voice provider's call endpoint" }),
  headers: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 4000 }), { maxProperties: 20 })),
  language: Type.Optional(Type.String({ minLength: 2, maxLength: 35, description: 'BCP 47 language of the spoken text, e.g. es-CO' })),
  hook_secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'signs callback URLs; generated when omitted' })),
}, { additionalProperties: false });
export type VoiceConfig = Static<typeof VoiceConfig>;

const TIMEOUT_MS = 15_000;
const CONCURRENCY = 4;
const RESERVED = new Set(['content-type', 'content-length', 'host', 'idempotency-key']);

/**
 * The token in a call's callback URL: an HMAC over the account and message, so the public hook
 * route knows the caller is the provider we gave the URL to, without a lookup table.
 */
export function hookToken(hookSecret: string, accountId: string, messageId: string): string {
  return createHmac('sha256', hookSecret).update(`${accountId}.${messageId}`).digest('hex');
}

export function callbackUrl(publicUrl: string, channelId: string, messageId: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/hooks/voice/${encodeURIComponent(channelId)}/${encodeURIComponent(messageId)}/${token}`;
}

/** The JSON the voice provider gets: speak `text` or play `audio_url`, and where to post answers. */
export function callRequest(m: OutgoingMessage, config: VoiceConfig, ctx: ChannelContext, hookSecret: string): Record<string, unknown> {
  const dataLanguage = typeof m.data.language === 'string' ? m.data.language : undefined;
  const language = dataLanguage ?? config.language;
  return {
    id: m.id,
    to: m.to,
    ...(m.content.audio_url ? { audio_url: m.content.audio_url } : { text: m.content.text }),
    ...(language ? { language } : {}),
    callback_url: callbackUrl(ctx.publicUrl, ctx.channelId, m.id, hookToken(hookSecret, ctx.accountId, m.id)),
  };
}

async function callOne(m: OutgoingMessage, config: VoiceConfig, ctx: ChannelContext, allow: string[], signal: AbortSignal): Promise<SendOutcome> {
  if (!config.hook_secret) return { id: m.id, status: 'failed', transient: false, error: 'the channel has no hook secret' };
  try {
    const res = await safeFetch(config.url, {
      method: 'POST',
      headers: { ...config.headers, 'Content-Type': 'application/json', 'Idempotency-Key': m.id },
      body: JSON.stringify(callRequest(m, config, ctx, config.hook_secret)),
      signal,
      timeoutMs: TIMEOUT_MS,
    }, { allow });
    const text = await bodyStart(res, 4000);
    const outcome = outcomeFromStatus(m.id, res.status, text);
    if (outcome.status !== 'sent') return outcome;
    // The provider's call id lets a status it reports by call id find the message.
    let callId: unknown;
    try {
      callId = (JSON.parse(text) as { call_id?: unknown }).call_id;
    } catch {
      callId = undefined;
    }
    return typeof callId === 'string' || typeof callId === 'number' ? { ...outcome, providerIds: [String(callId)] } : outcome;
  } catch (err) {
    return outcomeFromError(m.id, err);
  }
}

/**
 * `voice`: an HTTP voice provider places the call (speaks `text` or plays `audio_url`) and posts
 * the keys pressed and the call's fate to our `/hooks/voice/…` URL (see hook-routes.ts).
 */
export function createVoiceProvider(opts: { ssrfAllow: string[] }): ChannelProvider<VoiceConfig> {
  const allow = opts.ssrfAllow;
  return {
    type: 'voice',
    kind: 'voice',
    configSchema: VoiceConfig,
    // Header values carry the provider's API credentials.
    secrets: ['headers.*', 'hook_secret'],
    maxBatch: 10,
    prepareConfig: (config) => (config.hook_secret ? config : { ...config, hook_secret: randomBytes(32).toString('base64url') }),
    async validateConfig(config) {
      checkExtraHeaders(config.headers, RESERVED);
      await assertSafeUrl(config.url, 'config.url', { allow });
    },
    async connect(config, ctx): Promise<ChannelConnection> {
      return {
        send: (batch, signal) => mapLimit(batch, CONCURRENCY, (m) => callOne(m, config, ctx, allow, signal)),
        close: async () => {},
      };
    },
  };
}

export const voiceProvider = createVoiceProvider({ ssrfAllow: parseAllowList(process.env.CONVERSA_SSRF_ALLOW) });
