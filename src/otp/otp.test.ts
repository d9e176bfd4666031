// OTP through the API on the sandbox (real SMTP and SMPP sinks), with the fallback worker running:
// codes never leave in clear except to the provider, verification is exactly-once, fallback moves
// on by failure and by timeout, limits answer 429 with Retry-After.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../test-support/app.js';
import type { ExampleAccount } from '../test-support/flows.js';

// Loopback must be open before the channel providers load (the local voice provider below).
process.env.CONVERSA_SSRF_ALLOW = '127.0.0.0/8';
const { createTestApp } = await import('../test-support/app.js');
const { recordingServer } = await import('../test-support/channels.js');
const h = await import('../test-support/flows.js');

let t: TestApp;
let voice: Awaited<ReturnType<typeof recordingServer>>;
/** A voice provider that is down (503): its calls stay in the outbox for a retry. */
let downVoice: Awaited<ReturnType<typeof recordingServer>>;
/** A local push service (what a browser's subscription endpoint would be). */
let pushService: Awaited<ReturnType<typeof recordingServer>>;

before(async () => {
  downVoice = await recordingServer((_r, res) => { res.writeHead(503).end(); });
  pushService = await recordingServer((_r, res) => { res.writeHead(201).end(); });
  t = await createTestApp({ sandbox: true, config: { ssrfAllow: ['127.0.0.0/8'] } });
  await t.startWorkers();
  voice = await recordingServer((_r, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ call_id: `call-${Date.now()}` })); });
});
after(async () => {
  await t.close();
  await voice.close();
  await downVoice.close();
  await pushService.close();
});

interface Sandboxed { channel_type: string; to: string; subject?: string; text: string }

/** What the sandbox sinks received for an address (the "phone" and the "mailbox"). */
async function received(a: ExampleAccount, to: string): Promise<Sandboxed[]> {
  const r = await a.ok<Sandboxed[]>('GET', `/v1/sandbox/messages?to=${encodeURIComponent(to)}`);
  return r.reverse();
}

async function codeFrom(a: ExampleAccount, to: string, n = 1): Promise<string> {
  const got = await h.waitFor(`${n} message(s) to ${to}`, async () => ((await received(a, to)).length >= n ? received(a, to) : undefined), 10_000);
  const m = /\b(\d{4,10})\b/.exec(got[n - 1]!.text);
  assert.ok(m, `a code in "${got[n - 1]!.text}"`);
  return m[1]!;
}

let seq = 0;
async function account(name: string): Promise<{ a: ExampleAccount; listId: string }> {
  const a = await h.exampleAccount(t, name);
  const listId = await h.exampleList(a, 'Clientes', [{ key: 'language', label: 'Idioma', type: 'text' }]);
  return { a, listId };
}
async function contact(a: ExampleAccount, listId: string, fields: Record<string, unknown>): Promise<string> {
  const doc = `d${++seq}`;
  const ids = await h.addContacts(a, listId, [{ doc, name: 'Marta', ...fields }]);
  return ids[doc]!;
}
const phone = () => `+57300${String(1_000_000 + ++seq).slice(-7)}`;

test('an SMS OTP: the code reaches the phone, never the API, the message row or the database in clear; verified once', async () => {
  const { a, listId } = await account('Banco OTP 1');
  const to = phone();
  const cid = await contact(a, listId, { phone: to });
  const r = await a.call('POST', '/v1/otp', { contact_id: cid, channels: ['sms'], context: { amount: '1.250.000 COP', payee: 'Almacenes Éxito' } });
  assert.equal(r.statusCode, 201, r.body);
  const otp = r.json<{ id: string; channel: string; expires_at: string; status: string }>();
  assert.equal(otp.channel, 'sms');
  assert.equal(otp.status, 'pending');
  assert.ok(Math.abs(new Date(otp.expires_at).getTime() - Date.now() - 600_000) < 10_000, 'default TTL 600 s');
  const code = await codeFrom(a, to);
  assert.equal(code.length, 6);
  const sms = (await received(a, to))[0]!;
  assert.match(sms.text, /Almacenes Éxito/, 'the bound context is shown');
  assert.match(sms.text, /código de verificación/, 'in the contact country\'s language');

  const view = await a.ok<{ deliveries: { message_id: string; status: string }[]; to: { phone: string }; attempts_left: number }>('GET', `/v1/otp/${otp.id}`);
  assert.ok(!JSON.stringify(view).includes(code), 'GET /v1/otp/{id} never shows the code');
  assert.ok(!JSON.stringify(view).includes(to), 'the destination is masked');
  assert.equal(view.attempts_left, 5);
  const msg = await a.ok<{ content: { text: string } }>('GET', `/v1/messages/${view.deliveries[0]!.message_id}`);
  assert.ok(!msg.content.text.includes(code), 'the message row keeps the code masked');
  assert.match(msg.content.text, /\*{6}/);
  const rows = await t.db.pool.query(`SELECT m.content::text AS content, o.code_hash, o.code_sealed FROM otps o JOIN otp_deliveries d ON d.account_id = o.account_id AND d.otp_id = o.id
     JOIN messages m ON m.account_id = d.account_id AND m.id = d.message_id WHERE o.id = $1`, [otp.id]);
  const row = rows.rows[0] as { content: string; code_hash: Buffer; code_sealed: Buffer };
  assert.ok(!row.content.includes(code) && !row.code_hash.toString('latin1').includes(code) && !row.code_sealed.toString('latin1').includes(code));
  const outbox = await t.db.pool.query('SELECT count(*)::int AS n FROM outbox WHERE account_id = $1', [a.accountId]);
  assert.equal(outbox.rows[0].n, 0, 'the sealed text left with the outbox row once sent');

  assert.deepEqual(await a.ok('POST', `/v1/otp/${otp.id}/verify`, { code: code === '000000' ? '000001' : '000000' }), { valid: false, reason: 'invalid', attempts_left: 4 });
  assert.deepEqual(await a.ok('POST', `/v1/otp/${otp.id}/verify`, { code, context: { payee: 'Otro', amount: '1.250.000 COP' } }), { valid: false, reason: 'invalid', attempts_left: 3 }, 'another payment\'s context does not match');
  assert.deepEqual(await a.ok('POST', `/v1/otp/${otp.id}/verify`, { code }), { valid: true });
  assert.deepEqual(await a.ok('POST', `/v1/otp/${otp.id}/verify`, { code }), { valid: false, reason: 'already_used' });
  const after = await a.ok<{ status: string; verified_channel: string; verifications: { result: string; actor: string }[] }>('GET', `/v1/otp/${otp.id}`);
  assert.equal(after.status, 'verified');
  assert.deepEqual(after.verifications.map((v) => v.result), ['already_used', 'valid', 'invalid', 'invalid'], 'every verify is kept, newest first');
  assert.ok(!JSON.stringify(after).includes(code));
  assert.equal(after.verified_channel, 'sms');
  const wiped = await t.db.pool.query('SELECT code_sealed FROM otps WHERE id = $1', [otp.id]);
  assert.equal(wiped.rows[0].code_sealed, null, 'the sealed code is gone once verified');
});

test('fifty concurrent verifies of the right code: exactly one is valid', async () => {
  const { a } = await account('Banco OTP 2');
  const to = phone();
  const r = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: to }, channels: ['sms'], max_attempts: 10 });
  const code = await codeFrom(a, to);
  const answers = await Promise.all(Array.from({ length: 50 }, () => a.call('POST', `/v1/otp/${r.id}/verify`, { code, source: `ip-${Math.random()}` })));
  const bodies = answers.map((x) => x.json<{ valid: boolean; reason?: string }>());
  assert.equal(bodies.filter((b) => b.valid).length, 1);
  assert.equal(bodies.filter((b) => b.reason === 'already_used').length, 49);

  // A verify retried with its Idempotency-Key (the first answer lost on the way) gets that answer again.
  const to2 = phone();
  const r2 = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: to2 }, channels: ['sms'] });
  const code2 = await codeFrom(a, to2);
  const once = await a.call('POST', `/v1/otp/${r2.id}/verify`, { code: code2 }, { 'idempotency-key': 'login-42' });
  const retry = await a.call('POST', `/v1/otp/${r2.id}/verify`, { code: code2 }, { 'idempotency-key': 'login-42' });
  assert.deepEqual([once.json(), retry.json()], [{ valid: true }, { valid: true }]);
  assert.deepEqual(await a.ok('POST', `/v1/otp/${r2.id}/verify`, { code: code2 }), { valid: false, reason: 'already_used' }, 'without the key it is a new verify');
  const reused = await a.call('POST', `/v1/otp/${r2.id}/verify`, { code: '000000' }, { 'idempotency-key': 'login-42' });
  assert.equal(reused.statusCode, 422, 'the same key with another code');
  const stored = await t.db.pool.query(`SELECT request_hash FROM idempotency_keys WHERE key LIKE 'otp-verify:%'`);
  assert.ok(stored.rows.every((x: { request_hash: string }) => !x.request_hash.includes(code2)));
});

test('max attempts, require_context, expiry, alphabet and length', async () => {
  const { a } = await account('Banco OTP 3');
  const to = phone();
  const r = await a.ok<{ id: string }>('POST', '/v1/otp', {
    to: { phone: to }, channels: ['sms'], max_attempts: 2, length: 8, alphabet: 'ABCDEFGHJK', context: { amount: '10 USD' }, require_context: true,
  });
  const got = await h.waitFor(`a message to ${to}`, async () => (await received(a, to))[0], 10_000);
  const code = /\b([A-K]{8})\b/.exec(got.text)?.[1];
  assert.ok(code, `an 8-letter code in "${got.text}"`);
  const noContext = await a.call('POST', `/v1/otp/${r.id}/verify`, { code });
  assert.equal(noContext.statusCode, 422, 'the bound context is required');
  assert.match(noContext.body, /context/);
  assert.deepEqual(await a.ok('POST', `/v1/otp/${r.id}/verify`, { code, context: { amount: '11 USD' } }), { valid: false, reason: 'invalid', attempts_left: 1 }, 'another amount');
  assert.deepEqual(await a.ok('POST', `/v1/otp/${r.id}/verify`, { code: 'AAAAAAAA', context: { amount: '10 USD' } }), { valid: false, reason: 'invalid', attempts_left: 0 });
  assert.deepEqual(await a.ok('POST', `/v1/otp/${r.id}/verify`, { code, context: { amount: '10 USD' } }), { valid: false, reason: 'too_many_attempts' }, 'dead even for the right code');

  const e = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: phone() }, channels: ['sms'], ttl_seconds: 60 });
  await t.db.pool.query(`UPDATE otps SET expires_at = now() - interval '1 second' WHERE id = $1`, [e.id]);
  assert.deepEqual(await a.ok('POST', `/v1/otp/${e.id}/verify`, { code: '123456' }), { valid: false, reason: 'expired' });
  assert.equal((await a.ok<{ status: string }>('GET', `/v1/otp/${e.id}`)).status, 'expired');
});

test('bad input: a 4xx naming the field, and nothing created', async () => {
  const { a, listId } = await account('Banco OTP 4');
  const base = { to: { phone: phone() }, channels: ['sms'] };
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...base, length: 3 }, 'length'], [{ ...base, length: 11 }, 'length'], [{ ...base, ttl_seconds: 59 }, 'ttl_seconds'],
    [{ ...base, ttl_seconds: 86_401 }, 'ttl_seconds'], [{ ...base, max_attempts: 0 }, 'max_attempts'], [{ ...base, max_attempts: 11 }, 'max_attempts'],
    [{ ...base, alphabet: '0123456780' }, 'alphabet'], [{ ...base, alphabet: '012345678' }, 'alphabet'], [{ ...base, channels: ['sms', 'sms'] }, 'channels'],
    [{ ...base, channels: ['fax'] }, 'channels'], [{ channels: ['sms'] }, 'to'], [{ ...base, require_context: true }, 'require_context'],
    [{ ...base, template_id: 'tpl_nope' }, 'template_id'],
  ];
  for (const [body, field] of cases) {
    const r = await a.call('POST', '/v1/otp', body);
    assert.ok(r.statusCode === 422 || r.statusCode === 400, `${JSON.stringify(body)} → ${r.statusCode} ${r.body}`);
    assert.match(r.body, new RegExp(field), `${JSON.stringify(body)} names ${field}: ${r.body}`);
  }
  const noPhone = await contact(a, listId, { email: 'solo@example.com' });
  const unreachable = await a.call('POST', '/v1/otp', { contact_id: noPhone, channels: ['sms', 'voice'] });
  assert.equal(unreachable.statusCode, 422);
  assert.match(unreachable.body, /channels: no channel the contact can be reached on/);
  const n = await t.db.pool.query('SELECT count(*)::int AS n FROM otps WHERE account_id = $1', [a.accountId]);
  assert.equal(n.rows[0].n, 0, 'nothing was created');
  const unknown = await a.call('POST', '/v1/otp/otp_nope/verify', { code: '123456' });
  assert.equal(unknown.statusCode, 404);
  const ok = await a.ok<{ id: string }>('POST', '/v1/otp', base);
  const numeric = await a.call('POST', `/v1/otp/${ok.id}/verify`, { code: 123456 });
  assert.ok(numeric.statusCode === 400 || numeric.statusCode === 422, numeric.body);
  assert.match(numeric.body, /code/);
});

test('fallback: skipped without an address, next channel on timeout with the same code, and on failure at once', async () => {
  const { a, listId } = await account('Banco OTP 5');
  await h.voiceChannel(a, `${voice.base}/calls`, 0.12);
  const to = phone();
  const cid = await contact(a, listId, { phone: to, email: 'marta@example.com' });
  // No push subscription: push is skipped; the email is not confirmed within 1 s: the SMS follows.
  const r = await a.ok<{ id: string; channel: string; channels: string[] }>('POST', '/v1/otp', {
    contact_id: cid, channels: ['push', 'email', 'sms'], timeouts_seconds: { email: 1 },
  });
  assert.equal(r.channel, 'email');
  const mail = await h.waitFor('the email', async () => (await received(a, 'marta@example.com'))[0], 10_000);
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  assert.ok(code);
  assert.equal(await codeFrom(a, to), code, 'the same code on the next channel');
  const view = await a.ok<{ deliveries: { channel_type: string; status: string; reason: string | null }[]; channel: string }>('GET', `/v1/otp/${r.id}`);
  assert.deepEqual(view.deliveries.map((d) => d.channel_type), ['push', 'email', 'sms']);
  assert.equal(view.deliveries[0]!.status, 'skipped');
  assert.equal(view.channel, 'sms');

  // A suppressed (hard-bounced) email is skipped at once; the call reads the digits twice.
  await a.ok('POST', '/v1/suppressions', { type: 'email', value: 'rebota@example.com', reason: 'hard bounce' });
  const callee = phone();
  const v = await a.ok<{ id: string; channel: string }>('POST', '/v1/otp', { to: { email: 'rebota@example.com', phone: callee }, channels: ['email', 'voice'], language: 'es-CO' });
  assert.equal(v.channel, 'voice');
  const call = await h.waitFor('the call', async () => voice.received.map((x) => h.jsonBody(x)).find((b) => b.to === callee), 10_000);
  const spoken = String(call.text);
  const digits = /es: ((?:\d, ){5}\d)\. Repito: ((?:\d, ){5}\d)\./.exec(spoken);
  assert.ok(digits, `digit by digit, twice: "${spoken}"`);
  assert.equal(digits[1], digits[2]);
  assert.equal(call.language, 'es-CO');
  assert.deepEqual(await a.ok('POST', `/v1/otp/${v.id}/verify`, { code: digits[1]!.replace(/, /g, '') }), { valid: true });
});

test('resend on the same channel keeps the code; limits per destination and per verify source answer 429 with Retry-After', async () => {
  const { a } = await account('Banco OTP 6');
  await a.ok('PATCH', '/v1/settings/otp', { per_destination: { max: 2, window_seconds: 600 }, per_verify_source: { max: 3, window_seconds: 60 } });
  const to = phone();
  const r = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: to }, channels: ['sms'] });
  const first = await codeFrom(a, to);
  const again = await a.ok<{ channel: string }>('POST', `/v1/otp/${r.id}/resend`, {});
  assert.equal(again.channel, 'sms');
  assert.equal(await codeFrom(a, to, 2), first, 'a resend carries the same code');
  const limited = await a.call('POST', '/v1/otp', { to: { phone: to }, channels: ['sms'] });
  assert.equal(limited.statusCode, 429, limited.body);
  assert.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 600);
  assert.match(limited.body, /per_destination/);
  const resend = await a.call('POST', `/v1/otp/${r.id}/resend`, {});
  assert.equal(resend.statusCode, 429, 'resends count against the destination too');

  const other = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: phone() }, channels: ['sms'] });
  for (let i = 0; i < 3; i++) assert.equal((await a.call('POST', `/v1/otp/${other.id}/verify`, { code: '000000', source: '203.0.113.7' })).statusCode, 200);
  const blocked = await a.call('POST', `/v1/otp/${other.id}/verify`, { code: '000000', source: '203.0.113.7' });
  assert.equal(blocked.statusCode, 429);
  assert.ok(Number(blocked.headers['retry-after']) >= 1);
  assert.equal((await a.call('POST', `/v1/otp/${other.id}/verify`, { code: '000000', source: '198.51.100.1' })).statusCode, 200, 'another source is not blocked');

  const settings = await a.ok<{ per_destination: { max: number }; timeouts_seconds: { sms: number } }>('GET', '/v1/settings/otp');
  assert.equal(settings.per_destination.max, 2);
  assert.equal(settings.timeouts_seconds.sms, 30);
  const bad = await a.call('PATCH', '/v1/settings/otp', { per_destination: { max: 0, window_seconds: 600 } });
  assert.equal(bad.statusCode, 400);
  const stats = await a.ok<{ channels: { channel_type: string; sent: number; verified: number }[]; totals: { created: number } }>('GET', '/v1/otp/stats');
  assert.equal(stats.totals.created, 2);
  assert.equal(stats.channels.find((c) => c.channel_type === 'sms')?.sent, 3);
});

test('the per-destination limit counts OTPs: a call and its SMS fallback to the same phone count once', async () => {
  const { a } = await account('Banco OTP 8');
  await h.voiceChannel(a, `${voice.base}/calls`, 0.12);
  await a.ok('PATCH', '/v1/settings/otp', { per_destination: { max: 2, window_seconds: 600 } });
  const to = phone();
  // The call gets no answer within 1 s: the SMS to the same phone follows.
  const first = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: to }, channels: ['voice', 'sms'], timeouts_seconds: { voice: 1 } });
  await h.waitFor('the SMS fallback', async () => {
    const v = await a.ok<{ deliveries: { channel_type: string; outcome: string }[] }>('GET', `/v1/otp/${first.id}`);
    return v.deliveries.find((d) => d.channel_type === 'sms' && d.outcome === 'sent');
  }, 10_000);
  assert.equal((await a.call('POST', '/v1/otp', { to: { phone: to }, channels: ['sms'] })).statusCode, 201, 'the second OTP fits');
  const third = await a.call('POST', '/v1/otp', { to: { phone: to }, channels: ['sms'] });
  assert.equal(third.statusCode, 429, third.body);
});

test('OTPs are transactional: quiet hours (even a transactional window) and caps do not hold them; an idempotent retry creates none', async () => {
  const { a } = await account('Banco OTP 7');
  const hh = String((new Date().getUTCHours() + 12) % 24).padStart(2, '0');
  const closed = (category: string) => ({ category, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: `${hh}:00`, to: `${hh}:01` });
  await a.ok('PATCH', '/v1/settings/policy', { timezone: 'UTC', frequency_caps: { day: 0 }, sending_windows: [closed('marketing'), closed('transactional')] });
  const to = phone();
  const body = { to: { phone: to }, channels: ['sms'] };
  const one = await a.call('POST', '/v1/otp', body, { 'idempotency-key': 'otp-retry-1' });
  const two = await a.call('POST', '/v1/otp', body, { 'idempotency-key': 'otp-retry-1' });
  assert.equal(one.statusCode, 201);
  assert.equal(two.json<{ id: string }>().id, one.json<{ id: string }>().id);
  await codeFrom(a, to);
  const n = await t.db.pool.query('SELECT count(*)::int AS n FROM otps WHERE account_id = $1', [a.accountId]);
  assert.equal(n.rows[0].n, 1);
});

test('a phone written another way is the same destination; without a source only max_attempts limits verifies', async () => {
  const { a } = await account('Banco OTP 9');
  await a.ok('PATCH', '/v1/settings/otp', { per_destination: { max: 2, window_seconds: 600 }, per_verify_source: { max: 3, window_seconds: 60 } });
  const digits = String(3_000_000_000 + ++seq * 7);
  assert.equal((await a.call('POST', '/v1/otp', { to: { phone: `+57${digits}` }, channels: ['sms'] })).statusCode, 201);
  assert.equal((await a.call('POST', '/v1/otp', { to: { phone: `+57 ${digits.slice(0, 3)} ${digits.slice(3)}` }, channels: ['sms'] })).statusCode, 201);
  const third = await a.call('POST', '/v1/otp', { to: { phone: `+57 (${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}` }, channels: ['sms'] });
  assert.equal(third.statusCode, 429, 'the same number in another format is the same destination');
  const bad = await a.call('POST', '/v1/otp', { to: { phone: 'no es un número' }, channels: ['sms'] });
  assert.equal(bad.statusCode, 422);
  assert.match(bad.body, /to\.phone/);

  const o = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: phone() }, channels: ['sms'], max_attempts: 10 });
  for (let i = 0; i < 6; i++) assert.equal((await a.call('POST', `/v1/otp/${o.id}/verify`, { code: '000000' })).statusCode, 200, 'the bank\'s backend IP is not one source');
});

test('an OTP that dies takes back its message still waiting in the outbox', async () => {
  const { a } = await account('Banco OTP 10');
  await h.voiceChannel(a, `${downVoice.base}/calls`, 0.12);
  const o = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: phone() }, channels: ['voice'], max_attempts: 1 });
  const view = await a.ok<{ deliveries: { message_id: string }[] }>('GET', `/v1/otp/${o.id}`);
  const messageId = view.deliveries[0]!.message_id;
  await h.waitFor('the call to be retried', async () => (await a.ok<{ events: { type: string }[] }>('GET', `/v1/messages/${messageId}`)).events.find((e) => e.type === 'retry'), 10_000);
  assert.deepEqual(await a.ok('POST', `/v1/otp/${o.id}/verify`, { code: 'nope' }), { valid: false, reason: 'invalid', attempts_left: 0 });
  const m = await a.ok<{ status: string; error: string }>('GET', `/v1/messages/${messageId}`);
  assert.equal(m.status, 'failed');
  assert.match(m.error, /OTP ended/);
  const left = await t.db.pool.query('SELECT count(*)::int AS n FROM outbox WHERE account_id = $1 AND message_id = $2', [a.accountId, messageId]);
  assert.equal(left.rows[0].n, 0, 'the code will not be called in hours later');
});

test('a message whose sealed text cannot be opened fails alone; others in the outbox still go', async () => {
  const { a } = await account('Banco OTP 11');
  const to = phone();
  // Written straight into the tables as the API would, with damaged sealed bytes, while a plain message is queued beside it.
  const o = await a.ok<{ id: string }>('POST', '/v1/otp', { to: { phone: to }, channels: ['sms'] });
  await codeFrom(a, to);
  const view = await a.ok<{ deliveries: { message_id: string }[] }>('GET', `/v1/otp/${o.id}`);
  const original = view.deliveries[0]!.message_id;
  await t.db.pool.query(
    `INSERT INTO outbox (account_id, message_id, channel_id, sealed) SELECT account_id, id, channel_id, $3 FROM messages WHERE account_id = $1 AND id = $2`,
    [a.accountId, original, Buffer.alloc(64, 7)]);
  const plain = await a.ok<{ id: string }>('POST', '/v1/messages', { to: phone(), channel_type: 'sms', content: { text: 'hola' }, category: 'transactional' });
  await h.waitFor('the plain message sent', async () => {
    const m = await a.ok<{ status: string }>('GET', `/v1/messages/${plain.id}`);
    return m.status === 'delivered' || m.status === 'sent' ? m : undefined;
  }, 10_000);
  const damaged = await h.waitFor('the damaged one failed', async () => {
    const m = await a.ok<{ status: string; events: { type: string; detail: { error?: string } }[] }>('GET', `/v1/messages/${original}`);
    return m.events.find((e) => e.type === 'failed');
  }, 10_000);
  assert.match(String(damaged.detail.error), /sealed content unreadable/);
  assert.equal((await received(a, to)).length, 1, 'never sent again, masked or otherwise');
});

test('push first: the app gets the code (encrypted, high urgency, living no longer than the code at the push service)', async () => {
  const { a, listId } = await account('Banco OTP 12');
  await h.pushChannel(a, 0);
  const to = phone();
  const cid = await contact(a, listId, { phone: to });
  await h.subscribeToPush(a, cid, `${pushService.base}/push/${cid}`);
  const o = await a.ok<{ id: string; channel: string }>('POST', '/v1/otp', { contact_id: cid, channels: ['push', 'sms'], ttl_seconds: 300 });
  assert.equal(o.channel, 'push');
  const push = await h.waitFor('the push', async () => pushService.received.find((r) => r.url === `/push/${cid}`), 10_000);
  const ttl = Number(push.headers.ttl);
  assert.ok(ttl > 0 && ttl <= 300, `TTL ${ttl} within the code's life`);
  assert.equal(push.headers.urgency, 'high');
  assert.equal(push.headers['content-encoding'], 'aes128gcm', 'the payload is encrypted for the browser');
  const view = await a.ok<{ deliveries: { channel_type: string; status: string }[] }>('GET', `/v1/otp/${o.id}`);
  assert.deepEqual(view.deliveries.map((d) => d.channel_type), ['push']);
});
