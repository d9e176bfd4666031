import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, invalid, notFound } from '../../core/errors.js';
import type { Queryable } from '../../db/index.js';
import type { AppDeps } from '../../http/deps.js';
import type { ProviderReport } from '../port.js';
import { hookToken } from './provider.js';

const Params = Type.Object({
  channelId: Type.String({ minLength: 1, maxLength: 64 }),
  messageId: Type.String({ minLength: 1, maxLength: 64 }),
  token: Type.String({ minLength: 1, maxLength: 128 }),
});
const CallStatus = Type.Union([Type.Literal('answered'), Type.Literal('completed'), Type.Literal('no_answer'), Type.Literal('busy'), Type.Literal('failed')]);
const Body = Type.Object({
  digits: Type.Optional(Type.String({ pattern: '^[0-9*#]{1,64}$', description: 'the DTMF keys the callee pressed' })),
  status: Type.Optional(CallStatus),
}, { additionalProperties: true });

const STATUS_EVENT = { answered: 'answered', completed: 'delivered', no_answer: 'failed', busy: 'failed', failed: 'failed' } as const;

/** The account and hook secret of a voice channel, found by id alone (the hook carries no account). */
async function voiceChannel(db: Queryable, channelId: string): Promise<{ accountId: string; hookSecret?: string } | undefined> {
  // Deleted channels are included: a call placed before the deletion may still report.
  const { rows } = await db.query<{ account_id: string; hook_secret: string | null }>(
    `SELECT account_id, config->>'hook_secret' AS hook_secret FROM channels WHERE id = $1 AND type = 'voice'`, [channelId]);
  const row = rows[0];
  return row ? { accountId: row.account_id, hookSecret: row.hook_secret ?? undefined } : undefined;
}

function sameToken(expectedHex: string, given: string): boolean {
  const a = Buffer.from(expectedHex, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Public callback of the voice provider: `POST /hooks/voice/:channelId/:messageId/:token` with
 * `{digits?, status?}`. Keys pressed become an `answered` event (flows read them from the detail);
 * a finished call becomes `delivered`, one that never connected `failed`. Registered without prefix.
 */
export const voiceHookRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; report: (r: ProviderReport) => Promise<void> }> = async (app, { deps, report }) => {
  app.post('/hooks/voice/:channelId/:messageId/:token', {
    config: { public: true },
    schema: { hide: true, params: Params, body: Body },
  }, async (req, reply) => {
    const { channelId, messageId, token } = req.params;
    const channel = await voiceChannel(deps.pool, channelId);
    if (!channel) throw notFound('channel');
    if (!channel.hookSecret || !sameToken(hookToken(channel.hookSecret, channel.accountId, messageId), token)) {
      throw new AppError(403, 'forbidden', 'the callback token does not match');
    }
    const { digits, status } = req.body;
    if (digits === undefined && status === undefined) throw invalid('body', 'send digits or status');
    const type: ProviderReport['type'] = digits !== undefined ? 'answered' : STATUS_EVENT[status!];
    await report({
      accountId: channel.accountId,
      channelId,
      messageId,
      type,
      at: deps.clock.now(),
      detail: { ...(digits !== undefined ? { digits } : {}), ...(status ? { status } : {}) },
    });
    return reply.status(204).send();
  });
};
