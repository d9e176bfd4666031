import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { waitFor } from '../test-support/wait.js';
import { createReporter } from './report.js';

let t: TestApp;
let contactId: string;
let optedOutId: string;

before(async () => {
  t = await createTestApp({ sandbox: true });
  await t.startWorkers();
  const list = await t.call('POST', '/v1/lists', {
    name: 'Clientes', key_field: 'document_id', default_country: 'CO',
    fields: [{ key: 'document_id', type: 'text' }, { key: 'name', type: 'text' }, { key: 'balance', type: 'number' }],
  });
  assert.equal(list.statusCode, 201, list.body);
  const up = await t.call('PUT', `/v1/lists/${list.json().id}/contacts`, {
    contacts: [
      { document_id: '1', name: 'Ana Gómez', balance: 1234567.89, email: 'Ana@Example.COM', phone: '300 123 4567', consent_marketing: true, timezone: 'America/Bogota' },
      { document_id: '2', name: 'Luis', email: 'luis@example.com', phone: '3001234568', consent_marketing: false },
    ],
  });
  assert.equal(up.json().inserted, 2, up.body);
  const search = await t.call('POST', `/v1/lists/${list.json().id}/contacts/search`, { filter: { field: 'document_id', op: 'in', value: ['1', '2'] }, limit: 10 });
  const byKey = new Map<string, string>(search.json().contacts.map((c: { key: string; id: string }) => [c.key, c.id]));
  contactId = byKey.get('1')!;
  optedOutId = byKey.get('2')!;
});
after(async () => { await t.close(); });


async function message(id: string) {
  return (await t.call('GET', `/v1/messages/${id}`)).json();
}

test('an email to a contact travels render → gate → outbox → SMTP sink, with its timeline', async () => {
  const tpl = await t.call('POST', '/v1/templates', {
    name: 'Recibo', channel_type: 'email', subject: 'Hola {{ contact.name }}',
    body: '<p>Retiro de {{ data.amount }} en {{ account.name }}. <a href="https://bank.example/app">Ver</a></p>',
  });
  assert.equal(tpl.statusCode, 201, tpl.body);
  const receipt = Buffer.from('%PDF-1.4 comprobante 0001').toString('base64');
  const r = await t.call('POST', '/v1/messages', {
    contact_id: contactId, channel_type: 'email', template_id: tpl.json().id, category: 'transactional', data: { amount: '$ 200.000' },
    attachments: [{ filename: 'comprobante.pdf', content_type: 'application/pdf', content: receipt }],
  });
  assert.equal(r.statusCode, 202, r.body);
  assert.equal(r.json().status, 'queued');
  const id = r.json().id;
  const got = await waitFor('the sink', async () => {
    const s = (await t.call('GET', '/v1/sandbox/messages?channel_type=email&to=Ana@example.com')).json();
    return s.find((m: { message_id: string }) => m.message_id === id);
  });
  assert.equal(got.subject, 'Hola Ana Gómez');
  assert.match(got.text, /Retiro de \$ 200\.000/);
  assert.match(got.raw, /\/l\//, 'links are rewritten to tracked ones');
  assert.match(got.raw, /filename=comprobante\.pdf/);
  assert.ok(got.raw.replace(/\r?\n/g, '').includes(receipt), 'the attachment arrives byte for byte');
  const m = await waitFor('sent', async () => { const x = await message(id); return x.status === 'sent' ? x : undefined; });
  assert.deepEqual(m.events.map((e: { type: string }) => e.type), ['queued', 'sent']);
  assert.equal(m.to, 'Ana@example.com', 'the domain is lower-cased, the local part kept');
});

test('an SMS over SMPP reaches the SMSC and its delivery receipt marks it delivered', async () => {
  const r = await t.call('POST', '/v1/messages', { contact_id: contactId, channel_type: 'sms', content: { body: 'Hola {{ contact.name }}, saldo {{ contact.balance | money }}' }, category: 'transactional' });
  assert.equal(r.statusCode, 202, r.body);
  const id = r.json().id;
  const m = await waitFor('delivered', async () => { const x = await message(id); return x.status === 'delivered' ? x : undefined; });
  assert.equal(m.to, '+573001234567');
  assert.ok(m.events.some((e: { type: string }) => e.type === 'sent'));
  const sink = (await t.call('GET', '/v1/sandbox/messages?channel_type=sms')).json();
  // Formatted as the preview would: the list's default country (CO) gives es-CO money.
  assert.equal(sink.find((s: { message_id: string }) => s.message_id === id)?.text, 'Hola Ana Gómez, saldo $ 1.234.567,89');
});

test('Idempotency-Key: the same key and body answer the first response; another body is a 422', async () => {
  const body = { to: 'client@example.com', channel_type: 'email', content: { subject: 'S', text: 'T' }, category: 'transactional' };
  const a = await t.call('POST', '/v1/messages', body, { headers: { 'idempotency-key': 'k-1' } });
  const b = await t.call('POST', '/v1/messages', body, { headers: { 'idempotency-key': 'k-1' } });
  assert.equal(a.statusCode, 202);
  assert.deepEqual(b.json(), a.json());
  const c = await t.call('POST', '/v1/messages', { ...body, content: { subject: 'S', text: 'other' } }, { headers: { 'idempotency-key': 'k-1' } });
  assert.equal(c.statusCode, 422, c.body);
  assert.equal(c.json().error.code, 'idempotency_key_reused');
  const long = await t.call('POST', '/v1/messages', body, { headers: { 'idempotency-key': 'x'.repeat(256) } });
  assert.equal(long.statusCode, 400);
  const count = await t.db.pool.query("SELECT count(*)::int AS n FROM messages WHERE account_id = $1 AND to_address = 'client@example.com'", [t.accountId]);
  assert.equal(count.rows[0].n, 1, 'one message for one key');
});

test('marketing without consent is suppressed with its reason and never queued', async () => {
  const r = await t.call('POST', '/v1/messages', { contact_id: optedOutId, channel_type: 'email', content: { subject: 'Oferta', text: 'Crédito' }, category: 'marketing' });
  assert.equal(r.statusCode, 202, r.body);
  assert.equal(r.json().status, 'suppressed');
  const m = await message(r.json().id);
  assert.equal(m.policy.decision, 'suppress');
  const out = await t.db.pool.query('SELECT count(*)::int AS n FROM outbox WHERE message_id = $1', [r.json().id]);
  assert.equal(out.rows[0].n, 0);
});

test('a suppressed address stops the send and names its list', async () => {
  const s = await t.call('POST', '/v1/suppressions', { type: 'phone', value: '+573001234567', reason: 'RNE', list: 'RNE' });
  assert.equal(s.statusCode, 201, s.body);
  const r = await t.call('POST', '/v1/messages', { contact_id: contactId, channel_type: 'sms', content: { text: 'Oferta' }, category: 'marketing' });
  assert.equal(r.json().status, 'suppressed', r.body);
  const m = await message(r.json().id);
  assert.equal(m.policy.list, 'RNE');
  await t.call('DELETE', `/v1/suppressions/${s.json().id}`);
});

test('bad input: a 4xx naming the problem, nothing queued', async () => {
  const before = (await t.db.pool.query('SELECT count(*)::int AS n FROM messages')).rows[0].n;
  const cases: [object, number, string][] = [
    [{ to: 'a@b.co', channel_id: 'chn_nope', content: { text: 'x', subject: 's' }, category: 'transactional' }, 422, 'channel_id'],
    [{ to: 'a@b.co', channel_type: 'fax', content: { text: 'x' }, category: 'transactional' }, 422, 'channel_type'],
    [{ to: 'a@b.co', channel_type: 'email', template_id: 'tpl_nope', category: 'transactional' }, 422, 'template_id'],
    [{ to: 'not-an-email', channel_type: 'email', content: { text: 'x', subject: 's' }, category: 'transactional' }, 422, 'to'],
    [{ to: '12', channel_type: 'sms', content: { text: 'x' }, category: 'transactional' }, 422, 'to'],
    [{ channel_type: 'email', content: { text: 'x', subject: 's' }, category: 'transactional' }, 422, 'to'],
    [{ to: 'a@b.co', channel_type: 'email', content: { body: '{% if %}', subject: 's' }, category: 'transactional' }, 422, 'body'],
    [{ to: 'a@b.co', channel_type: 'email', content: { text: 'x', subject: 's' }, category: 'transactional', attachments: [{ filename: 'a.pdf', content_type: 'application/pdf', content: 'A'.repeat(14 * 1024 * 1024) }] }, 413, 'attachments[0]'],
    [{ to: 'a@b.co', channel_type: 'email', content: { text: 'x', subject: 's' }, category: 'urgent' }, 400, 'category'],
  ];
  for (const [body, status, field] of cases) {
    const r = await t.call('POST', '/v1/messages', body);
    assert.equal(r.statusCode, status, `${JSON.stringify(body).slice(0, 120)} → ${r.body}`);
    assert.match(r.body, new RegExp(field.replace(/[[\]]/g, '\\$&')), r.body);
  }
  const after = (await t.db.pool.query('SELECT count(*)::int AS n FROM messages')).rows[0].n;
  assert.equal(after, before);
});

test('channels: secrets are write-only, the newest of a kind is the default, another account sees none', async () => {
  const c = await t.call('POST', '/v1/channels', {
    name: 'Relay', type: 'smtp', cost_per_message: 0.001,
    config: { host: '127.0.0.1', port: 2525, from: 'Banco <no-reply@bank.example>', auth: { user: 'u', pass: 'p4ss' } },
  });
  assert.equal(c.statusCode, 201, c.body);
  assert.equal(c.json().config.auth.pass, '********');
  assert.doesNotMatch(c.body, /p4ss/);
  const list = (await t.call('GET', '/v1/channels')).json().channels;
  assert.ok(list.some((x: { id: string }) => x.id === c.json().id));
  const patched = await t.call('PATCH', `/v1/channels/${c.json().id}`, { config: { port: 2526, auth: { pass: '********' } } });
  assert.equal(patched.statusCode, 200, patched.body);
  const stored = await t.db.pool.query('SELECT config FROM channels WHERE id = $1', [c.json().id]);
  assert.equal(stored.rows[0].config.auth.pass, 'p4ss', 'a masked secret sent back keeps the stored one');
  assert.equal(stored.rows[0].config.port, 2526);
  const bad = await t.call('POST', '/v1/channels', { name: 'x', type: 'smtp', config: { host: '', port: 'x' } });
  assert.equal(bad.statusCode, 422);
  assert.match(bad.body, /config\./);
  const unknown = await t.call('POST', '/v1/channels', { name: 'x', type: 'pigeon', config: {} });
  assert.equal(unknown.statusCode, 422);
  assert.match(unknown.body, /type/);
  const other = await t.newAccount();
  assert.equal((await t.call('GET', `/v1/channels/${c.json().id}`, undefined, { key: other.key })).statusCode, 404);
  assert.equal((await t.call('DELETE', `/v1/channels/${c.json().id}`)).statusCode, 204);
});

test('quiet hours: a marketing send in a closed window is deferred to its opening, re-checked when due, then goes out', async () => {
  // A one-minute marketing window twelve hours from now in Bogotá: closed now, whatever the hour.
  const hour = (Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Bogota', hour: '2-digit', hourCycle: 'h23' }).format(new Date())) + 12) % 24;
  const hh = String(hour).padStart(2, '0');
  const p = await t.call('PATCH', '/v1/settings/policy', { sending_windows: [{ category: 'marketing', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: `${hh}:00`, to: `${hh}:01` }] });
  assert.equal(p.statusCode, 200, p.body);
  try {
    const r = await t.call('POST', '/v1/messages', { contact_id: contactId, channel_type: 'email', content: { subject: 'Oferta', text: 'Crédito' }, category: 'marketing' });
    assert.equal(r.json().status, 'deferred', r.body);
    const due = new Date(r.json().due_at);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Bogota', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(due);
    assert.equal(local, `${hh}:00`, 'due at the window opening, in the contact time zone');
    assert.ok(due.getTime() > Date.now() && due.getTime() - Date.now() <= 24 * 3600_000);
    const id = r.json().id;
    await new Promise((res) => setTimeout(res, 400));
    assert.equal((await message(id)).status, 'deferred', 'not sent inside quiet hours');
    // Coming due while the window is still closed (here: the row forced due early), it is checked
    // again and goes back to wait for the opening — never sent inside quiet hours.
    await t.db.pool.query('UPDATE outbox SET due_at = now() WHERE message_id = $1', [id]);
    const again = await waitFor('deferred again', async () => {
      const x = await message(id);
      return x.events.filter((e: { type: string }) => e.type === 'deferred').length === 2 ? x : undefined;
    });
    assert.equal(again.status, 'deferred');
    const back = await t.db.pool.query<{ due_at: Date }>('SELECT due_at FROM outbox WHERE message_id = $1', [id]);
    assert.equal(back.rows[0]!.due_at.getTime(), due.getTime(), 'back to the same opening');
    // The window opens (the policy now allows every hour) and the message comes due: it goes out.
    await t.call('PATCH', '/v1/settings/policy', { sending_windows: [{ category: 'marketing', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00' }] });
    await t.db.pool.query('UPDATE outbox SET due_at = now() WHERE message_id = $1', [id]);
    const m = await waitFor('sent', async () => { const x = await message(id); return x.status === 'sent' ? x : undefined; });
    assert.deepEqual(m.events.map((e: { type: string }) => e.type), ['deferred', 'deferred', 'sent']);
    assert.equal(m.events[0].detail.reason, 'quiet_hours');
  } finally {
    await t.call('PATCH', '/v1/settings/policy', { sending_windows: [] });
  }
});

test('delivery reports: a hard bounce suppresses the address, replays add nothing, statuses never move back', async () => {
  const report = createReporter(t.deps);
  const r = await t.call('POST', '/v1/messages', { to: 'gone@example.com', channel_type: 'email', content: { subject: 'S', text: 'T' }, category: 'transactional' });
  const id = r.json().id;
  await waitFor('sent', async () => ((await message(id)).status === 'sent' ? true : undefined));
  const bounce = { accountId: t.accountId, messageId: id, type: 'bounced' as const, detail: { class: 'hard', status: '5.1.1' } };
  await report(bounce);
  await report(bounce);
  const m = await message(id);
  assert.equal(m.status, 'bounced');
  assert.equal(m.events.filter((e: { type: string }) => e.type === 'bounced').length, 1, 'a replayed DSN records nothing new');
  const sup = (await t.call('GET', '/v1/suppressions?type=email&value=gone@example.com')).json();
  assert.equal(sup.suppressions.length, 1, JSON.stringify(sup));
  const next = await t.call('POST', '/v1/messages', { to: 'gone@example.com', channel_type: 'email', content: { subject: 'S', text: 'T' }, category: 'transactional' });
  assert.equal(next.json().status, 'suppressed');

  // SMPP receipts out of order: UNDELIV after DELIVRD leaves the message delivered.
  const sms = await t.call('POST', '/v1/messages', { to: '+573001112233', channel_type: 'sms', content: { text: 'x' }, category: 'transactional' });
  const smsId = sms.json().id;
  const delivered = await waitFor('delivered', async () => { const x = await message(smsId); return x.status === 'delivered' ? x : undefined; });
  const providerId = delivered.events.find((e: { type: string }) => e.type === 'sent').detail.provider_id;
  await report({ accountId: t.accountId, channelId: 'sandbox_sms', providerId, type: 'failed', detail: { stat: 'UNDELIV' } });
  const after = await message(smsId);
  assert.equal(after.status, 'delivered');
  assert.ok(after.events.some((e: { type: string; detail: { stat?: string } }) => e.type === 'failed' && e.detail.stat === 'UNDELIV'), 'the late receipt is on the timeline');

  // A soft bounce puts the message back in the outbox for a later try.
  const soft = await t.call('POST', '/v1/messages', { to: 'full@example.com', channel_type: 'email', content: { subject: 'S', text: 'T' }, category: 'transactional' });
  const softId = soft.json().id;
  await waitFor('sent', async () => ((await message(softId)).status === 'sent' ? true : undefined));
  await report({ accountId: t.accountId, messageId: softId, type: 'bounced', detail: { class: 'soft', status: '4.2.2' } });
  assert.equal((await message(softId)).status, 'sent');
  const retry = await t.db.pool.query<{ due: boolean }>(`SELECT due_at > now() + interval '20 minutes' AS due FROM outbox WHERE message_id = $1`, [softId]);
  assert.deepEqual(retry.rows, [{ due: true }]);
  // When the retry comes due it goes out under a new provider key, so a provider that drops
  // repeats (the sandbox does) takes it as the new attempt it is.
  await t.db.pool.query('UPDATE outbox SET due_at = now() WHERE message_id = $1', [softId]);
  const sunk = await waitFor('the resend at the sink', async () => {
    const r = await t.db.pool.query<{ message_id: string; duplicates: number }>(
      `SELECT message_id, duplicates FROM sandbox_messages WHERE to_address = 'full@example.com' ORDER BY received_at`);
    return r.rows.length === 2 ? r.rows : undefined;
  });
  assert.deepEqual(sunk, [{ message_id: softId, duplicates: 0 }, { message_id: `${softId}.r1`, duplicates: 0 }]);
});
