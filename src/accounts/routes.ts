import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../http/deps.js';
import { AppError, invalid, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { recordAudit, listAudit } from '../audit/index.js';
import { createAccount, createApiKey, login, checkPassword, SESSION_TTL_MINUTES } from './service.js';
import { listApiKeys, revokeApiKey } from './sql/api-keys.js';
import { forgetVerifiedKeys } from './auth-context.js';
import { signingSecret } from './signing.js';
import { insertUser, listUsers, getUser, updateUser, deleteUser } from './sql/users.js';
import { deleteSession } from './sql/sessions.js';
import { getAccount, updateAccountPolicy } from './sql/accounts.js';
import { hashPassword, sha256 } from './secrets.js';
import { Email, IdParams, RoleSchema } from './schemas.js';
import { PolicyPatch, PRESETS, isTimeZone, policyView } from './policy.js';
import { roleAtLeast } from './roles.js';

const SESSION_COOKIE = 'conversa_session';

export const accountRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const { pool } = deps;

  // ---- API keys -------------------------------------------------------------------------
  app.post('/api_keys', {
    config: { role: 'admin' },
    schema: { tags: ['auth'], body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema }, { additionalProperties: false }) },
  }, async (req, reply) => {
    if (!roleAtLeast(req.auth.role, req.body.role)) throw invalid('role', `you cannot create a key with more power than your own (${req.auth.role})`, 403);
    const { row, key } = await createApiKey(pool, { accountId: req.auth.accountId, name: req.body.name, role: req.body.role, actor: req.auth.actor });
    return reply.status(201).send({ id: row.id, key, prefix: row.prefix, name: row.name, role: row.role, created_at: row.created_at });
  });

  app.get('/api_keys', { config: { role: 'admin' }, schema: { tags: ['auth'] } }, async (req) => {
    const rows = await listApiKeys(pool, req.auth.accountId);
    return { api_keys: rows.map(({ account_id: _a, revoked_at: _r, ...k }) => k) };
  });

  app.delete('/api_keys/:id', { config: { role: 'admin' }, schema: { tags: ['auth'], params: IdParams } }, async (req, reply) => {
    if (!(await revokeApiKey(pool, req.auth.accountId, req.params.id))) throw notFound('api key');
    forgetVerifiedKeys();
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'api_key.revoked', target: req.params.id });
    return reply.status(204).send();
  });

  // ---- Users ----------------------------------------------------------------------------
  app.post('/users', {
    config: { role: 'admin' },
    schema: {
      tags: ['auth'],
      body: Type.Object({
        email: Email, name: Type.String({ maxLength: 200 }), role: RoleSchema,
        password: Type.Optional(Type.String({ maxLength: 200 })),
      }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    if (!roleAtLeast(req.auth.role, req.body.role)) throw invalid('role', `you cannot create a user with more power than your own`, 403);
    if (req.body.password !== undefined) checkPassword(req.body.password);
    const user = await insertUser(pool, {
      accountId: req.auth.accountId, id: newId('usr'), email: req.body.email, name: req.body.name, role: req.body.role,
      passwordHash: req.body.password ? await hashPassword(req.body.password) : null,
    }).catch((err: { code?: string }) => {
      if (err.code === '23505') throw new AppError(409, 'conflict', 'a user with this email exists', [{ field: 'email', message: 'already exists' }]);
      throw err;
    });
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'user.created', target: user.id, detail: { role: user.role } });
    const { account_id: _a, ...out } = user;
    return reply.status(201).send(out);
  });

  app.get('/users', { config: { role: 'admin' }, schema: { tags: ['auth'] } }, async (req) => ({
    users: (await listUsers(pool, req.auth.accountId)).map(({ account_id: _a, ...u }) => u),
  }));

  app.get('/users/:id', { config: { role: 'admin' }, schema: { tags: ['auth'], params: IdParams } }, async (req) => {
    const user = await getUser(pool, req.auth.accountId, req.params.id);
    if (!user) throw notFound('user');
    const { account_id: _a, ...out } = user;
    return out;
  });

  app.patch('/users/:id', {
    config: { role: 'admin' },
    schema: {
      tags: ['auth'], params: IdParams,
      body: Type.Object({
        name: Type.Optional(Type.String({ maxLength: 200 })), role: Type.Optional(RoleSchema),
        password: Type.Optional(Type.String({ maxLength: 200 })),
      }, { additionalProperties: false }),
    },
  }, async (req) => {
    if (req.body.role && !roleAtLeast(req.auth.role, req.body.role)) throw invalid('role', 'you cannot grant more power than your own', 403);
    if (req.body.password !== undefined) checkPassword(req.body.password);
    const user = await updateUser(pool, req.auth.accountId, req.params.id, {
      name: req.body.name, role: req.body.role,
      passwordHash: req.body.password ? await hashPassword(req.body.password) : undefined,
    });
    if (!user) throw notFound('user');
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'user.updated', target: user.id, detail: { role: req.body.role, password_changed: !!req.body.password } });
    const { account_id: _a, ...out } = user;
    return out;
  });

  app.delete('/users/:id', { config: { role: 'admin' }, schema: { tags: ['auth'], params: IdParams } }, async (req, reply) => {
    if (!(await deleteUser(pool, req.auth.accountId, req.params.id))) throw notFound('user');
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'user.deleted', target: req.params.id });
    return reply.status(204).send();
  });

  // ---- Sub-accounts ---------------------------------------------------------------------
  app.post('/accounts', {
    config: { role: 'owner' },
    schema: { tags: ['auth'], body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }) },
  }, async (req, reply) => {
    const acc = await createAccount(pool, { name: req.body.name, parentId: req.auth.accountId, actor: req.auth.actor });
    await recordAudit(pool, { accountId: req.auth.accountId, actor: req.auth.actor, action: 'account.sub_created', target: acc.id });
    return reply.status(201).send({ id: acc.id, name: req.body.name, parent_id: req.auth.accountId, api_key: acc.apiKey });
  });

  app.get('/account', { schema: { tags: ['auth'] } }, async (req) => {
    const acc = await getAccount(pool, req.auth.accountId);
    if (!acc) throw notFound('account');
    return { id: acc.id, name: acc.name, parent_id: acc.parent_id, timezone: acc.timezone, role: req.auth.role, actor: req.auth.actor };
  });

  // ---- Policy settings (read by the messaging policy gate and relative-date filters) -----
  // The secret that signs flow HTTP calls; admins only, as it lets anyone forge Conversa's calls.
  app.get('/settings/signing_secret', { config: { role: 'admin' }, schema: { tags: ['settings'] } }, async (req) => ({
    secret: await signingSecret(pool, req.auth.accountId),
    header: 'Conversa-Signature',
    scheme: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>',
  }));

  app.get('/settings/policy', { schema: { tags: ['settings'] } }, async (req) => {
    const acc = await getAccount(pool, req.auth.accountId);
    if (!acc) throw notFound('account');
    return policyView(acc);
  });

  app.patch('/settings/policy', { config: { role: 'admin' }, schema: { tags: ['settings'], body: PolicyPatch } }, async (req) => {
    const acc = await getAccount(pool, req.auth.accountId);
    if (!acc) throw notFound('account');
    const { timezone, country, preset, ...rest } = req.body;
    if (timezone !== undefined && !isTimeZone(timezone)) throw invalid('timezone', `unknown IANA time zone "${timezone}"`);
    for (const [i, w] of (rest.sending_windows ?? []).entries()) {
      if (w.from >= w.to) throw invalid(`sending_windows[${i}].to`, 'must be later than from');
    }
    const policy = { ...acc.policy, ...rest, ...(preset ? PRESETS[preset] : {}) };
    const updated = await updateAccountPolicy(pool, acc.id, { timezone, country, policy });
    await recordAudit(pool, { accountId: acc.id, actor: req.auth.actor, action: 'settings.policy_updated', detail: req.body });
    return policyView(updated!);
  });

  app.get('/audit', {
    config: { role: 'admin' },
    schema: {
      tags: ['settings'],
      querystring: Type.Object({
        from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })),
        actor: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
      }),
    },
  }, async (req) => ({ entries: await listAudit(pool, req.auth.accountId, req.query) }));

  // ---- Console sessions -----------------------------------------------------------------
  app.post('/auth/login', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }), account_id: Type.Optional(Type.String()) }, { additionalProperties: false }),
    },
  }, async (req, reply) => {
    const s = await login(pool, { email: req.body.email, password: req.body.password, accountId: req.body.account_id });
    reply.setCookie(SESSION_COOKIE, s.token, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.publicUrl.startsWith('https://'), maxAge: SESSION_TTL_MINUTES * 60,
    });
    return { account_id: s.accountId, user_id: s.userId, role: s.role, csrf_token: s.csrf };
  });

  app.get('/auth/session', { schema: { tags: ['auth'] } }, async (req) => {
    if (req.auth.via !== 'session') throw new AppError(400, 'not_a_session', 'this call is for console sessions');
    const acc = await getAccount(pool, req.auth.accountId);
    return { account_id: req.auth.accountId, account_name: acc?.name, user_id: req.auth.userId, role: req.auth.role, csrf_token: req.auth.csrf };
  });

  app.post('/auth/logout', { config: { role: 'viewer' }, schema: { tags: ['auth'] } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await deleteSession(pool, sha256(token));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });
};
