import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, invalid, notFound } from '../../core/errors.js';
import type { AppDeps } from '../../http/deps.js';
import type { ProviderReport } from '../port.js';
import { hookTokenMatches } from './hook-token.js';
import { receiptType } from './receipts.js';

/**
 * `POST /hooks/sms/{channelId}/{token}`: delivery receipts from an `http_sms` provider. Public (the
 * provider has no API key); the token in the URL (hook-token.ts) proves the caller was given the
 * callback URL. Accepted body, JSON or form-encoded:
 *
 *   { "message_id": "<our message id, the `id` the body template sent>",
 *     "id": "<the provider's id, as read by response_id_path>",     (at least one of the two)
 *     "status": "delivered" | "failed" | "undelivered" | "rejected" | "expired" | SMPP stat words
 *               (DELIVRD, UNDELIV, …); intermediate states (sent, queued, accepted, enroute) are
 *               acknowledged and ignored,
 *     "error": "<provider's error code or text, optional>" }
 *
 * Answers 200 `{ok: true}` (also for an ignored state), 404 for an unknown channel or a wrong
 * token (the two are not told apart), 422 for a body we cannot read.
 */
const Params = Type.Object({
  channelId: Type.String({ minLength: 1, maxLength: 64 }),
  token: Type.String({ minLength: 1, maxLength: 128 }),
});
const Scalar = Type.Union([Type.String({ maxLength: 200 }), Type.Number()]);
const Body = Type.Object({
  id: Type.Optional(Scalar),
  message_id: Type.Optional(Scalar),
  status: Type.String({ minLength: 1, maxLength: 50 }),
  error: Type.Optional(Type.Union([Scalar, Type.Null()])),
}, { additionalProperties: true });

interface ChannelHookRow {
  account_id: string;
  hook_secret: string | null;
}

export interface SmsHookOptions {
  deps: AppDeps;
  /** Records the receipt (idempotent, never moves a status backwards). */
  report: (r: ProviderReport) => Promise<void>;
}

const str = (v: string | number | null | undefined): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

export const smsHookRoutes: FastifyPluginAsyncTypebox<SmsHookOptions> = async (app, { deps, report }) => {
  // Providers often post receipts form-encoded; this parser lives only inside this plugin.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

  app.post('/hooks/sms/:channelId/:token', {
    bodyLimit: 64 * 1024,
    config: { public: true },
    schema: { tags: ['hooks'], params: Params, body: Body },
  }, async (req) => {
    const { channelId, token } = req.params;
    // The route has no account: the channel id names it, and the token must match that account.
    const { rows } = await deps.pool.query<ChannelHookRow>(
      `SELECT account_id, config->>'hook_secret' AS hook_secret FROM channels
        WHERE id = $1 AND type = 'http_sms' AND deleted_at IS NULL LIMIT 5`,
      [channelId],
    );
    const channel = rows.find((r) => r.hook_secret && hookTokenMatches(r.hook_secret, r.account_id, channelId, token));
    if (!channel) throw notFound('hook');

    const b = req.body;
    const messageId = str(b.message_id);
    const providerId = str(b.id);
    if (!messageId && !providerId) throw invalid('body.message_id', 'message_id (ours) or id (the provider\'s) is required');
    const type = receiptType(b.status);
    if (type === undefined) throw invalid('body.status', `unknown status "${b.status}"`);
    if (type === null) return { ok: true, ignored: true };
    try {
      await report({
        accountId: channel.account_id,
        channelId,
        ...(messageId ? { messageId } : {}),
        ...(providerId ? { providerId } : {}),
        type,
        at: deps.clock.now(),
        detail: { status: b.status, error: str(b.error) ?? null },
      });
    } catch (err) {
      if (err instanceof AppError) throw err;
      req.log.error({ err }, 'recording an SMS receipt failed');
      // 503: the provider retries its callback later.
      throw new AppError(503, 'unavailable', 'the receipt could not be recorded; retry later');
    }
    return { ok: true };
  });
};
