import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, OWNER_PASSWORD, type TestApp } from '../test-support/app.js';

let t: TestApp;
before(async () => { t = await createTestApp(); });
after(async () => { await t.close(); });

test('a request without a key gets 401, with a bad key 401', async () => {
  const none = await t.app.inject({ method: 'GET', url: '/v1/api_keys' });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json().error.code, 'unauthorized');
  const bad = await t.call('GET', '/v1/api_keys', undefined, { key: 'cv_nope' });
  assert.equal(bad.statusCode, 401);
});

test('API keys: created once with a visible prefix, listed without the secret, revoked', async () => {
  const created = await t.call('POST', '/v1/api_keys', { name: 'ci', role: 'viewer' });
  assert.equal(created.statusCode, 201);
  const { id, key, prefix } = created.json();
  assert.ok(key.startsWith(prefix));
  const list = await t.call('GET', '/v1/api_keys');
  const listed = list.json().api_keys.find((k: { id: string }) => k.id === id);
  assert.equal(listed.prefix, prefix);
  assert.equal(JSON.stringify(list.json()).includes(key), false, 'the key is never shown again');
  const stored = await t.db.pool.query('SELECT key_hash FROM api_keys WHERE id = $1', [id]);
  assert.equal(stored.rows[0].key_hash.toString('utf8').includes(key), false);
  // a viewer may read but not write
  assert.equal((await t.call('GET', '/v1/account', undefined, { key })).statusCode, 200);
  const denied = await t.call('POST', '/v1/api_keys', { name: 'x', role: 'viewer' }, { key });
  assert.equal(denied.statusCode, 403);
  assert.equal((await t.call('DELETE', `/v1/api_keys/${id}`)).statusCode, 204);
  assert.equal((await t.call('GET', '/v1/account', undefined, { key })).statusCode, 401);
});

test('bad input names the field', async () => {
  const r = await t.call('POST', '/v1/api_keys', { name: 'x', role: 'superuser' });
  assert.equal(r.statusCode, 400);
  assert.match(r.json().error.details[0].field, /role/);
  const u = await t.call('POST', '/v1/users', { email: 'a@b.co', name: 'A', role: 'editor', password: 'short' });
  assert.equal(u.statusCode, 422);
  assert.equal(u.json().error.details[0].field, 'password');
});

test('users: create, list, patch role, delete', async () => {
  const r = await t.call('POST', '/v1/users', { email: 'ana@bank.co', name: 'Ana', role: 'editor', password: 'a-long-password' });
  assert.equal(r.statusCode, 201);
  const id = r.json().id;
  assert.equal(r.json().password_hash, undefined);
  const dup = await t.call('POST', '/v1/users', { email: 'ANA@bank.co', name: 'Ana', role: 'editor' });
  assert.equal(dup.statusCode, 409);
  const p = await t.call('PATCH', `/v1/users/${id}`, { role: 'approver' });
  assert.equal(p.json().role, 'approver');
  assert.equal((await t.call('DELETE', `/v1/users/${id}`)).statusCode, 204);
  assert.equal((await t.call('GET', `/v1/users/${id}`)).statusCode, 404);
});

test('console login: HttpOnly SameSite cookie, CSRF token required for writes', async () => {
  const bad = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'owner@example.com', password: 'wrong password!' } });
  assert.equal(bad.statusCode, 401);
  const r = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'owner@example.com', password: OWNER_PASSWORD } });
  assert.equal(r.statusCode, 200);
  const setCookie = String(r.headers['set-cookie']);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const cookie = setCookie.split(';')[0]!;
  const csrf = r.json().csrf_token;
  const read = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
  assert.equal(read.statusCode, 200);
  const noCsrf = await t.app.inject({ method: 'POST', url: '/v1/api_keys', headers: { cookie }, payload: { name: 'k', role: 'viewer' } });
  assert.equal(noCsrf.statusCode, 403);
  assert.equal(noCsrf.json().error.code, 'csrf');
  const ok = await t.app.inject({ method: 'POST', url: '/v1/api_keys', headers: { cookie, 'x-csrf-token': csrf }, payload: { name: 'k', role: 'viewer' } });
  assert.equal(ok.statusCode, 201);
});

test('sub-accounts: owner creates one with its own key; data stays apart', async () => {
  const r = await t.call('POST', '/v1/accounts', { name: 'Card division' });
  assert.equal(r.statusCode, 201);
  const sub = r.json();
  assert.ok(sub.api_key);
  const me = await t.call('GET', '/v1/account', undefined, { key: sub.api_key });
  assert.equal(me.json().id, sub.id);
  assert.equal(me.json().parent_id, t.accountId);
  const keys = await t.call('GET', '/v1/api_keys', undefined, { key: sub.api_key });
  assert.equal(keys.json().api_keys.length, 1);
});

test('policy settings: validated, presets, timezone', async () => {
  const bad = await t.call('PATCH', '/v1/settings/policy', { timezone: 'Mars/Olympus' });
  assert.equal(bad.statusCode, 422);
  assert.equal(bad.json().error.details[0].field, 'timezone');
  const r = await t.call('PATCH', '/v1/settings/policy', { timezone: 'America/Bogota', country: 'CO', preset: 'co_ley_2300', frequency_caps: { week: 3 } });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().timezone, 'America/Bogota');
  assert.equal(r.json().sending_windows.length, 2);
  assert.deepEqual(r.json().frequency_caps, { week: 3 });
  assert.equal((await t.call('GET', '/v1/settings/policy')).json().country, 'CO');
});

test('health, metrics and OpenAPI docs', async () => {
  const h = await t.app.inject({ method: 'GET', url: '/health' });
  assert.deepEqual(h.json(), { status: 'ok' });
  const m = await t.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(m.body, /conversa_http_request_duration_seconds_bucket/);
  assert.match(m.body, /conversa_queue_depth/);
  const d = await t.app.inject({ method: 'GET', url: '/docs' });
  assert.equal(d.json().openapi, '3.1.0');
  assert.ok(d.json().paths['/v1/api_keys']);
});
