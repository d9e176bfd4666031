// The nine ready-made flows of examples/flows/, run for real: published on a real list with real
// templates, started by real events and scheduled entries, sending through the outbox to the
// sandbox sinks (SMTP, SMPP with receipts) and to local stand-ins of the push service, the voice
// provider and the bank's APIs. Days of waiting are skipped with a fast clock (advanceTimers: the
// run's timer is made due now). src/flows/simulate-examples.test.ts plays the same files on the
// simulator; this file checks the real path agrees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { TestApp } from '../src/test-support/app.js';
import type { Received } from '../src/test-support/channels.js';
import type { ExampleAccount } from '../src/test-support/flows.js';

// The channel providers read the operator's SSRF allow list when their modules load: loopback
// must be open before they do, for the local push service and voice provider below.
process.env.CONVERSA_SSRF_ALLOW = '127.0.0.0/8';
const { createTestApp } = await import('../src/test-support/app.js');
const { recordingServer } = await import('../src/test-support/channels.js');
const h = await import('../src/test-support/flows.js');

let t: TestApp;
/** Local stand-ins: a push service, a voice provider, the bank's core and collections APIs. */
let push: Awaited<ReturnType<typeof recordingServer>>;
let voice: Awaited<ReturnType<typeof recordingServer>>;
let bank: Awaited<ReturnType<typeof recordingServer>>;

before(async () => {
  t = await createTestApp({ sandbox: true, config: { ssrfAllow: ['127.0.0.0/8'] } });
  await t.startWorkers();
  push = await recordingServer((_r, res) => { res.writeHead(201).end(); });
  let calls = 0;
  voice = await recordingServer((_r, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ call_id: `call-${++calls}` })); });
  bank = await recordingServer(bankApi);
});
after(async () => {
  await t.close();
  await Promise.all([push.close(), voice.close(), bank.close()]);
});

/** Whether the bank's core answers: a scenario takes it down to see a failed block handled. */
let coreDown = false;

/** The bank's APIs: blocking a transaction (503 while the core is down) and opening a collections case. */
function bankApi(r: Received, res: ServerResponse): void {
  const json = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  if (/^\/api\/v1\/transactions\/[^/]+\/block$/.test(r.url)) json(coreDown ? 503 : 200, coreDown ? { error: 'core unavailable' } : { blocked: true });
  else if (r.url === '/api/cases') json(201, { case_id: 'case-1' });
  else json(404, { error: 'not found' });
}
const blockCalls = () => bank.received.filter((r) => /^\/api\/v1\/transactions\/[^/]+\/block$/.test(r.url));

/** What the checks at the end of the file read from the scenarios. */
const seen: { nps?: { a: ExampleAccount; listId: string; paula: string }; click?: { a: ExampleAccount; clicker: string; template: string }; agency?: { iris: string; due: string } } = {};

const callsTo = (phone: string) => voice.received.filter((r) => h.jsonBody(r).to === phone).map((r) => h.jsonBody(r));
const kinds = (ms: { channel_type: string }[]) => ms.map((m) => m.channel_type);

test('01 statement: cheapest channel that confirms, reminders on the due dates, calls until the payment ends it', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('01');
  const a = await h.exampleAccount(t, 'Banco 01');
  // Push is the cheapest kind (no subscription here: it fails and the email takes over), the call the dearest.
  await h.pushChannel(a, 0);
  await h.voiceChannel(a, `${voice.base}/calls`, 0.12);
  const listId = await h.exampleList(a, 'Tarjetahabientes', ex.list_fields);
  const tpl = await h.exampleTemplates(a, ex.definition, {
    tpl_statement_email: 'Su estado de cuenta, {{ contact.name }}: pago mínimo {{ contact.minimum_payment }} antes del {{ contact.due_date }}',
    tpl_statement_sms: 'Estado de cuenta: pago minimo {{ contact.minimum_payment }}',
    tpl_statement_push: 'Su estado de cuenta está listo',
    tpl_reminder_before_push: 'Su pago vence en 3 días', tpl_reminder_before_email: 'Recordatorio, {{ contact.name }}: su pago vence el {{ contact.due_date }}', tpl_reminder_before_sms: 'Su pago vence el {{ contact.due_date }}',
    tpl_reminder_due_push: 'Su pago vence hoy', tpl_reminder_due_email: 'Hoy vence su pago, {{ contact.name }}', tpl_reminder_due_sms: 'Hoy vence su pago',
    tpl_reminder_overdue_push: 'Su pago está vencido', tpl_reminder_overdue_email: 'Pago vencido, {{ contact.name }}', tpl_reminder_overdue_sms: 'Su pago esta vencido',
    tpl_collection_call: 'Hola {{ contact.name }}, le llamamos del banco por su pago de {{ contact.minimum_payment }} pesos.',
  });
  const flowId = await h.publishFlow(a, ex.name, listId, h.withIds(ex.definition, tpl));
  const dueDate = h.localDay(a.timezone, 10);
  const ids = await h.addContacts(a, listId, [
    { doc: 'ana', name: 'Ana', email: 'ana@example.com', phone: '3001234567', due_date: dueDate, paid: false, minimum_payment: 120000 },
    { doc: 'luis', name: 'Luis', email: 'luis@example.com', due_date: dueDate, paid: false, minimum_payment: 80000 },
  ]);
  const ana = ids.ana!;
  const luis = ids.luis!;
  await h.postEvent(a, 'statement.issued', ana, { period: '2026-11' });
  await h.postEvent(a, 'statement.issued', luis, { period: '2026-11' });

  // Ana: statement and three reminders, each push (no subscription: failed) then email (accepted: delivered).
  await h.skipWait(a, flowId, ana, 'wait_before_due');
  await h.skipWait(a, flowId, ana, 'wait_due_day');
  await h.skipWait(a, flowId, ana, 'wait_after_due');
  await h.skipWait(a, flowId, ana, 'wait_3_days');
  // The first call goes out; three days later, the payment arrives: the goal pulls her out.
  const calling = await h.waitForRun(a, flowId, ana, 'the first call made', h.waitingAt('wait_3_days', 2));
  await h.postEvent(a, 'payment.received', ana, { amount: 120000 });
  const done = await h.waitForRun(a, flowId, ana, 'the goal', h.endedAs('exited'));
  assert.equal(done.id, calling.id);
  assert.deepEqual(h.pathOf(done), [
    'statement:sent', 'statement:failed', 'statement:sent', 'statement:delivered',
    'wait_before_due:waiting', 'wait_before_due:timer', 'paid_before:default',
    'remind_before:sent', 'remind_before:failed', 'remind_before:sent', 'remind_before:delivered',
    'wait_due_day:waiting', 'wait_due_day:timer', 'paid_on_due:default',
    'remind_due:sent', 'remind_due:failed', 'remind_due:sent', 'remind_due:delivered',
    'wait_after_due:waiting', 'wait_after_due:timer', 'paid_after:default',
    'remind_after:sent', 'remind_after:failed', 'remind_after:sent', 'remind_after:delivered',
    'wait_3_days:waiting', 'wait_3_days:timer', 'paid_before_call:default', 'call_count:next', 'call:sent',
    'wait_3_days:waiting', 'wait_3_days:exited',
  ]);
  const call = await h.waitFor('the call placed', async () => callsTo('+573001234567')[0]);
  assert.equal(call.text, 'Hola Ana, le llamamos del banco por su pago de 120000 pesos.');
  assert.equal(callsTo('+573001234567').length, 1);
  const msgs = await h.waitFor('the call recorded', async () => {
    const m = await h.messagesOf(a, ana);
    return m.at(-1)?.status === 'sent' ? m : undefined;
  });
  assert.deepEqual(msgs.map((m) => `${m.channel_type}:${m.status}`), [
    'push:failed', 'email:sent', 'push:failed', 'email:sent', 'push:failed', 'email:sent', 'push:failed', 'email:sent', 'voice:sent',
  ]);
  assert.deepEqual(msgs.map((m) => m.template_id), [
    tpl.tpl_statement_push, tpl.tpl_statement_email, tpl.tpl_reminder_before_push, tpl.tpl_reminder_before_email,
    tpl.tpl_reminder_due_push, tpl.tpl_reminder_due_email, tpl.tpl_reminder_overdue_push, tpl.tpl_reminder_overdue_email, tpl.tpl_collection_call,
  ]);
  assert.ok(msgs.every((m) => m.category === 'transactional'));
  const mails = await h.waitForSandbox(a, 'ana@example.com', 4);
  assert.equal(mails[0]!.subject, `Su estado de cuenta, Ana: pago mínimo 120000 antes del ${dueDate}`);

  // Luis pays before the first reminder (the bank marks it): the branch ends his run there.
  await h.waitForRun(a, flowId, luis, 'waiting before the due date', h.waitingAt('wait_before_due'));
  await a.ok('PATCH', `/v1/contacts/${luis}`, { paid: true });
  await h.skipWait(a, flowId, luis, 'wait_before_due');
  const paid = await h.waitForRun(a, flowId, luis, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(paid).slice(-3), ['wait_before_due:timer', 'paid_before:branch_0', 'done:exit']);
  assert.deepEqual(kinds(await h.messagesOf(a, luis)), ['push', 'email'], 'only the statement');
});

test('02 OTP: push when subscribed; else no email, an SMS gateway that never confirms, the call; nothing at all → otp.undeliverable', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('02');
  const a = await h.exampleAccount(t, 'Banco 02');
  await h.pushChannel(a, 0);
  await h.voiceChannel(a, `${voice.base}/calls`, 0.12);
  // An HTTP SMS gateway that accepts and never sends a delivery receipt: only the 30 s window moves on.
  let sms = 0;
  const gateway = await recordingServer((_r, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `gw-${++sms}` })); });
  try {
    await a.ok('POST', '/v1/channels', {
      name: 'Gateway', type: 'http_sms', cost_per_message: 0.02,
      config: { url: `${gateway.base}/sms`, method: 'POST', body: '{"to": "{{ to }}", "text": "{{ text }}", "ref": "{{ id }}"}', response_id_path: 'id' },
    });
    const listId = await h.exampleList(a, 'Clientes app', ex.list_fields);
    const tpl = await h.exampleTemplates(a, ex.definition, {
      tpl_otp_push: 'Su código es {{ data.code }}', tpl_otp_email: 'Código {{ data.code }}: vence en {{ data.expires_in_minutes }} minutos',
      tpl_otp_sms: 'Banco: su codigo es {{ data.code }}', tpl_otp_voice: 'Su código es {{ data.code | split: "" | join: " " }}',
    });
    const flowId = await h.publishFlow(a, ex.name, listId, h.withIds(ex.definition, tpl));
    const ids = await h.addContacts(a, listId, [
      { doc: 'app', name: 'Con app', email: 'app@example.com', phone: '3001110000' },
      { doc: 'phone', name: 'Solo teléfono', phone: '3002220000' },
      { doc: 'none', name: 'Sin datos' },
    ]);
    await h.subscribeToPush(a, ids.app!, `${push.base}/push/app-device`);
    for (const [doc, code] of [['app', '111111'], ['phone', '222222'], ['none', '333333']] as const) {
      await h.postEvent(a, 'otp.requested', ids[doc]!, { otp_id: `otp-${doc}`, code, expires_in_minutes: 5 });
    }

    // Subscribed: the push service takes it (201) and that is as delivered as push gets.
    const viaPush = await h.waitForRun(a, flowId, ids.app!, 'done', h.endedAs('done'));
    assert.deepEqual(h.pathOf(viaPush), ['deliver_code:sent', 'deliver_code:delivered', 'done:exit']);
    const pushed = push.received.filter((r) => r.url === '/push/app-device');
    assert.equal(pushed.length, 1);
    assert.equal(pushed[0]!.headers['content-encoding'], 'aes128gcm', 'encrypted for the browser');
    assert.deepEqual(kinds(await h.messagesOf(a, ids.app!)), ['push']);

    // Phone only: push fails, email has no address, the SMS is accepted but never confirmed…
    const phone = ids.phone!;
    await h.waitFor('the SMS at the gateway', async () => (gateway.received.length ? true : undefined));
    assert.deepEqual(h.jsonBody(gateway.received[0]!).text, 'Banco: su codigo es 222222');
    await h.skipWait(a, flowId, phone, 'deliver_code', 3);
    // …so after the window the call goes out; the provider reports it completed.
    const call = await h.waitFor('the call', async () => callsTo('+573002220000')[0]);
    assert.equal(call.text, 'Su código es 2 2 2 2 2 2');
    await h.reportCall(t, String(call.callback_url), { status: 'completed' });
    const viaCall = await h.waitForRun(a, flowId, phone, 'done', h.endedAs('done'));
    assert.deepEqual(h.pathOf(viaCall), [
      'deliver_code:sent', 'deliver_code:failed', 'deliver_code:sent', 'deliver_code:no_address',
      'deliver_code:sent', 'deliver_code:timeout', 'deliver_code:sent', 'deliver_code:delivered', 'done:exit',
    ]);
    assert.deepEqual((await h.messagesOf(a, phone)).map((m) => `${m.channel_type}:${m.status}`), ['push:failed', 'sms:sent', 'voice:delivered']);

    // Nobody to reach: every kind fails at once, the calling system is told.
    const none = await h.waitForRun(a, flowId, ids.none!, 'done', h.endedAs('done'));
    assert.deepEqual(h.pathOf(none).slice(-4), ['deliver_code:no_address', 'deliver_code:exhausted', 'undeliverable:emitted', 'done:exit']);
    assert.deepEqual(await h.emitted(a, ids.none!, 'otp.undeliverable'), [{ otp_id: 'otp-none' }]);
  } finally {
    await gateway.close();
  }
});

test('03 NPS 45 days after the mortgage: promoter to the list, detractor alert, a reminder for the silent', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('03');
  const a = await h.exampleAccount(t, 'Banco 03');
  const listId = await h.exampleList(a, 'Hipotecas', ex.list_fields);
  // The promoters list carries the same fields: a `list` node copies every field of the contact,
  // (a list with fewer fields is checked at the end of the file)
  const promotersId = await h.exampleList(a, 'Promotores', ex.list_fields);
  const tpl = await h.exampleTemplates(a, ex.definition, {
    tpl_nps_survey: '{{ contact.name }}, ¿recomendaría su crédito hipotecario?', tpl_nps_reminder: '{{ contact.name }}, aun espera su opinion',
    tpl_nps_detractor_followup: 'Lamentamos su experiencia, {{ contact.name }}', tpl_nps_thanks: 'Gracias, {{ contact.name }}',
    tpl_nps_referral: '{{ contact.name }}, refiera a un amigo',
  });
  const flowId = await h.publishFlow(a, ex.name, listId, h.withIds(ex.definition, { ...tpl, lst_promoters: promotersId }));
  seen.nps = { a, listId, paula: '' };
  const disbursed = h.localDay(a.timezone, -45);
  const ids = await h.addContacts(a, listId, [
    { doc: 'pro', name: 'Paula', email: 'paula@example.com', mortgage_date: disbursed, consent_marketing: true },
    { doc: 'det', name: 'Diego', email: 'diego@example.com', mortgage_date: disbursed },
    { doc: 'mute', name: 'Marta', email: 'marta@example.com', phone: '3003330000', mortgage_date: disbursed },
    { doc: 'later', name: 'Tomás', email: 'tomas@example.com', mortgage_date: h.localDay(a.timezone, -44) },
  ]);
  await h.fireEntryNow(a, flowId);
  for (const doc of ['pro', 'det', 'mute']) await h.waitForRun(a, flowId, ids[doc]!, 'the survey', h.waitingAt('wait_answer'));
  assert.deepEqual(await h.runsOf(a, flowId, ids.later!), [], 'tomorrow is his day');
  await h.fireEntryNow(a, flowId);
  assert.equal((await h.runsOf(a, flowId)).length, 3, 'entry rule once: nobody twice');

  // Another form's answer does not count; the NPS one does.
  await h.postEvent(a, 'form.submitted', ids.pro!, { form_id: 'form_otro', score: 0 });
  await h.postEvent(a, 'form.submitted', ids.pro!, { form_id: 'form_nps_hipoteca', score: 10, comment: 'Excelente' });
  await h.postEvent(a, 'form.submitted', ids.det!, { form_id: 'form_nps_hipoteca', score: 3, comment: 'Muy lento' });
  const pro = await h.waitForRun(a, flowId, ids.pro!, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(pro), ['survey:sent', 'wait_answer:waiting', 'wait_answer:event', 'save_score:updated', 'score:promoter', 'referral:sent', 'promoters_list:added', 'done:exit']);
  seen.nps.paula = ids.pro!;
  const paula = await h.contactOf(a, ids.pro!);
  assert.equal(paula.nps, 10);
  assert.ok(paula.nps_answered_at, 'the answer time is stored');
  const promoters = await a.t.db.pool.query('SELECT data FROM contacts WHERE account_id = $1 AND list_id = $2 AND key_value = $3', [a.accountId, promotersId, 'pro']);
  assert.equal(promoters.rowCount, 1, 'Paula is on the promoters list');
  assert.deepEqual((await h.messagesOf(a, ids.pro!)).map((m) => `${m.template_id === tpl.tpl_nps_referral ? 'referral' : 'survey'}:${m.category}`), ['survey:transactional', 'referral:marketing']);

  const det = await h.waitForRun(a, flowId, ids.det!, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(det).slice(3), ['save_score:updated', 'score:detractor', 'apology:sent', 'alert_branch:emitted', 'done:exit']);
  assert.deepEqual(await h.emitted(a, ids.det!, 'nps.detractor'), [{ score: 3, comment: 'Muy lento' }]);
  assert.equal((await h.contactOf(a, ids.det!)).nps, 3);

  // Silence: a week later an SMS reminder, five more days and the run ends without a score.
  await h.skipWait(a, flowId, ids.mute!, 'wait_answer');
  await h.skipWait(a, flowId, ids.mute!, 'wait_answer_again');
  const mute = await h.waitForRun(a, flowId, ids.mute!, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(mute), ['survey:sent', 'wait_answer:waiting', 'wait_answer:timeout', 'survey_reminder:sent', 'wait_answer_again:waiting', 'wait_answer_again:timeout', 'done:exit']);
  const toMarta = await h.waitForSandbox(a, '+573003330000', 1);
  assert.equal(toMarta[0]!.text, 'Marta, aun espera su opinion');
  assert.equal((await h.waitForSandbox(a, 'marta@example.com', 1))[0]!.subject, 'Marta, ¿recomendaría su crédito hipotecario?');
});

test('04 fraud alert: "not me" blocks through the bank API; silence calls, then blocks — and a failed block is escalated', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('04');
  const a = await h.exampleAccount(t, 'Banco 04');
  await h.voiceChannel(a, `${voice.base}/calls`, 0.12);
  const listId = await h.exampleList(a, 'Tarjetas', ex.list_fields);
  const tpl = await h.exampleTemplates(a, ex.definition, {
    tpl_fraud_alert: 'Banco: reconoce la compra de {{ data.amount }} en {{ data.merchant }}? Responda SI o NO',
    tpl_fraud_call: 'Hola {{ contact.name }}. Si reconoce la compra en {{ data.merchant }} marque 1; si no, marque 2.',
    tpl_fraud_confirmed: 'Banco: gracias, la compra queda aprobada', tpl_fraud_blocked: 'Banco: bloqueamos la transaccion {{ data.transaction_id }}',
    tpl_fraud_call_us: 'Banco: no pudimos bloquear la transaccion {{ data.transaction_id }}. Llame al 018000',
  });
  const flowId = await h.publishFlow(a, ex.name, listId, h.withIds(ex.definition, tpl, { 'https://core.banco.example': bank.base }));
  const ids = await h.addContacts(a, listId, [
    { doc: 'notme', name: 'Nora', phone: '3004440001' },
    { doc: 'silent', name: 'Samuel', phone: '3004440002' },
    { doc: 'mine', name: 'Mia', phone: '3004440003' },
  ]);
  const suspicious = (tx: string) => ({ transaction_id: tx, amount: 2_500_000, merchant: 'Tienda XYZ' });
  await h.postEvent(a, 'card.transaction.suspicious', ids.notme!, suspicious('tx-1001'));
  await h.postEvent(a, 'card.transaction.suspicious', ids.silent!, suspicious('tx-2002'));
  await h.postEvent(a, 'card.transaction.suspicious', ids.mine!, suspicious('tx-3003'));
  for (const doc of ['notme', 'silent', 'mine']) await h.waitForRun(a, flowId, ids[doc]!, 'the question', h.waitingAt('wait_answer'));

  // An answer about another transaction does not count; the one about this one does.
  await h.postEvent(a, 'fraud.response', ids.notme!, { transaction_id: 'tx-0999', answer: 'yes' });
  await h.postEvent(a, 'fraud.response', ids.notme!, { transaction_id: 'tx-1001', answer: 'not_me' });
  await h.postEvent(a, 'fraud.response', ids.mine!, { transaction_id: 'tx-3003', answer: 'yes' });
  const blocked = await h.waitForRun(a, flowId, ids.notme!, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(blocked), ['ask:sent', 'wait_answer:waiting', 'wait_answer:event', 'answer:branch_0', 'block:waiting', 'block:success', 'blocked:sent', 'done:exit']);
  // The block API was called once, with the step's key (what it is told is checked at the end of the file).
  assert.equal(blockCalls().length, 1);
  const call = blockCalls()[0]!;
  assert.equal(call.method, 'POST');
  assert.equal(h.jsonBody(call).reason, 'customer_denied');
  assert.equal(call.headers['x-source'], 'conversa');
  assert.match(String(call.headers['idempotency-key']), /:block:/, 'keyed by the step');
  const nora = await h.waitForSandbox(a, '+573004440001', 2);
  assert.deepEqual(nora.map((m) => m.text), ['Banco: reconoce la compra de 2500000 en Tienda XYZ? Responda SI o NO', 'Banco: bloqueamos la transaccion tx-1001']);

  const mine = await h.waitForRun(a, flowId, ids.mine!, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(mine).slice(2), ['wait_answer:event', 'answer:default', 'recognised:sent', 'done:exit']);

  // Silence: 15 minutes → the call; 10 more → block anyway; the core is down → the fraud desk is told and the customer asked to call.
  await h.skipWait(a, flowId, ids.silent!, 'wait_answer');
  coreDown = true;
  let failed;
  try {
    await h.skipWait(a, flowId, ids.silent!, 'wait_call_answer');
    failed = await h.waitForRun(a, flowId, ids.silent!, 'done', h.endedAs('done'));
  } finally {
    coreDown = false;
  }
  assert.deepEqual(h.pathOf(failed), [
    'ask:sent', 'wait_answer:waiting', 'wait_answer:timeout', 'call:sent', 'wait_call_answer:waiting', 'wait_call_answer:timeout',
    'block:waiting', 'block:failure', 'block_failed:emitted', 'call_us:sent', 'done:exit',
  ]);
  assert.deepEqual(await h.emitted(a, ids.silent!, 'fraud.block_failed'), [{ transaction_id: 'tx-2002' }]);
  assert.deepEqual(kinds(await h.messagesOf(a, ids.silent!)), ['sms', 'voice', 'sms']);
  await h.waitFor('the call placed', async () => callsTo('+573004440002')[0]);
  assert.equal(callsTo('+573004440002')[0]!.text, 'Hola Samuel. Si reconoce la compra en Tienda XYZ marque 1; si no, marque 2.');
});

test('05 installation: confirmed by SMS, reminded, rescheduled once (another appointment\'s change ignored), reminded on the new day, surveyed', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('05');
  const a = await h.exampleAccount(t, 'Telco 05');
  const listId = await h.exampleList(a, 'Instalaciones', ex.list_fields);
  const tpl = await h.exampleTemplates(a, ex.definition, {
    tpl_appt_confirm_sms: 'Su instalacion {{ data.appointment_id }} es el {{ contact.appointment_date }}', tpl_appt_confirm_email: 'Su instalación es el {{ contact.appointment_date }}',
    tpl_appt_reminder_2d: 'Recuerde: instalacion el {{ contact.appointment_date }}. Responda 1 para confirmar o 2 para reprogramar',
    tpl_appt_rescheduled: 'Nueva fecha de instalacion: {{ contact.appointment_date }}', tpl_appt_call_us: 'Llamenos para reprogramar',
    tpl_appt_today: 'Hoy es su instalacion, {{ contact.name }}', tpl_install_survey: '¿Cómo fue su instalación, {{ contact.name }}?',
  });
  const flowId = await h.publishFlow(a, ex.name, listId, h.withIds(ex.definition, tpl));
  const ids = await h.addContacts(a, listId, [{ doc: 'rosa', name: 'Rosa', phone: '3005550001', email: 'rosa@example.com' }]);
  const rosa = ids.rosa!;
  const first = h.localDay(a.timezone, 10);
  const second = h.localDay(a.timezone, 15);
  await h.postEvent(a, 'appointment.scheduled', rosa, { appointment_id: 'ap-1', date: first });

  // Confirmed by SMS: the sandbox SMSC's delivery receipt is the confirmation.
  await h.waitForRun(a, flowId, rosa, 'waiting for two days before', h.waitingAt('wait_2_days_before'));
  assert.equal((await h.contactOf(a, rosa)).appointment_date, first);
  await h.skipWait(a, flowId, rosa, 'wait_2_days_before');
  await h.waitForRun(a, flowId, rosa, 'waiting for a reschedule', h.waitingAt('wait_reschedule'));
  await h.postEvent(a, 'appointment.rescheduled', rosa, { appointment_id: 'ap-other', date: h.localDay(a.timezone, 30) });
  await h.postEvent(a, 'appointment.rescheduled', rosa, { appointment_id: 'ap-1', date: second });
  // The new date: reminders start again from it.
  await h.skipWait(a, flowId, rosa, 'wait_2_days_before', 2);
  await h.skipWait(a, flowId, rosa, 'wait_reschedule', 2);
  await h.skipWait(a, flowId, rosa, 'wait_day_of');
  await h.waitForRun(a, flowId, rosa, 'waiting for the visit', h.waitingAt('wait_completed'));
  await h.postEvent(a, 'appointment.completed', rosa, { appointment_id: 'ap-1' });
  const done = await h.waitForRun(a, flowId, rosa, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(done), [
    'store:updated', 'confirm:sent', 'confirm:delivered',
    'wait_2_days_before:waiting', 'wait_2_days_before:timer', 'remind_2_days:sent', 'wait_reschedule:waiting', 'wait_reschedule:event',
    'reschedules:next', 'store_new_date:updated', 'rescheduled:sent',
    'wait_2_days_before:waiting', 'wait_2_days_before:timer', 'remind_2_days:sent', 'wait_reschedule:waiting', 'wait_reschedule:timeout',
    'wait_day_of:waiting', 'wait_day_of:timer', 'remind_today:sent', 'wait_completed:waiting', 'wait_completed:event', 'survey:sent', 'done:exit',
  ]);
  assert.deepEqual(await h.contactOf(a, rosa).then((c) => [c.appointment_id, c.appointment_date]), ['ap-1', second]);
  const sms = await h.waitForSandbox(a, '+573005550001', 5);
  assert.deepEqual(sms.map((m) => m.text), [
    `Su instalacion ap-1 es el ${first}`,
    `Recuerde: instalacion el ${first}. Responda 1 para confirmar o 2 para reprogramar`,
    `Nueva fecha de instalacion: ${second}`,
    `Recuerde: instalacion el ${second}. Responda 1 para confirmar o 2 para reprogramar`,
    'Hoy es su instalacion, Rosa',
  ]);
  assert.deepEqual(kinds(await h.messagesOf(a, rosa)), ['sms', 'sms', 'sms', 'sms', 'sms', 'email']);
  assert.equal((await h.waitForSandbox(a, 'rosa@example.com', 1))[0]!.subject, '¿Cómo fue su instalación, Rosa?');
});

test('06 cross-sell broadcast: a 5 % sample first, an approver releases the rest, a 10 % hold-out, a click marks the interested', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('06');
  const a = await h.exampleAccount(t, 'Banco 06');
  const fields = [...ex.list_fields, { key: 'preapproved', label: 'Preaprobado', type: 'boolean' }];
  const listId = await h.exampleList(a, 'Clientes', fields);
  const interestedId = await h.exampleList(a, 'Interesados TC', fields);
  const segment = await a.ok<{ id: string }>('POST', `/v1/lists/${listId}/segments`, { name: 'Tarjeta preaprobada', filter: { field: 'preapproved', op: 'eq', value: true } });
  const tpl = await h.exampleTemplates(a, ex.definition, {
    tpl_tc_preaprobada: '{{ contact.name }}, tiene una tarjeta preaprobada. <a href="https://banco.example/tarjeta">Solicítela</a>',
    tpl_tc_preaprobada_sms: '{{ contact.name }}, su tarjeta preaprobada lo espera',
  });
  const contacts = Array.from({ length: 23 }, (_, i) => ({
    doc: `c${i}`, name: `Cliente ${i}`, email: `c${i}@example.com`, phone: `30066600${String(i).padStart(2, '0')}`, consent_marketing: true, preapproved: i < 20,
  }));
  const ids = await h.addContacts(a, listId, contacts);
  const definition = h.withIds(ex.definition, { ...tpl, seg_preapproved_card: segment.id, lst_tc_interesados: interestedId });
  // The example's date, moved to now whatever today is: a one-off broadcast whose time has come fires at once.
  definition.entry.at = new Date().toISOString();
  const flowId = await h.publishFlow(a, ex.name, listId, definition);

  // The scheduler fires it for the control sample only.
  const approval = await h.waitFor('the approval', async () => (await a.ok<{ approvals: { id: string; status: string; sample_size: number; total: number }[] }>('GET', `/v1/flows/${flowId}/approvals`)).approvals[0]);
  assert.deepEqual([approval.status, approval.sample_size, approval.total], ['pending', 1, 20]);
  assert.equal((await h.runsOf(a, flowId)).length, 1);
  const approver = (await a.ok<{ key: string }>('POST', '/v1/api_keys', { name: 'Aprobador', role: 'approver' })).key;
  const released = await t.call('POST', `/v1/flows/${flowId}/approvals/${approval.id}/release`, undefined, { key: approver });
  assert.equal(released.statusCode, 200, released.body);
  assert.equal(released.json().started, 19);

  // Every run splits: the hold-out is tagged and never contacted; the others get the offer and wait for a click.
  const settled = await h.waitFor('every run split', async () => {
    const runs = await h.runsOf(a, flowId);
    return runs.length === 20 && runs.every((r) => r.status === 'done' || (r.status === 'waiting' && r.node === 'wait_click')) ? runs : undefined;
  });
  const control = settled.filter((r) => r.status === 'done');
  const offered = settled.filter((r) => r.status === 'waiting');
  assert.ok(offered.length >= 1, 'some got the offer');
  for (const r of control) {
    assert.deepEqual(h.pathOf(r), ['holdout_split:branch_1', 'control_group:updated', 'done:exit']);
    assert.equal((await h.contactOf(a, r.contact_id)).cross_sell_group, 'control');
    assert.deepEqual(await h.messagesOf(a, r.contact_id), [], 'the hold-out is never contacted');
  }
  for (const doc of ['c20', 'c21', 'c22']) assert.deepEqual(await h.runsOf(a, flowId, ids[doc]!), [], 'not in the segment');

  // One customer clicks the offer's tracked link: the message is clicked, and the click reaches the run.
  const clicker = offered[0]!.contact_id;
  const offer = (await h.messagesOf(a, clicker))[0]!;
  assert.deepEqual([offer.channel_type, offer.category, offer.template_id], ['email', 'marketing', tpl.tpl_tc_preaprobada]);
  const link = /\/l\/([A-Za-z0-9_-]+)/.exec(JSON.stringify((await a.ok<{ content: unknown }>('GET', `/v1/messages/${offer.id}`)).content));
  assert.ok(link, 'the link is tracked');
  assert.equal((await t.app.inject({ method: 'GET', url: `/l/${link[1]}` })).statusCode, 302);
  assert.equal((await a.ok<{ status: string }>('GET', `/v1/messages/${offer.id}`)).status, 'clicked');
  // The bank's system may post message.clicked too; the tracked click's own event is checked at the end of the file.
  seen.click = { a, clicker, template: tpl.tpl_tc_preaprobada! };
  await h.postEvent(a, 'message.clicked', clicker, { template_id: tpl.tpl_tc_preaprobada });
  const interested = await h.waitForRun(a, flowId, clicker, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(interested), ['holdout_split:branch_0', 'offer:sent', 'wait_click:waiting', 'wait_click:event', 'interested:added', 'tag_offer:updated', 'done:exit']);
  const onList = await t.db.pool.query('SELECT 1 FROM contacts WHERE account_id = $1 AND list_id = $2 AND key_value = $3', [a.accountId, interestedId, (await h.contactOf(a, clicker)).doc]);
  assert.equal(onList.rowCount, 1, 'on the interested list');

  // Three days without a click: the SMS follow-up.
  for (const r of offered.slice(1)) await h.advanceTimers(t, r.id, a.accountId);
  for (const r of offered.slice(1)) {
    const done = await h.waitForRun(a, flowId, r.contact_id, 'done', h.endedAs('done'));
    assert.deepEqual(h.pathOf(done).slice(3), ['wait_click:timeout', 'sms_followup:sent', 'tag_offer:updated', 'done:exit']);
    assert.deepEqual(kinds(await h.messagesOf(a, r.contact_id)), ['email', 'sms']);
    assert.equal((await h.contactOf(a, r.contact_id)).cross_sell_group, 'offer');
  }
});

test('07 welcome series: new customers only, app invite unless installed, the preferences form sets consent, tips the next morning', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('07');
  const a = await h.exampleAccount(t, 'Banco 07');
  const listId = await h.exampleList(a, 'Clientes', [...ex.list_fields, { key: 'customer_since', label: 'Cliente desde', type: 'date' }]);
  const segment = await a.ok<{ id: string }>('POST', `/v1/lists/${listId}/segments`, { name: 'Clientes nuevos', filter: { field: 'customer_since', op: 'within_last_days', value: 30 } });
  const tpl = await h.exampleTemplates(a, ex.definition, {
    tpl_welcome: 'Bienvenida, {{ contact.name }}', tpl_welcome_app: '{{ contact.name }}, descargue nuestra app',
    tpl_welcome_preferences: '{{ contact.name }}, ¿qué le gustaría recibir?', tpl_welcome_tips: 'Consejos para su primer mes, {{ contact.name }}',
  });
  const ids = await h.addContacts(a, listId, [
    { doc: 'ana', name: 'Ana', email: 'ana@example.com', phone: '3007770001', app_installed: false, customer_since: h.localDay(a.timezone, -2) },
    { doc: 'beto', name: 'Beto', email: 'beto@example.com', phone: '3007770002', app_installed: true, customer_since: h.localDay(a.timezone, -1) },
    { doc: 'carla', name: 'Carla', email: 'carla@example.com', app_installed: false, customer_since: h.localDay(a.timezone, -200) },
  ]);
  const flowId = await h.publishFlow(a, ex.name, listId, h.withIds(ex.definition, { ...tpl, seg_new_customers: segment.id }));
  const [ana, beto] = [ids.ana!, ids.beto!];
  // A segment entry scans at once on publish; a later scan starts nobody twice.
  await h.skipWait(a, flowId, ana, 'wait_2_days');
  await h.skipWait(a, flowId, beto, 'wait_2_days');
  await h.fireEntryNow(a, flowId);
  assert.equal((await h.runsOf(a, flowId)).length, 2, 'Carla is no new customer; nobody enters twice');

  await h.skipWait(a, flowId, ana, 'wait_3_days');
  await h.skipWait(a, flowId, beto, 'wait_3_days');
  await h.waitForRun(a, flowId, ana, 'waiting for the form', h.waitingAt('wait_preferences'));
  await h.postEvent(a, 'form.submitted', ana, { form_id: 'form_preferencias', marketing_opt_in: true });
  await h.skipWait(a, flowId, ana, 'next_morning');
  await h.skipWait(a, flowId, beto, 'wait_preferences');
  await h.skipWait(a, flowId, beto, 'next_morning');

  const anaRun = await h.waitForRun(a, flowId, ana, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(anaRun), [
    'welcome:sent', 'wait_2_days:waiting', 'wait_2_days:timer', 'has_app:default', 'app_invite:sent', 'wait_3_days:waiting', 'wait_3_days:timer',
    'preferences:sent', 'wait_preferences:waiting', 'wait_preferences:event', 'opted_in:branch_0', 'marketing_consent:subscribed',
    'next_morning:waiting', 'next_morning:timer', 'tips:sent', 'done:exit',
  ]);
  assert.equal((await h.contactOf(a, ana)).consent_marketing, true);
  assert.deepEqual(kinds(await h.messagesOf(a, ana)), ['email', 'sms', 'email', 'email']);
  assert.equal((await h.waitForSandbox(a, '+573007770001', 1))[0]!.text, 'Ana, descargue nuestra app');

  const betoRun = await h.waitForRun(a, flowId, beto, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(betoRun).slice(3), [
    'has_app:branch_0', 'wait_3_days:waiting', 'wait_3_days:timer', 'preferences:sent', 'wait_preferences:waiting', 'wait_preferences:timeout',
    'next_morning:waiting', 'next_morning:timer', 'tips:sent', 'done:exit',
  ]);
  assert.notEqual((await h.contactOf(a, beto)).consent_marketing, true, 'no form, no consent');
  assert.deepEqual(kinds(await h.messagesOf(a, beto)), ['email', 'email', 'email'], 'the app is installed: no invite');
  const mails = await h.waitForSandbox(a, 'beto@example.com', 3);
  assert.deepEqual(mails.map((m) => m.subject), ['Bienvenida, Beto', 'Beto, ¿qué le gustaría recibir?', 'Consejos para su primer mes, Beto']);
});

test('08 win-back: inactive customers once; a transaction ends it with thanks; silence → A/B SMS, then churn risk, retention list and the CRM told', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('08');
  const a = await h.exampleAccount(t, 'Banco 08');
  const fields = [...ex.list_fields, { key: 'last_transaction', label: 'Última transacción', type: 'date' }];
  const listId = await h.exampleList(a, 'Tarjetahabientes', fields);
  const retentionId = await h.exampleList(a, 'Retención', fields);
  const segment = await a.ok<{ id: string }>('POST', `/v1/lists/${listId}/segments`, {
    name: 'Inactivos 90 días',
    filter: { and: [{ field: 'last_transaction', op: 'is_not_empty' }, { not: { field: 'last_transaction', op: 'within_last_days', value: 90 } }] },
  });
  const tpl = await h.exampleTemplates(a, ex.definition, {
    tpl_winback_offer: '{{ contact.name }}, lo extrañamos: 20 % de reembolso', tpl_winback_sms_a: '{{ contact.name }}: 20% de reembolso en su proxima compra',
    tpl_winback_sms_b: '{{ contact.name }}: un año sin cuota de manejo', tpl_winback_thanks: 'Gracias por volver, {{ contact.name }}',
  });
  const ids = await h.addContacts(a, listId, [
    { doc: 'diego', name: 'Diego', email: 'diego@example.com', phone: '3008880001', consent_marketing: true, last_transaction: h.localDay(a.timezone, -120) },
    { doc: 'elena', name: 'Elena', email: 'elena@example.com', phone: '3008880002', consent_marketing: true, last_transaction: h.localDay(a.timezone, -95) },
    { doc: 'fabio', name: 'Fabio', email: 'fabio@example.com', consent_marketing: true, last_transaction: h.localDay(a.timezone, -10) },
  ]);
  const flowId = await h.publishFlow(a, ex.name, listId, h.withIds(ex.definition, { ...tpl, seg_inactive_90d: segment.id, lst_retention: retentionId }));
  const [diego, elena] = [ids.diego!, ids.elena!];
  await h.waitForRun(a, flowId, diego, 'the offer', h.waitingAt('wait_transaction'));
  await h.waitForRun(a, flowId, elena, 'the offer', h.waitingAt('wait_transaction'));
  await h.fireEntryNow(a, flowId);
  assert.equal((await h.runsOf(a, flowId)).length, 2, 'Fabio is active; at most once per 180 days');

  await h.postEvent(a, 'card.transaction', diego, { amount: 45000 });
  const back = await h.waitForRun(a, flowId, diego, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(back), ['offer:sent', 'wait_transaction:waiting', 'wait_transaction:event', 'thanks:sent', 'done:exit']);
  assert.deepEqual((await h.messagesOf(a, diego)).map((m) => `${m.channel_type}:${m.category}`), ['email:marketing', 'email:marketing']);

  await h.skipWait(a, flowId, elena, 'wait_transaction');
  await h.skipWait(a, flowId, elena, 'wait_transaction_again');
  const gone = await h.waitForRun(a, flowId, elena, 'done', h.endedAs('done'));
  const variant = gone.path.find((s) => s.node_id === 'ab_test')!.outcome === 'branch_0' ? 'sms_a' : 'sms_b';
  assert.deepEqual(h.pathOf(gone), [
    'offer:sent', 'wait_transaction:waiting', 'wait_transaction:timeout', `ab_test:${variant === 'sms_a' ? 'branch_0' : 'branch_1'}`, `${variant}:sent`,
    'wait_transaction_again:waiting', 'wait_transaction_again:timeout', 'mark_churn_risk:updated', 'retention_list:added', 'notify_crm:emitted', 'done:exit',
  ]);
  const sms = (await h.messagesOf(a, elena))[1]!;
  assert.equal(sms.template_id, variant === 'sms_a' ? tpl.tpl_winback_sms_a : tpl.tpl_winback_sms_b, 'the SMS of the branch taken');
  assert.equal((await h.contactOf(a, elena)).churn_risk, 'high');
  const onList = await t.db.pool.query('SELECT 1 FROM contacts WHERE account_id = $1 AND list_id = $2 AND key_value = $3', [a.accountId, retentionId, 'elena']);
  assert.equal(onList.rowCount, 1, 'on the retention list');
  assert.deepEqual(await h.emitted(a, elena, 'customer.churn_risk'), [{ reason: 'inactive_90d' }]);
});

test('09 collections: five days past due, cheapest channel that confirms, a promise to pay, escalations, the agency hand-off, the payment ends it', { timeout: 60_000 }, async () => {
  const ex = await h.readExample('09');
  const a = await h.exampleAccount(t, 'Banco 09');
  await h.pushChannel(a, 0);
  await h.voiceChannel(a, `${voice.base}/calls`, 0.12);
  const listId = await h.exampleList(a, 'Cartera vencida', ex.list_fields);
  const tpl = await h.exampleTemplates(a, ex.definition, {
    tpl_cobranza_email: '{{ contact.name }}, su pago de {{ contact.balance_due }} está vencido', tpl_cobranza_push: 'Su pago está vencido',
    tpl_cobranza_sms: '{{ contact.name }}: su saldo vencido es {{ contact.balance_due }}', tpl_cobranza_llamada: 'Le llamamos por su saldo vencido de {{ contact.balance_due }} pesos',
    tpl_cobranza_sms_2: '{{ contact.name }}: aun tiene un saldo vencido de {{ contact.balance_due }}', tpl_cobranza_llamada_2: 'Segundo aviso por su saldo de {{ contact.balance_due }} pesos',
  });
  const flowId = await h.publishFlow(a, ex.name, listId, h.withIds(ex.definition, tpl, { 'https://cobranzas.banco.example': bank.base }));
  const due = h.localDay(a.timezone, -5);
  const ids = await h.addContacts(a, listId, [
    { doc: 'gina', name: 'Gina', phone: '3009990001', due_date: due, balance_due: 350000, contactable: true },
    { doc: 'hugo', name: 'Hugo', email: 'hugo@example.com', due_date: due, balance_due: 0 },
    { doc: 'iris', name: 'Iris', due_date: due, balance_due: 90000, contactable: true },
    { doc: 'juan', name: 'Juan', email: 'juan@example.com', due_date: h.localDay(a.timezone, -4), balance_due: 10000 },
  ]);
  await h.fireEntryNow(a, flowId);
  const [gina, hugo, iris] = [ids.gina!, ids.hugo!, ids.iris!];

  // Paid already: nothing to send.
  const paidUp = await h.waitForRun(a, flowId, hugo, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(paidUp), ['still_due:branch_0', 'done:exit']);
  assert.deepEqual(await h.runsOf(a, flowId, ids.juan!), [], 'four days late: not yet');

  // Gina: push fails (no app), no email, the SMS is delivered (the SMSC's receipt); she promises to pay in three days.
  await h.waitForRun(a, flowId, gina, 'waiting for a promise', h.waitingAt('wait_promise'));
  await h.postEvent(a, 'payment.promise', gina, { date: h.localDay(a.timezone, 3) });
  await h.skipWait(a, flowId, gina, 'wait_promise_date');
  assert.equal((await h.contactOf(a, gina)).promise_date, h.localDay(a.timezone, 3));
  // The promise is not kept: escalations every five days, until the payment arrives.
  await h.skipWait(a, flowId, gina, 'wait_5_days');
  await h.waitForRun(a, flowId, gina, 'the second escalation', h.waitingAt('wait_5_days', 2));
  await h.postEvent(a, 'payment.received', gina, { amount: 350000 });
  const paid = await h.waitForRun(a, flowId, gina, 'the goal', h.endedAs('exited'));
  assert.deepEqual(h.pathOf(paid), [
    'still_due:default', 'notice:sent', 'notice:failed', 'notice:sent', 'notice:no_address', 'notice:sent', 'notice:delivered',
    'wait_promise:waiting', 'wait_promise:event', 'store_promise:updated', 'wait_promise_date:waiting', 'wait_promise_date:timer', 'kept_promise:default',
    'escalations:next', 'escalate:sent', 'escalate:delivered', 'wait_5_days:waiting', 'wait_5_days:timer', 'paid_yet:default',
    'escalations:next', 'escalate:sent', 'escalate:delivered', 'wait_5_days:waiting', 'wait_5_days:exited',
  ]);
  assert.deepEqual((await h.messagesOf(a, gina)).map((m) => `${m.channel_type}:${m.status}`), ['push:failed', 'sms:delivered', 'sms:delivered', 'sms:delivered']);
  const texts = (await h.waitForSandbox(a, '+573009990001', 3)).map((m) => m.text);
  assert.deepEqual(texts, ['Gina: su saldo vencido es 350000', 'Gina: aun tiene un saldo vencido de 350000', 'Gina: aun tiene un saldo vencido de 350000']);

  // Iris cannot be reached on any channel: marked, and a case opened at the collection agency.
  const handedOff = await h.waitForRun(a, flowId, iris, 'done', h.endedAs('done'));
  assert.deepEqual(h.pathOf(handedOff), [
    'still_due:default', 'notice:sent', 'notice:failed', 'notice:sent', 'notice:no_address', 'notice:sent', 'notice:no_address', 'notice:sent', 'notice:no_address',
    'notice:exhausted', 'unreachable:updated', 'agency_case:waiting', 'agency_case:success', 'done:exit',
  ]);
  assert.equal((await h.contactOf(a, iris)).contactable, false);
  const cases = bank.received.filter((r) => r.url === '/api/cases');
  assert.equal(cases.length, 1);
  assert.equal(cases[0]!.method, 'POST');
  assert.match(String(cases[0]!.headers['idempotency-key']), /:agency_case:/);
  seen.agency = { iris, due };
});

// What the examples needed beyond the first version of the server (Liquid in http nodes, lists
// with fewer fields, clicks as events), checked on what the scenarios above left behind.

test('04 fraud alert: the block API is told which transaction (Liquid in an http node\'s url and body)', () => {
  const call = blockCalls()[0];
  assert.ok(call, 'the 04 test ran first');
  assert.equal(call.url, '/api/v1/transactions/tx-1001/block');
  assert.deepEqual(h.jsonBody(call), { transaction_id: 'tx-1001', reason: 'customer_denied' });
});

test('03 NPS: a promoter lands on a promoters list that holds only some of the fields', { timeout: 30_000 }, async () => {
  assert.ok(seen.nps?.paula, 'the 03 test ran first');
  const { a, listId, paula } = seen.nps;
  const narrow = await h.exampleList(a, 'Promotores (solo nombre)', []);
  const flowId = await h.publishFlow(a, 'Promotor a la lista', listId, {
    entry: { type: 'event', event: 'nps.promoter' }, nodes: [{ id: 'add', type: 'list', add: narrow, next: 'end' }, { id: 'end', type: 'exit' }],
  });
  await h.postEvent(a, 'nps.promoter', paula);
  await h.waitForRun(a, flowId, paula, 'done', h.endedAs('done'));
  const onList = await t.db.pool.query('SELECT data FROM contacts WHERE account_id = $1 AND list_id = $2 AND key_value = $3', [a.accountId, narrow, 'pro']);
  assert.equal(onList.rowCount, 1, 'Paula is on the narrow list');
  assert.equal(onList.rows[0].data.name, 'Paula', 'with the fields that list has');
});

test('06 cross-sell: a click on the offer\'s tracked link is an event the run waiting for message.clicked sees', async () => {
  assert.ok(seen.click, 'the 06 test ran first');
  const { a, clicker, template } = seen.click;
  const clicks = (await h.emitted(a, clicker, 'message.clicked')).filter((d) => d.template_id === template);
  assert.equal(clicks.length, 2, 'the click\'s own event besides the one the test posted');
});

test('09 collections: the agency gets the customer, the balance and the due date (Liquid in an http node\'s body)', () => {
  assert.ok(seen.agency, 'the 09 test ran first');
  const body = h.jsonBody(bank.received.find((r) => r.url === '/api/cases')!);
  assert.equal(body.customer_id, seen.agency.iris);
  assert.equal(String(body.balance_due), '90000');
  assert.equal(body.due_date, seen.agency.due);
});
