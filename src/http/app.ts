import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { newId } from '../core/ids.js';
import type { AppDeps } from './deps.js';
import { installErrorHandling } from './errors.js';
import { installAuth } from './auth.js';
import { accountRoutes } from '../accounts/index.js';
import { contactRoutes } from '../contacts/index.js';
import { channelRoutes } from '../channels/index.js';
import { configureProviders } from '../channels/registry.js';
import { messageRoutes } from '../messaging/index.js';
import { broadcastRoutes, createReporter } from '../messaging/index.js';
import { trackingRoutes } from '../messaging/tracking/index.js';
import { suppressionRoutes } from '../messaging/suppressions/index.js';
import { templateRoutes } from '../templates/index.js';
import { pushRoutes } from '../channels/push/index.js';
import { smsHookRoutes } from '../channels/sms/index.js';
import { voiceHookRoutes } from '../channels/voice/index.js';
import { flowRoutes } from '../flows/index.js';
import { otpRoutes } from '../otp/index.js';

export const WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export interface AppOptions {
  /** Reports whether migrations ran and workers run (GET /health). */
  health?: () => { ok: boolean; detail?: string };
}

/**
 * Assembles the HTTP app: cross-cutting hooks (request ids, auth, errors, metrics) and each
 * module's routes as an encapsulated plugin. No handler logic lives here.
 */
export async function buildApp(deps: AppDeps, opts: AppOptions = {}): Promise<FastifyInstance> {
  configureProviders(deps.config.ssrfAllow);
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => newId('req'),
    ajv: {
      // Fastify's ajv compiler already includes ajv-formats (date-time, email, …).
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    deps.metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Conversa API', version: '1', description: 'Customer-communications automation. See API.md for the contract.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  const hasConsole = existsSync(WEB_DIR + 'index.html');
  installErrorHandling(app, hasConsole ? consoleFallback : undefined);
  installAuth(app, deps.pool);

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const h = opts.health?.() ?? { ok: true };
    if (!h.ok) return reply.status(503).send({ status: 'starting', detail: h.detail });
    await deps.pool.query('SELECT 1');
    return { status: 'ok' };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  app.get('/docs', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(accountRoutes, { prefix: '/v1', deps });
  await app.register(contactRoutes, { prefix: '/v1', deps });
  await app.register(channelRoutes, { prefix: '/v1', deps });
  await app.register(messageRoutes, { prefix: '/v1', deps });
  await app.register(broadcastRoutes, { prefix: '/v1', deps });
  await app.register(suppressionRoutes, { prefix: '/v1', deps });
  await app.register(templateRoutes, { prefix: '/v1', deps });
  await app.register(pushRoutes, { prefix: '/v1', deps, ssrfAllow: deps.config.ssrfAllow });
  await app.register(flowRoutes, { prefix: '/v1', deps });
  await app.register(otpRoutes, { prefix: '/v1', deps });
  // Public: tracking links and pages, provider callbacks (each checks its own token).
  const report = createReporter(deps);
  await app.register(trackingRoutes, { deps });
  await app.register(smsHookRoutes, { deps, report });
  await app.register(voiceHookRoutes, { deps, report });

  await registerConsole(app, hasConsole);
  return app;
}

/** The console (web/, built by Vite into dist/web) at `/`. */
async function registerConsole(app: FastifyInstance, hasConsole: boolean): Promise<void> {
  if (!hasConsole) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/html').send('<h1>Conversa</h1><p>The console is not built: run <code>npm run build</code>.</p>'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: WEB_DIR, prefix: '/', wildcard: true, index: ['index.html'] });
}

/** Client-side routes of the console (`/lists/…`) get index.html; API-like paths keep their 404. */
function consoleFallback(req: FastifyRequest, reply: FastifyReply): false | FastifyReply {
  const path = req.url.split('?')[0] ?? '';
  const apiLike = /^\/(v1|hooks|f|l|o|u|d|docs|metrics|health)(\/|$)/.test(path);
  if (req.method !== 'GET' || apiLike || /\.[a-z0-9]+$/i.test(path)) return false;
  return reply.sendFile('index.html');
}
