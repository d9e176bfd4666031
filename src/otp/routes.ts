import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../http/deps.js';
import { invalid } from '../core/errors.js';
import { recordAudit } from '../audit/index.js';
import { checkIdempotencyKey } from '../messaging/index.js';
import { CreateOtpBody } from './options.js';
import { createOtp, getOtpView, otpView, resendOtp, verifyOtp } from './service.js';
import { loadOtpSettings, OtpSettingsPatch, saveOtpSettings } from './settings.js';
import { deliveriesOf, listOtps } from './sql.js';
import { otpStats } from './stats.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Channel = Type.Union([Type.Literal('push'), Type.Literal('email'), Type.Literal('sms'), Type.Literal('voice')]);

/**
 * `/v1/otp`: create (201), read, list, resend, verify, stats; `/v1/settings/otp`. No route ever
 * returns a code: it exists in clear only in the message handed to the provider.
 */
export const otpRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.post('/otp', {
    schema: { tags: ['otp'], body: CreateOtpBody, headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }) },
  }, async (req, reply) => {
    const key = checkIdempotencyKey(req.headers['idempotency-key']);
    const answer = await createOtp(deps, req.auth.accountId, req.body, key);
    return reply.status(answer.statusCode).send(answer.body);
  });

  app.get('/otp', {
    schema: {
      tags: ['otp'],
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        before: Type.Optional(Type.String({ format: 'date-time' })),
      }),
    },
  }, async (req) => {
    const rows = await listOtps(deps.pool, req.auth.accountId, req.query.limit ?? 50, req.query.before ? new Date(req.query.before) : undefined);
    const deliveries = await deliveriesOf(deps.pool, req.auth.accountId, rows.map((r) => r.id));
    const now = deps.clock.now();
    return { otps: rows.map((r) => otpView(r, deliveries.get(r.id) ?? [], now)) };
  });

  app.get('/otp/stats', {
    schema: { tags: ['otp'], querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) }) },
  }, async (req) => {
    const to = req.query.to ? new Date(req.query.to) : new Date(deps.clock.now().getTime() + 1000);
    const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 7 * 86_400_000);
    if (from >= to) throw invalid('from', 'must be before to');
    return otpStats(deps.pool, req.auth.accountId, from, to);
  });

  app.get('/otp/:id', { schema: { tags: ['otp'], params: IdParams } }, async (req) => getOtpView(deps, req.auth.accountId, req.params.id));

  app.post('/otp/:id/resend', {
    schema: { tags: ['otp'], params: IdParams, body: Type.Optional(Type.Object({ channel: Type.Optional(Channel) }, { additionalProperties: false })) },
  }, async (req) => resendOtp(deps, req.auth.accountId, req.params.id, req.body?.channel));

  app.post('/otp/:id/verify', {
    schema: {
      tags: ['otp'], params: IdParams,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
      body: Type.Object({
        // Checked in the handler: the app coerces scalars, and a number is not a code (leading zeros).
        code: Type.Unknown({ description: 'the code, a string' }),
        context: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }), { maxProperties: 20 })),
        source: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the end user's IP or device: verifies are limited per source (without one, only the OTP's max_attempts applies)" })),
      }, { additionalProperties: false }),
    },
  }, async (req) => {
    const { code } = req.body;
    if (typeof code !== 'string') throw invalid('code', `must be a string, got ${code === null ? 'null' : typeof code}`);
    if (code.length === 0 || code.length > 64) throw invalid('code', 'must be 1 to 64 characters');
    const key = checkIdempotencyKey(req.headers['idempotency-key']);
    return verifyOtp(deps, req.auth.accountId, req.params.id, { code, ...(req.body.context ? { context: req.body.context } : {}) }, { source: req.body.source, actor: req.auth.actor }, key);
  });

  app.get('/settings/otp', { schema: { tags: ['settings'] } }, async (req) => loadOtpSettings(deps.pool, req.auth.accountId));

  app.patch('/settings/otp', { config: { role: 'admin' }, schema: { tags: ['settings'], body: OtpSettingsPatch } }, async (req) => {
    const saved = await saveOtpSettings(deps.pool, req.auth.accountId, req.body);
    await recordAudit(deps.pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'settings.otp_updated', detail: req.body });
    return saved;
  });
};
