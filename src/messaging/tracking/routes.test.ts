import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { newId } from '../../core/ids.js';
import { newTrackingToken, saveTokens, trackContent, trackingRoutes, unsubscribeLinks, type TrackingToken } from './index.js';

let t: TestApp;
let contactId: string;

before(async () => {
  t = await createTestApp();
  // http/app.ts registers the plugin once it is wired in; until then the test does.
  if (!t.app.hasRoute({ method: 'GET', url: '/l/:token' })) await t.app.register(trackingRoutes, { deps: t.deps });
  const list = await t.call('POST', '/v1/lists', { name: 'Clientes', key_field: 'document_id', fields: [{ key: 'document_id', type: 'text', required: true }] });
  assert.equal(list.statusCode, 201, list.body);
  const up = await t.call('PUT', `/v1/lists/${list.json().id}/contacts`, {
    contacts: [{ document_id: '1001', email: 'ana@banco.co', consent_marketing: true }],
  });
  assert.equal(up.statusCode, 200, up.body);
  const { rows } = await t.db.pool.query<{ id: string }>('SELECT id FROM contacts WHERE account_id = $1', [t.accountId]);
  contactId = rows[0]!.id;
});
after(async () => { await t.close(); });

/** A sent message of the test account (the send path would have made it), its content tracked. */
async function sentMessage(opts: { kind?: 'email' | 'sms'; templateName?: string; source?: object; contact?: string | null } = {}) {
  const kind = opts.kind ?? 'email';
  const id = newId('msg');
  let templateId: string | null = null;
  if (opts.templateName) {
    templateId = newId('tpl');
    await t.db.pool.query(
      `INSERT INTO templates (account_id, id, name, channel_type, body) VALUES ($1, $2, $3, $4, 'x')`,
      [t.accountId, templateId, opts.templateName, kind],
    );
  }
  const tracked = trackContent(
    { subject: 'Tu tarjeta', html: '<body><a href="https://bank.co/card?x=1#apply">Pide</a></body>', text: 'Pide https://bank.co/card?x=1#apply' },
    kind,
    { publicUrl: t.deps.config.publicUrl, newToken: newTrackingToken, track: true },
  );
  const unsubscribe: TrackingToken = { token: newTrackingToken(), kind: 'unsubscribe', url: null };
  await t.db.pool.query(
    `INSERT INTO messages (account_id, id, contact_id, channel_id, channel_type, to_address, category, template_id, content, status, source)
     VALUES ($1, $2, $3, 'chn_test', $4, 'ana@banco.co', 'marketing', $5, $6, 'sent', $7)`,
    [t.accountId, id, opts.contact === undefined ? contactId : opts.contact, kind, templateId, JSON.stringify(tracked.content), opts.source ? JSON.stringify(opts.source) : null],
  );
  await saveTokens(t.db.pool, t.accountId, id, [...tracked.tokens, unsubscribe]);
  const token = (kind: string) => tracked.tokens.find((x) => x.kind === kind)?.token ?? '';
  return { id, link: token('link'), open: token('open'), unsubscribe: unsubscribe.token, content: tracked.content };
}

async function messageState(id: string) {
  const m = await t.db.pool.query<{ status: string }>('SELECT status FROM messages WHERE account_id = $1 AND id = $2', [t.accountId, id]);
  const e = await t.db.pool.query<{ type: string; detail: Record<string, unknown> }>(
    'SELECT type, detail FROM message_events WHERE account_id = $1 AND message_id = $2 ORDER BY seq', [t.accountId, id],
  );
  return { status: m.rows[0]?.status, events: e.rows };
}

async function consent(): Promise<unknown> {
  const { rows } = await t.db.pool.query<{ c: unknown }>(`SELECT data -> 'consent_marketing' AS c FROM contacts WHERE account_id = $1 AND id = $2`, [t.accountId, contactId]);
  return rows[0]?.c;
}

test('a click redirects to the target with UTM tags (fragment kept) and records a click each time', async () => {
  const m = await sentMessage({ templateName: 'Tarjeta oro' });
  assert.ok(m.content.html?.includes(`${t.deps.config.publicUrl}/l/${m.link}`));
  const r = await t.app.inject({ method: 'GET', url: `/l/${m.link}` });
  assert.equal(r.statusCode, 302);
  assert.equal(r.headers.location, 'https://bank.co/card?x=1&utm_source=conversa&utm_medium=email&utm_campaign=Tarjeta+oro#apply');
  await t.app.inject({ method: 'GET', url: `/l/${m.link}` });
  const s = await messageState(m.id);
  assert.equal(s.status, 'clicked');
  assert.deepEqual(s.events.map((e) => [e.type, e.detail.url]), [['clicked', 'https://bank.co/card?x=1#apply'], ['clicked', 'https://bank.co/card?x=1#apply']]);
  // A link checker's HEAD is not a click.
  assert.equal((await t.app.inject({ method: 'HEAD', url: `/l/${m.link}` })).statusCode, 302);
  assert.equal((await messageState(m.id)).events.length, 2);
});

test('SMS links: utm_medium is the channel, the campaign comes from the source, else "message"', async () => {
  const fromCampaign = await sentMessage({ kind: 'sms', source: { campaign: 'cdt-junio' } });
  assert.equal(fromCampaign.content.text, `Pide ${t.deps.config.publicUrl}/l/${fromCampaign.link}`);
  const r = await t.app.inject({ method: 'GET', url: `/l/${fromCampaign.link}` });
  assert.equal(r.headers.location, 'https://bank.co/card?x=1&utm_source=conversa&utm_medium=sms&utm_campaign=cdt-junio#apply');
  const plain = await sentMessage({ kind: 'sms' });
  const r2 = await t.app.inject({ method: 'GET', url: `/l/${plain.link}` });
  assert.match(r2.headers.location as string, /utm_campaign=message#apply$/);
});

test('a click does not move a status backwards', async () => {
  const m = await sentMessage();
  await t.db.pool.query(`UPDATE messages SET status = 'complained' WHERE account_id = $1 AND id = $2`, [t.accountId, m.id]);
  await t.app.inject({ method: 'GET', url: `/l/${m.link}` });
  const s = await messageState(m.id);
  assert.equal(s.status, 'complained');
  assert.deepEqual(s.events.map((e) => e.type), ['clicked']);
});

test('the open pixel is a no-store GIF; the first open is recorded once', async () => {
  const m = await sentMessage();
  for (let i = 0; i < 3; i++) {
    const r = await t.app.inject({ method: 'GET', url: `/o/${m.open}` });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'image/gif');
    assert.match(String(r.headers['cache-control']), /no-store/);
    assert.equal(r.rawPayload.subarray(0, 6).toString(), 'GIF89a');
  }
  const s = await messageState(m.id);
  assert.equal(s.status, 'opened');
  assert.deepEqual(s.events.map((e) => e.type), ['opened']);
});

test('unknown tokens: the same 404 page for links and unsubscribes, the same GIF for opens, nothing recorded', async () => {
  const m = await sentMessage();
  const before = await t.db.pool.query('SELECT count(*)::int AS n FROM message_events');
  const unknown = newTrackingToken();
  for (const url of [`/l/${unknown}`, '/l/x', `/l/${m.open}`, `/u/${unknown}`, `/u/${m.link}`]) {
    const r = await t.app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 404, url);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.equal(r.body, (await t.app.inject({ method: 'GET', url: '/l/x' })).body, 'no detail about which tokens exist');
  }
  assert.equal((await t.app.inject({ method: 'POST', url: `/u/${unknown}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })).statusCode, 404);
  const pixel = await t.app.inject({ method: 'GET', url: `/o/${unknown}` });
  assert.equal(pixel.statusCode, 200);
  assert.equal(pixel.headers['content-type'], 'image/gif');
  const real = await t.app.inject({ method: 'GET', url: `/o/${m.open}` });
  assert.deepEqual(pixel.rawPayload, real.rawPayload);
  const afterCount = await t.db.pool.query('SELECT count(*)::int AS n FROM message_events');
  assert.equal(afterCount.rows[0].n, before.rows[0].n + 1); // only the real open
});

test('GET /u shows a confirmation page and changes nothing; the page form unsubscribes', async () => {
  await t.db.pool.query(`UPDATE accounts SET name = $2 WHERE id = $1`, [t.accountId, 'Banco <Andino> & Cía']);
  const m = await sentMessage();
  assert.equal(unsubscribeLinks(t.deps.config.publicUrl, m.unsubscribe).unsubscribe, `${t.deps.config.publicUrl}/u/${m.unsubscribe}`);
  await t.db.pool.query(`UPDATE contacts SET data = data || '{"consent_marketing": true}' WHERE account_id = $1 AND id = $2`, [t.accountId, contactId]);

  const page = await t.app.inject({ method: 'GET', url: `/u/${m.unsubscribe}` });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Unsubscribe from marketing messages of Banco &lt;Andino&gt; &amp; Cía\?/);
  assert.match(page.body, /<form method="post">/);
  assert.equal(await consent(), true);
  assert.deepEqual((await messageState(m.id)).events, []);

  const done = await t.app.inject({ method: 'POST', url: `/u/${m.unsubscribe}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'confirm=yes' });
  assert.equal(done.statusCode, 200);
  assert.match(done.body, /You are unsubscribed/);
  assert.equal(await consent(), false);
  assert.deepEqual((await messageState(m.id)).events.map((e) => [e.type, e.detail.via]), [['unsubscribed', 'page']]);
  const again = await t.app.inject({ method: 'GET', url: `/u/${m.unsubscribe}` });
  assert.match(again.body, /You are unsubscribed/);
});

test('RFC 8058 one-click POST (urlencoded or multipart) opts out once: consent, event, audit; idempotent', async () => {
  await t.db.pool.query(`UPDATE contacts SET data = data || '{"consent_marketing": true}' WHERE account_id = $1 AND id = $2`, [t.accountId, contactId]);
  const auditBefore = await t.db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE account_id = $1 AND action = 'contact.unsubscribed'`, [t.accountId]);
  const m = await sentMessage();
  const r = await t.app.inject({
    method: 'POST', url: `/u/${m.unsubscribe}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click',
  });
  assert.equal(r.statusCode, 200);
  assert.equal(r.body, '');
  assert.equal(await consent(), false);

  const boundary = 'x1234';
  const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
  const again = await t.app.inject({ method: 'POST', url: `/u/${m.unsubscribe}`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart });
  assert.equal(again.statusCode, 200);
  assert.equal(again.body, '');

  assert.deepEqual((await messageState(m.id)).events.map((e) => [e.type, e.detail.via]), [['unsubscribed', 'one-click']]);
  const audit = await t.db.pool.query<{ actor: string; target: string; detail: { message_id: string } }>(
    `SELECT actor, target, detail FROM audit_log WHERE account_id = $1 AND action = 'contact.unsubscribed' ORDER BY id`, [t.accountId],
  );
  assert.equal(audit.rows.length, auditBefore.rows[0].n + 1);
  const last = audit.rows.at(-1)!;
  assert.deepEqual([last.actor, last.target, last.detail.message_id], ['contact', contactId, m.id]);
});

test('a token of another account opts out only that account\'s contact', async () => {
  const other = await t.newAccount();
  await t.db.pool.query(`UPDATE contacts SET data = data || '{"consent_marketing": true}' WHERE account_id = $1 AND id = $2`, [t.accountId, contactId]);
  // A message of the other account that (wrongly) names our contact id: the update is scoped by account.
  const id = newId('msg');
  await t.db.pool.query(
    `INSERT INTO messages (account_id, id, contact_id, channel_id, channel_type, to_address, category, content, status)
     VALUES ($1, $2, $3, 'chn_x', 'email', 'x@y.co', 'marketing', '{"text": ""}', 'sent')`,
    [other.id, id, contactId],
  );
  const token = newTrackingToken();
  await saveTokens(t.db.pool, other.id, id, [{ token, kind: 'unsubscribe', url: null }]);
  const r = await t.app.inject({ method: 'POST', url: `/u/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
  assert.equal(r.statusCode, 200);
  assert.equal(await consent(), true);
});

test('a message without a contact has no unsubscribe page', async () => {
  const m = await sentMessage({ contact: null });
  assert.equal((await t.app.inject({ method: 'GET', url: `/u/${m.unsubscribe}` })).statusCode, 404);
});
