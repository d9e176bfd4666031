import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, forbidden } from '../core/errors.js';
import type { Pool } from '../db/index.js';
import { authenticateKey, authenticateSession, roleAtLeast, type AuthContext, type Role } from '../accounts/index.js';

export const SESSION_COOKIE = 'conversa_session';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext;
  }
  interface FastifyContextConfig {
    /** The least role that may call this route; default viewer for GET, editor otherwise. */
    role?: Role;
    /** No authentication (login, health). */
    public?: boolean;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `/v1` authentication: an API key (`Authorization: Bearer`) or the console's session cookie.
 * A cookie-authenticated call that changes state must echo the session's CSRF token in
 * `X-CSRF-Token` — a cross-site form can send the cookie but cannot read the token.
 */
export function installAuth(app: FastifyInstance, pool: Pool): void {
  app.decorateRequest('auth', null as unknown as AuthContext);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/v1/') || request.routeOptions.config?.public) return;
    const header = request.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const ctx = m?.[1] ? await authenticateKey(pool, m[1]) : undefined;
      if (!ctx) throw new AppError(401, 'unauthorized', 'invalid or revoked API key');
      request.auth = ctx;
    } else {
      const token = request.cookies?.[SESSION_COOKIE];
      const ctx = token ? await authenticateSession(pool, token) : undefined;
      if (!ctx) throw new AppError(401, 'unauthorized', 'send Authorization: Bearer <api_key>, or log in to the console');
      if (!SAFE.has(request.method) && request.headers['x-csrf-token'] !== ctx.csrf) {
        throw new AppError(403, 'csrf', 'missing or wrong X-CSRF-Token header');
      }
      request.auth = ctx;
    }
    const least = request.routeOptions.config?.role ?? (SAFE.has(request.method) ? 'viewer' : 'editor');
    if (!roleAtLeast(request.auth.role, least)) throw forbidden(`this needs the ${least} role or higher`);
  });
}
