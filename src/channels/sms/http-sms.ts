import { Type, type Static } from 'typebox';
import { invalid } from '../../core/errors.js';
import { newSecret } from '../../core/ids.js';
import { assertSafeUrl, isSsrfError, parseAllowList, safeFetch } from '../../core/ssrf.js';
import type { ChannelConnection, ChannelContext, ChannelProvider, OutgoingMessage, SendOutcome } from '../port.js';
import { CONTENT_TYPES, bodyFormat, headerValue, parseBody, renderBody, type BodyFormat } from './http-body.js';
import { hookUrl } from './hook-token.js';
import { withLinkedSignal } from './flow-control.js';

/**
 * `http_sms`: an SMS provider reached over its HTTP API (one request per message). The request
 * body is a Liquid template (see http-body.ts for its variables and escaping); the provider's id
 * for the message is read from its JSON answer at `response_id_path`; delivery receipts come back
 * to `callback_url` (hook-routes.ts).
 */
export const HttpSmsConfigSchema = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  method: Type.Union([Type.Literal('POST'), Type.Literal('GET'), Type.Literal('PUT')]),
  /** Request headers, e.g. `{"Authorization": "Bearer …"}`. Every value is a secret. */
  headers: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 4096 }))),
  /** Liquid template of the request body (for GET: of the query string). */
  body: Type.String({ maxLength: 20_000 }),
  /** Dot path to the provider's message id in its JSON answer, e.g. `messages.0.id`. */
  response_id_path: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' })),
  /** The sender (`{{ from }}` in the body). */
  from: Type.Optional(Type.String({ maxLength: 20 })),
  /** Signs the receipt callback URL. Generated on create; write-only. */
  hook_secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
}, { additionalProperties: false });

export type HttpSmsConfig = Static<typeof HttpSmsConfigSchema>;

const TIMEOUT_MS = 15_000;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads `a.0.b` out of a parsed JSON value; numbers index arrays. */
export function readPath(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (typeof node === 'object' && node !== null && Object.hasOwn(node, key)) node = (node as Record<string, unknown>)[key];
    else return undefined;
  }
  return node;
}

/** Whether an HTTP status is worth retrying: rate limited, timed out, or the provider's fault. */
export function isTransientHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

interface Prepared {
  config: HttpSmsConfig;
  format: BodyFormat;
  templates: ReturnType<typeof parseBody>;
  headers: Record<string, string>;
}

function prepare(config: HttpSmsConfig): Prepared {
  const format = bodyFormat(config.body, config.method, config.headers);
  const headers: Record<string, string> = { ...(config.headers ?? {}) };
  const type = CONTENT_TYPES[format];
  if (config.method !== 'GET' && type && !headerValue(headers, 'content-type')) headers['content-type'] = type;
  return { config, format, templates: parseBody(config.body, format), headers };
}

function failed(m: OutgoingMessage, transient: boolean, error: string, detail?: Record<string, unknown>): SendOutcome {
  return { id: m.id, status: 'failed', transient, error, ...(detail ? { detail } : {}) };
}

async function sendOne(p: Prepared, ctx: ChannelContext, ssrfAllow: string[], m: OutgoingMessage, signal: AbortSignal): Promise<SendOutcome> {
  const { config } = p;
  let rendered: string;
  try {
    rendered = await renderBody(p.templates, p.format, {
      to: m.to,
      text: m.content.text,
      id: m.id,
      ...(config.from ? { from: config.from } : {}),
      callback_url: config.hook_secret ? hookUrl(ctx.publicUrl, config.hook_secret, ctx.accountId, ctx.channelId) : '',
    });
  } catch (err) {
    return failed(m, false, `body template: ${(err as Error).message}`);
  }
  let url = config.url;
  let body: string | undefined = rendered;
  if (config.method === 'GET') {
    if (rendered) url += (url.includes('?') ? '&' : '?') + rendered.trim();
    body = undefined;
  }
  let res: Response;
  try {
    res = await safeFetch(url, { method: config.method, headers: p.headers, body, signal, timeoutMs: TIMEOUT_MS }, { allow: ssrfAllow });
  } catch (err) {
    // A refused address or a malformed URL will not fix itself; a network error might.
    const permanent = isSsrfError(err) || err instanceof TypeError;
    return failed(m, !permanent, `request failed: ${(err as Error).message}`);
  }
  const answer = await res.text();
  if (res.status < 200 || res.status > 299) {
    return failed(m, isTransientHttpStatus(res.status), `HTTP ${res.status}: ${answer.slice(0, 200)}`, { http_status: res.status });
  }
  if (!config.response_id_path) return { id: m.id, status: 'sent', detail: { http_status: res.status } };
  let providerId: unknown;
  try {
    providerId = readPath(JSON.parse(answer), config.response_id_path);
  } catch {
    providerId = undefined;
  }
  if (typeof providerId !== 'string' && typeof providerId !== 'number') {
    // Sent all the same: receipts can still name our message id.
    return { id: m.id, status: 'sent', detail: { http_status: res.status, warning: `no provider id at ${config.response_id_path}` } };
  }
  return { id: m.id, status: 'sent', providerIds: [String(providerId)], detail: { http_status: res.status } };
}

/**
 * Builds the provider. `ssrfAllow`: CIDRs the operator opened (CONVERSA_SSRF_ALLOW), passed in
 * so the environment is read once, at start-up.
 */
export function createHttpSmsProvider(opts: { ssrfAllow: string[] }): ChannelProvider<HttpSmsConfig> {
  const { ssrfAllow } = opts;
  return {
    type: 'http_sms',
    kind: 'sms',
    configSchema: HttpSmsConfigSchema,
    secrets: ['headers.*', 'hook_secret'],
    maxBatch: 10,
    prepareConfig: (config) => ({ ...config, hook_secret: config.hook_secret ?? newSecret(32) }),
    async validateConfig(config) {
      await assertSafeUrl(config.url, 'config.url', { allow: ssrfAllow });
      for (const name of Object.keys(config.headers ?? {})) {
        if (!HEADER_NAME.test(name)) throw invalid(`config.headers.${name}`, 'is not a valid HTTP header name');
      }
      try {
        parseBody(config.body, bodyFormat(config.body, config.method, config.headers));
      } catch (err) {
        throw invalid('config.body', `is not a valid Liquid template: ${(err as Error).message}`);
      }
    },
    async connect(config, ctx): Promise<ChannelConnection> {
      const prepared = prepare(config);
      return {
        send: (batch, signal) => withLinkedSignal(signal, (inner) => Promise.all(batch.map((m) => sendOne(prepared, ctx, ssrfAllow, m, inner)))),
        close: async () => {},
      };
    },
  };
}

/** The provider with the operator's CONVERSA_SSRF_ALLOW, read once when this module loads. */
export const httpSmsProvider: ChannelProvider<HttpSmsConfig> = createHttpSmsProvider({
  ssrfAllow: parseAllowList(process.env.CONVERSA_SSRF_ALLOW),
});
