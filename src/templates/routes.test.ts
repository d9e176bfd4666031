import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { templateRoutes } from './index.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
  // Mount the module unless http/app.ts already does (it will once the integrator wires it in).
  await t.app.register(async (scope) => {
    if (!scope.hasRoute({ method: 'POST', url: '/v1/templates' })) await scope.register(templateRoutes, { prefix: '/v1', deps: t.deps });
  });
});
after(async () => { await t.close(); });

async function create(body: object, key?: string) {
  const r = await t.call('POST', '/v1/templates', body, key ? { key } : {});
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

async function newContact(fields: Record<string, unknown>, listBody: object = { name: `L${Math.random()}`, key_field: 'doc', default_country: 'CO', fields: [{ key: 'doc', type: 'text' }, { key: 'name', type: 'text' }, { key: 'balance', type: 'number' }, { key: 'due_date', type: 'date' }] }) {
  const l = await t.call('POST', '/v1/lists', listBody);
  assert.equal(l.statusCode, 201, l.body);
  const up = await t.call('PUT', `/v1/lists/${l.json().id}/contacts`, { contacts: [fields] });
  assert.equal(up.json().inserted, 1, up.body);
  const { rows } = await t.db.pool.query(`SELECT id FROM contacts WHERE list_id = $1`, [l.json().id]);
  return rows[0].id as string;
}

test('create, read, list, update and soft-delete a template; provider types are stored as kinds', async () => {
  const tpl = await create({ name: 'aviso-sms', channel_type: 'smpp', body: 'Hola {{ contact.name }}' });
  assert.match(tpl.id, /^tpl_/);
  assert.equal(tpl.channel_type, 'sms');
  assert.equal(tpl.format, 'text');
  assert.equal((await create({ name: 'bienvenida', channel_type: 'smtp', subject: 'Hola', body: '<mjml><mj-body></mj-body></mjml>' })).channel_type, 'email');
  assert.equal((await create({ name: 'push-1', channel_type: 'web_push', body: 'x' })).channel_type, 'push');
  assert.equal((await create({ name: 'sms-http', channel_type: 'http_sms', body: 'x' })).channel_type, 'sms');

  assert.equal((await t.call('GET', `/v1/templates/${tpl.id}`)).json().body, 'Hola {{ contact.name }}');
  assert.ok((await t.call('GET', '/v1/templates')).json().templates.some((x: { id: string }) => x.id === tpl.id));

  const upd = await t.call('PATCH', `/v1/templates/${tpl.id}`, { body: 'Hola {{ contact.name }}, saldo {{ contact.balance | money }}' });
  assert.equal(upd.statusCode, 200, upd.body);
  assert.match(upd.json().body, /money/);
  assert.equal(upd.json().name, 'aviso-sms');

  assert.equal((await t.call('DELETE', `/v1/templates/${tpl.id}`)).statusCode, 204);
  assert.equal((await t.call('GET', `/v1/templates/${tpl.id}`)).statusCode, 404);
  assert.ok(!(await t.call('GET', '/v1/templates')).json().templates.some((x: { id: string }) => x.id === tpl.id));
  const { rows } = await t.db.pool.query(`SELECT deleted_at FROM templates WHERE id = $1`, [tpl.id]);
  assert.ok(rows[0].deleted_at, 'the row stays, marked deleted');
  // The name is free again once its template is deleted.
  await create({ name: 'aviso-sms', channel_type: 'sms', body: 'otra' });
});

test('bad input is 422 naming the field; syntax errors name the line', async () => {
  const cases: [object, string, RegExp][] = [
    [{ name: 'a', channel_type: 'fax', body: 'x' }, 'channel_type', /"fax" is not a channel type/],
    [{ name: 'a', channel_type: 'sms' }, 'body', /is required/],
    [{ name: 'a', channel_type: 'sms', body: '   ' }, 'body', /is required/],
    [{ name: 'a', channel_type: 'email', body: 'x' }, 'subject', /is required for email/],
    [{ name: 'a', channel_type: 'sms', body: 'Hola\n{% if x %}\nsi\n{% endif %}\n{% endif %}' }, 'body', /^body line 5: unexpected "endif"$/],
    [{ name: 'a', channel_type: 'email', subject: 'Hola {{ contact.name | nope }}', body: 'x' }, 'subject', /^subject line 1: unknown filter "nope"$/],
    [{ name: 'a', channel_type: 'email', subject: 's', body: '<mjml><mj-body>\n<mj-text>x</mj-text>\n</mj-body></mjml>' }, 'body', /^body line 2: MJML: mj-text cannot be used inside mj-body/],
    [{ name: 'a', channel_type: 'sms', body: '{% for i in (1..100000000) %}x{% endfor %}' }, 'body', /builds too much/],
    [{ name: 'a', channel_type: 'db_update', body: '{"paid": "{{ data.x }}"}' }, 'body', /does not render to JSON/],
  ];
  for (const [body, field, message] of cases) {
    const r = await t.call('POST', '/v1/templates', body);
    assert.equal(r.statusCode, 422, `${field}: ${r.body}`);
    const e = r.json().error;
    assert.equal(e.code, 'invalid_request');
    assert.equal(e.details[0].field, field);
    assert.match(e.message, message);
  }
  const lined = (await t.call('POST', '/v1/templates', { name: 'a', channel_type: 'sms', body: 'a\n{% endif %}' })).json().error;
  assert.equal(lined.details[0].line, 2);
  // A bad update leaves the template as it was.
  const tpl = await create({ name: 'keeps', channel_type: 'sms', body: 'ok' });
  assert.equal((await t.call('PATCH', `/v1/templates/${tpl.id}`, { body: '{% if %}' })).statusCode, 422);
  assert.equal((await t.call('GET', `/v1/templates/${tpl.id}`)).json().body, 'ok');
  // Names are how partials are found: two live templates may not share one.
  const dup = await t.call('POST', '/v1/templates', { name: 'keeps', channel_type: 'sms', body: 'x' });
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().error.details[0].field, 'name');
});

test('another account\'s templates are 404, and its partials are invisible', async () => {
  const other = await t.newAccount();
  const theirs = await create({ name: 'pie-de-pagina', channel_type: 'sms', body: 'SECRETO de otro banco' }, other.key);
  for (const [method, url, body] of [['GET', `/v1/templates/${theirs.id}`], ['PATCH', `/v1/templates/${theirs.id}`, { body: 'x' }], ['DELETE', `/v1/templates/${theirs.id}`], ['POST', `/v1/templates/${theirs.id}/preview`, {}]] as const) {
    const r = await t.call(method, url, body);
    assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
  }
  assert.ok(!(await t.call('GET', '/v1/templates')).json().templates.some((x: { id: string }) => x.id === theirs.id));

  // Our template renders a partial by the same name: theirs is not found, ours is used once it exists.
  const mine = await create({ name: 'con-pie', channel_type: 'sms', body: 'Hola {% render "pie-de-pagina" %}' });
  const before = await t.call('POST', `/v1/templates/${mine.id}/preview`, {});
  assert.equal(before.statusCode, 422, before.body);
  assert.equal(before.json().error.message, 'body line 1: partial "pie-de-pagina" not found');
  await create({ name: 'pie-de-pagina', channel_type: 'sms', body: 'Banco Andino' });
  assert.equal((await t.call('POST', `/v1/templates/${mine.id}/preview`, {})).json().text, 'Hola Banco Andino');
  // Their contact is not ours to preview with either.
  const list = await t.call('POST', '/v1/lists', { name: 'theirs', key_field: 'doc', fields: [{ key: 'doc', type: 'text' }] }, { key: other.key });
  await t.call('PUT', `/v1/lists/${list.json().id}/contacts`, { contacts: [{ doc: '1' }] }, { key: other.key });
  const { rows } = await t.db.pool.query(`SELECT id FROM contacts WHERE list_id = $1`, [list.json().id]);
  const r = await t.call('POST', `/v1/templates/${mine.id}/preview`, { contact_id: rows[0].id });
  assert.equal(r.statusCode, 404, r.body);
  assert.equal(r.json().error.message, 'contact not found');
});

test('preview for a contact uses its fields, language and time zone; sms shows segments and cost', async () => {
  const contactId = await newContact({ doc: '1001', name: 'Ana', balance: 1234567.89, due_date: '2026-03-15', language: 'es', timezone: 'America/Bogota' });
  const tpl = await create({
    name: 'cobro', channel_type: 'sms',
    body: '{{ account.name }}: {{ contact.name }}, su saldo {{ contact.balance | money }} vence {{ contact.due_date | local_date }}. Pague {{ data.link }}',
  });
  // The default SMS channel is the newest live one: 0.012 per segment (a newer deleted one does not count).
  await t.db.pool.query(
    `INSERT INTO channels (account_id, id, name, type, kind, config, cost_per_message, created_at, deleted_at) VALUES
       ($1, 'ch_old', 'old', 'smpp', 'sms', '{}', 0.05, now() - interval '2 days', NULL),
       ($1, 'ch_new', 'new', 'http_sms', 'sms', '{}', 0.012, now() - interval '1 day', NULL),
       ($1, 'ch_gone', 'gone', 'smpp', 'sms', '{}', 9, now(), now())`,
    [t.accountId],
  );
  const r = await t.call('POST', `/v1/templates/${tpl.id}/preview`, { contact_id: contactId, data: { link: 'https://b.co/p' } });
  assert.equal(r.statusCode, 200, r.body);
  const p = r.json();
  const { rows } = await t.db.pool.query(`SELECT name FROM accounts WHERE id = $1`, [t.accountId]);
  assert.equal(p.text, `${rows[0].name}: Ana, su saldo $ 1.234.567,89 vence 15/03/2026. Pague https://b.co/p`);
  assert.equal(p.sms.encoding, 'GSM-7');
  assert.equal(p.sms.segments, 1);
  assert.equal(p.sms.characters, p.text.length);
  assert.equal(p.sms.cost, 0.012);

  // Long and with an accent: UCS-2, three parts, three times the cost.
  const long = await create({ name: 'largo', channel_type: 'sms', body: `Señora {{ contact.name }}: ${'á'.repeat(150)}` });
  const lp = (await t.call('POST', `/v1/templates/${long.id}/preview`, { contact_id: contactId })).json();
  assert.equal(lp.sms.encoding, 'UCS-2');
  assert.equal(lp.sms.segments, 3);
  assert.equal(lp.sms.cost, 0.036);

  // An English-speaking contact in New York reads the same template the American way.
  const enId = await newContact({ doc: '2002', name: 'Bob', balance: 99.5, due_date: '2026-03-15', language: 'en', country: 'US', timezone: 'America/New_York' });
  const en = (await t.call('POST', `/v1/templates/${tpl.id}/preview`, { contact_id: enId, data: { link: 'x' } })).json();
  assert.match(en.text, /Bob, su saldo \$99\.50 vence 03\/15\/2026/);
});

test('preview without a contact uses the account\'s country and time zone; email shows html and text', async () => {
  await t.db.pool.query(`UPDATE accounts SET country = 'CO', timezone = 'America/Bogota' WHERE id = $1`, [t.accountId]);
  const tpl = await create({
    name: 'correo', channel_type: 'email', subject: 'Pago de {{ data.amount | money }}',
    body: '<mjml><mj-body><mj-section><mj-column><mj-text>Recibimos {{ data.amount | money }} el {{ data.at | local_datetime }}; código {{ otp.code }}. <a href="{{ unsubscribe_url }}">Salir</a></mj-text></mj-column></mj-section></mj-body></mjml>',
  });
  assert.equal(tpl.format, 'mjml');
  const r = await t.call('POST', `/v1/templates/${tpl.id}/preview`, { data: { amount: 250000, at: '2026-03-15T14:30:00Z' } });
  assert.equal(r.statusCode, 200, r.body);
  const p = r.json();
  assert.equal(p.subject, 'Pago de $ 250.000');
  assert.match(p.html, /Recibimos \$ 250\.000 el 15\/03\/2026, 9:30 a\. m\./);
  assert.match(p.text, /Recibimos \$ 250\.000 el 15\/03\/2026, 9:30 a\. m\.; código 123456\./);
  assert.match(p.html, /href="http[^"]*\/u\/preview"/);
  assert.equal(p.sms, undefined);

  const missing = await t.call('POST', `/v1/templates/${tpl.id}/preview`, { contact_id: 'ct_nope' });
  assert.equal(missing.statusCode, 404);
});

test('a viewer may preview but not write', async () => {
  const tpl = await create({ name: 'ver', channel_type: 'sms', body: 'x' });
  const key = await viewerKey();
  assert.equal((await t.call('POST', `/v1/templates/${tpl.id}/preview`, {}, { key })).statusCode, 200);
  assert.equal((await t.call('GET', `/v1/templates/${tpl.id}`, undefined, { key })).statusCode, 200);
  assert.equal((await t.call('POST', '/v1/templates', { name: 'v2', channel_type: 'sms', body: 'x' }, { key })).statusCode, 403);
  assert.equal((await t.call('DELETE', `/v1/templates/${tpl.id}`, undefined, { key })).statusCode, 403);
});

async function viewerKey(): Promise<string> {
  const r = await t.call('POST', '/v1/api_keys', { name: 'viewer', role: 'viewer' });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().key;
}

test('a draft previews like a saved template: email (MJML and HTML), with the account defaults', async () => {
  await t.db.pool.query(`UPDATE accounts SET country = 'CO', timezone = 'America/Bogota' WHERE id = $1`, [t.accountId]);
  const draft = {
    channel_type: 'smtp', subject: 'Pago de {{ data.amount | money }}',
    body: '<mjml><mj-body><mj-section><mj-column><mj-text>Recibimos {{ data.amount | money }} el {{ data.at | local_datetime }}; código {{ otp.code }}. <a href="{{ unsubscribe_url }}">Salir</a></mj-text></mj-column></mj-section></mj-body></mjml>',
  };
  const data = { amount: 250000, at: '2026-03-15T14:30:00Z' };
  const countRows = async () => (await t.db.pool.query(`SELECT count(*)::int AS n FROM templates WHERE account_id = $1`, [t.accountId])).rows[0].n as number;
  const rowsBefore = await countRows();
  const r = await t.call('POST', '/v1/templates/preview', { ...draft, data });
  assert.equal(r.statusCode, 200, r.body);
  const p = r.json();
  assert.equal(p.subject, 'Pago de $ 250.000');
  assert.match(p.html, /Recibimos \$ 250\.000 el 15\/03\/2026, 9:30 a\. m\./);
  assert.match(p.text, /código 123456\./);
  assert.match(p.html, /href="http[^"]*\/u\/preview"/);
  assert.equal(p.sms, undefined);
  // Nothing was saved, and the same template once saved previews identically.
  assert.equal(await countRows(), rowsBefore);
  const saved = await create({ name: 'draft-then-saved', ...draft });
  assert.deepEqual((await t.call('POST', `/v1/templates/${saved.id}/preview`, { data })).json(), p);

  // HTML for a contact: the contact's fields; no subject yet is fine while drafting.
  const contactId = await newContact({ doc: '3003', name: 'Lucía' });
  const html = await t.call('POST', '/v1/templates/preview', { channel_type: 'email', body: '<p>Hola {{ contact.name }}</p>', contact_id: contactId });
  assert.equal(html.statusCode, 200, html.body);
  assert.equal(html.json().html, '<p>Hola Lucía</p>');
  assert.equal(html.json().text, 'Hola Lucía');
  assert.equal(html.json().subject, undefined);
});

test('a draft SMS preview counts segments and prices them with the default SMS channel', async () => {
  await t.db.pool.query(
    `INSERT INTO channels (account_id, id, name, type, kind, config, cost_per_message, created_at) VALUES ($1, 'ch_draft_sms', 'sms', 'smpp', 'sms', '{}', 0.01, now() + interval '1 hour')`,
    [t.accountId],
  );
  const r = await t.call('POST', '/v1/templates/preview', { channel_type: 'sms', body: `Hola {{ data.name }}: ${'x'.repeat(200)}`, data: { name: 'Ana' } });
  assert.equal(r.statusCode, 200, r.body);
  const p = r.json();
  assert.equal(p.text, `Hola Ana: ${'x'.repeat(200)}`);
  assert.deepEqual(p.sms, { encoding: 'GSM-7', characters: 210, segments: 2, per_segment: 153, cost: 0.02 });
  await t.db.pool.query(`DELETE FROM channels WHERE id = 'ch_draft_sms'`);
});

test('a broken draft is 422 naming the part and line; bad fields and an unknown contact name their field', async () => {
  const broken = await t.call('POST', '/v1/templates/preview', { channel_type: 'sms', body: 'Hola\n{% if x %}\nsi\n{% endif %}\n{% endif %}' });
  assert.equal(broken.statusCode, 422, broken.body);
  assert.equal(broken.json().error.message, 'body line 5: unexpected "endif"');
  assert.deepEqual(broken.json().error.details[0], { field: 'body', line: 5, message: 'line 5: unexpected "endif"' });
  const subject = await t.call('POST', '/v1/templates/preview', { channel_type: 'email', subject: 'Hola\n{{ x | nope }}', body: 'x' });
  assert.equal(subject.statusCode, 422, subject.body);
  assert.equal(subject.json().error.message, 'subject line 2: unknown filter "nope"');

  const cases: [object, number, string][] = [
    [{ channel_type: 'fax', body: 'x' }, 422, 'channel_type'],
    [{ channel_type: 'sms', body: '  ' }, 422, 'body'],
    [{ channel_type: 'sms' }, 422, 'body'],
    [{ channel_type: 'sms', body: 'x', name: 'not a preview field' }, 400, 'body'],
    [{ channel_type: 'sms', body: 'x', contact_id: 'ct_nope' }, 404, 'contact_id'],
  ];
  for (const [body, status, field] of cases) {
    const r = await t.call('POST', '/v1/templates/preview', body);
    assert.equal(r.statusCode, status, `${JSON.stringify(body)}: ${r.body}`);
    if (status !== 400) assert.equal(r.json().error.details[0].field, field, r.body);
  }
  // Another account's contact is as unknown as one that never existed.
  const other = await t.newAccount();
  const list = await t.call('POST', '/v1/lists', { name: 'ajena', key_field: 'doc', fields: [{ key: 'doc', type: 'text' }] }, { key: other.key });
  await t.call('PUT', `/v1/lists/${list.json().id}/contacts`, { contacts: [{ doc: '9' }] }, { key: other.key });
  const { rows } = await t.db.pool.query(`SELECT id FROM contacts WHERE list_id = $1`, [list.json().id]);
  const theirs = await t.call('POST', '/v1/templates/preview', { channel_type: 'sms', body: 'x', contact_id: rows[0].id });
  assert.equal(theirs.statusCode, 404, theirs.body);
  assert.equal(theirs.json().error.details[0].field, 'contact_id');
});

test('the static /templates/preview does not collide with /templates/:id; a viewer may use it', async () => {
  const key = await viewerKey();
  assert.equal((await t.call('POST', '/v1/templates/preview', { channel_type: 'sms', body: 'x' }, { key })).statusCode, 200);
  // The draft route is not a template id: the id routes still answer for real ids only.
  const tpl = await create({ name: 'rutas', channel_type: 'sms', body: 'guardada' });
  assert.equal((await t.call('POST', `/v1/templates/${tpl.id}/preview`, {})).json().text, 'guardada');
  assert.equal((await t.call('POST', '/v1/templates/preview', { channel_type: 'sms', body: 'borrador' })).json().text, 'borrador');
  const get = await t.call('GET', '/v1/templates/preview');
  assert.equal(get.statusCode, 404, 'GET reads "preview" as an id that does not exist');
  assert.equal(get.json().error.message, 'template not found');
  assert.equal((await t.call('POST', '/v1/templates/preview/preview', {})).statusCode, 404);
  // The routes as registered: the static one next to the parametric one.
  assert.ok(t.app.hasRoute({ method: 'POST', url: '/v1/templates/preview' }));
  assert.ok(t.app.hasRoute({ method: 'POST', url: '/v1/templates/:id/preview' }));
});
