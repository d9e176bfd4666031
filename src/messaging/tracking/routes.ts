import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../http/deps.js';
import { withTransaction } from '../../db/index.js';
import { findToken } from './store.js';
import { recordClick, recordOpen, unsubscribe } from './record.js';
import { withUtm } from './utm.js';
import { PIXEL_GIF, confirmUnsubscribePage, notFoundPage, unsubscribedPage } from './pages.js';

const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });
/** What newTrackingToken makes (22 characters today); anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,64}$/;
/** Small: an RFC 8058 POST carries one key/value pair; the page's form one more. */
const FORM_BODY_LIMIT = 16 * 1024;

// The pages take no scripts, images, frames or styles from elsewhere, and are never cached or indexed.
function htmlHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
}

const notFoundReply = (reply: FastifyReply) => htmlHeaders(reply).status(404).send(notFoundPage());

/** An RFC 8058 one-click body (urlencoded or multipart), as opposed to the page's form. */
function isOneClick(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  if (new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click') return true;
  return /name="?List-Unsubscribe"?\s*\r?\n\r?\nOne-Click/i.test(body);
}

/**
 * Public tracking routes (no /v1 prefix, no authentication; the token is the key):
 * `GET /l/{token}` link redirect, `GET /o/{token}` open pixel, `GET|POST /u/{token}` unsubscribe.
 * Request logs at warn: the URLs carry tokens, and pixels would flood the log.
 */
export const trackingRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool, clock } = deps;

  // Form bodies of the unsubscribe POST, in this plugin's scope only. RFC 8058 senders use either
  // encoding; the body is only read to tell a one-click POST from the page's form.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_req, body, done) => done(null, body));
    }
  }

  app.get('/l/:token', {
    logLevel: 'warn',
    schema: { tags: ['tracking'], summary: 'Tracked link: records a click, redirects to the target with UTM tags', security: [], params: TokenParams },
  }, async (req, reply) => {
    const target = TOKEN_SHAPE.test(req.params.token) ? await findToken(pool, req.params.token, 'link') : undefined;
    const location = target?.url
      ? withUtm(target.url, { source: 'conversa', medium: target.channel_type, campaign: target.template_name ?? target.campaign ?? 'message' })
      : undefined;
    if (!target || !location) return notFoundReply(reply);
    // A HEAD is a link checker, not a person. A failed write must not keep the person from the page.
    if (req.method === 'GET') await recordClick(pool, clock, target).catch((err: unknown) => req.log.error({ err }, 'recording a click failed'));
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(location, 302);
  });

  app.get('/o/:token', {
    logLevel: 'warn',
    schema: { tags: ['tracking'], summary: 'Open pixel: a 1×1 GIF; records the first open', security: [], params: TokenParams },
  }, async (req, reply) => {
    // Unknown tokens get the same GIF: the answer must not tell which tokens exist.
    const target = TOKEN_SHAPE.test(req.params.token) ? await findToken(pool, req.params.token, 'open').catch(() => undefined) : undefined;
    if (target && req.method === 'GET') await recordOpen(pool, clock, target).catch((err: unknown) => req.log.error({ err }, 'recording an open failed'));
    return reply.type('image/gif').header('cache-control', 'no-store, max-age=0').send(PIXEL_GIF);
  });

  app.get('/u/:token', {
    logLevel: 'warn',
    schema: { tags: ['tracking'], summary: 'Unsubscribe page: asks to confirm (a GET never unsubscribes)', security: [], params: TokenParams },
  }, async (req, reply) => {
    const target = TOKEN_SHAPE.test(req.params.token) ? await findToken(pool, req.params.token, 'unsubscribe') : undefined;
    if (!target?.contact_id) return notFoundReply(reply);
    return htmlHeaders(reply).send(confirmUnsubscribePage(target.account_name, target.opted_out));
  });

  app.post('/u/:token', {
    logLevel: 'warn',
    bodyLimit: FORM_BODY_LIMIT,
    schema: {
      tags: ['tracking'],
      summary: 'Unsubscribe from marketing: the page\'s form or an RFC 8058 one-click POST (List-Unsubscribe=One-Click)',
      security: [],
      params: TokenParams,
    },
  }, async (req, reply) => {
    const target = TOKEN_SHAPE.test(req.params.token) ? await findToken(pool, req.params.token, 'unsubscribe') : undefined;
    if (!target?.contact_id) return notFoundReply(reply);
    const oneClick = isOneClick(req.body);
    await withTransaction(pool, (tx) => unsubscribe(tx, clock, target, oneClick ? 'one-click' : 'page'));
    if (oneClick) return reply.header('cache-control', 'no-store').status(200).send();
    return htmlHeaders(reply).send(unsubscribedPage(target.account_name));
  });
};
