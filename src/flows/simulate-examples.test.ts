import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDefinition } from './definition/types.js';
import { readdir, readFile } from 'node:fs/promises';
import { validateDefinition } from './definition/validate.js';
import { dateFieldInstant } from './engine/index.js';
import { simulate, type SimulateInput, type SimulatedSend, type SimulateResult } from './simulate.js';

/** Each ready-made flow of examples/flows/, validated and played on the simulator. */

const BOGOTA = 'America/Bogota';
const MIN = 60;
const DAY = 86_400;
// Monday 2 March 2026, 09:00 in Bogotá.
const T0 = new Date('2026-03-02T14:00:00.000Z');
const channels = [{ kind: 'voice', cost: 0.12 }, { kind: 'sms', cost: 0.02 }, { kind: 'email', cost: 0.0004 }, { kind: 'push', cost: 0 }];
const defs = new Map<string, FlowDefinition>();

// Read straight from the directory: the files are the contract, whichever module serves them.
const DIR = new URL('../../examples/flows/', import.meta.url);
before(async () => {
  for (const file of (await readdir(DIR)).filter((f) => f.endsWith('.json')).sort()) {
    const { definition } = JSON.parse(await readFile(new URL(file, DIR), 'utf8')) as { definition: unknown };
    defs.set(file.slice(0, 2), validateDefinition(definition));
  }
});

const play = (n: string, input: Partial<SimulateInput> = {}): SimulateResult => {
  const definition = defs.get(n);
  assert.ok(definition, `example ${n} is missing`);
  return simulate({ definition, contact: { id: 'ctc_1' }, timezone: BOGOTA, channels, startAt: T0, ...input });
};
const at = (s: { at: Date }): string => s.at.toISOString().slice(5, 16);
const sends = (r: SimulateResult): string[] => r.sends.map((s) => `${at(s)} ${s.node_id} ${s.channel_type}`);
const byKind = (outcomes: Record<string, string>) => (s: SimulatedSend) => (outcomes[s.channel_type ?? ''] ?? 'delivered') as 'delivered';

test('all nine examples are there and valid', () => {
  assert.deepEqual([...defs.keys()], ['01', '02', '03', '04', '05', '06', '07', '08', '09']);
});

test('01 statement: no push subscription → email; reminders on the dates; paid during the calls', () => {
  const contact = { id: 'ctc_1', due_date: '2026-03-20', paid: false };
  const paidAfter = (new Date('2026-03-27T20:00:00Z').getTime() - T0.getTime()) / 1000;
  const r = play('01', { contact, messageOutcomes: byKind({ push: 'no_address' }), events: [{ name: 'payment.received', after_seconds: paidAfter }] });
  assert.deepEqual(sends(r), [
    '03-02T14:00 statement push', '03-02T14:00 statement email',
    '03-17T14:00 remind_before push', '03-17T14:00 remind_before email',
    '03-20T14:00 remind_due push', '03-20T14:00 remind_due email',
    '03-23T15:00 remind_after push', '03-23T15:00 remind_after email',
    '03-26T15:00 call voice',
  ]);
  assert.equal(r.final.status, 'exited');
  assert.deepEqual(r.timeline.at(-1), { at: new Date('2026-03-27T20:00:00Z'), node_id: 'wait_3_days', type: 'goal', outcome: 'exited' });
  // Marked as paid by hand instead (no event): the branch before the first reminder ends it.
  const marked = play('01', { contact: { ...contact, paid: true } });
  assert.deepEqual(marked.timeline.slice(-2).map((t) => `${t.node_id}:${t.outcome}`), ['paid_before:branch_0', 'done:exit']);
});

test('02 OTP: push → email → SMS → voice, moving on at no address, timeout and failure', () => {
  const r = play('02', {
    trigger: { name: 'otp.requested', data: { otp_id: 'otp_1' } },
    messageOutcomes: byKind({ push: 'no_address', email: 'timeout', sms: 'failed', voice: 'delivered' }),
  });
  assert.deepEqual(r.sends.map((s) => `${s.at.toISOString().slice(11, 19)} ${s.channel_type}`), ['14:00:00 push', '14:00:00 email', '14:00:30 sms', '14:00:30 voice']);
  assert.equal(r.final.status, 'done');
  const none = play('02', { trigger: { name: 'otp.requested', data: { otp_id: 'otp_1' } }, messageOutcomes: () => 'failed' });
  const emitted = none.effects.find((e) => e.type === 'emit');
  assert.deepEqual(emitted && emitted.type === 'emit' ? [emitted.event, emitted.data] : [], ['otp.undeliverable', { otp_id: 'otp_1' }]);
});

test('03 NPS 45 days after mortgage_date: promoter, detractor, no answer', () => {
  const contact = { id: 'ctc_1', mortgage_date: '2026-01-15' };
  const startAt = dateFieldInstant(contact.mortgage_date, 45, '10:00', BOGOTA)!;
  assert.equal(startAt.toISOString(), '2026-03-01T15:00:00.000Z');
  const answer = (score: number) => [{ name: 'form.submitted', after_seconds: 3 * DAY, data: { form_id: 'form_nps_hipoteca', score, comment: 'ok' } }];
  const promoter = play('03', { contact, startAt, events: answer(10) });
  assert.deepEqual(promoter.timeline.map((t) => `${at(t)} ${t.node_id} ${t.outcome}`), [
    '03-01T15:00 survey sent', '03-01T15:00 wait_answer waiting', '03-04T15:00 wait_answer event', '03-04T15:00 save_score updated',
    '03-04T15:00 score promoter', '03-04T15:00 referral sent', '03-04T15:00 promoters_list added', '03-04T15:00 done exit',
  ]);
  assert.equal(promoter.contact.nps, 10);
  const detractor = play('03', { contact, startAt, events: answer(4) });
  assert.deepEqual(detractor.sends.map((s) => s.template_id), ['tpl_nps_survey', 'tpl_nps_detractor_followup']);
  const silent = play('03', { contact, startAt });
  assert.deepEqual(sends(silent), ['03-01T15:00 survey email', '03-08T15:00 survey_reminder sms']);
  assert.equal(silent.timeline.at(-2)?.outcome, 'timeout');
});

test('04 fraud alert: "not me" for the same transaction blocks it; another transaction\'s answer is ignored', () => {
  const trigger = { name: 'card.transaction.suspicious', data: { transaction_id: 'tx_9', amount: 2_500_000 } };
  const notMe = play('04', { trigger, events: [{ name: 'fraud.response', after_seconds: 5 * MIN, data: { transaction_id: 'tx_9', answer: 'not_me' } }] });
  assert.deepEqual(notMe.timeline.map((t) => `${t.node_id}:${t.outcome}`), [
    'ask:sent', 'wait_answer:waiting', 'wait_answer:event', 'answer:branch_0', 'block:waiting', 'block:success', 'blocked:sent', 'done:exit',
  ]);
  const http = notMe.effects.find((e) => e.type === 'http');
  assert.equal(http?.type === 'http' && http.method, 'POST');
  const other = play('04', {
    trigger, events: [{ name: 'fraud.response', after_seconds: 5 * MIN, data: { transaction_id: 'tx_8', answer: 'not_me' } }],
    httpOutcomes: () => ({ outcome: 'failure' }),
  });
  assert.deepEqual(other.timeline.map((t) => `${at(t).slice(6)} ${t.node_id}:${t.outcome}`), [
    '14:00 ask:sent', '14:00 wait_answer:waiting', '14:15 wait_answer:timeout', '14:15 call:sent', '14:15 wait_call_answer:waiting',
    '14:25 wait_call_answer:timeout', '14:25 block:waiting', '14:25 block:failure', '14:25 block_failed:emitted', '14:25 call_us:sent', '14:25 done:exit',
  ]);
});

test('05 installation: confirm, remind 2 days before, rescheduled once, remind on the new day, survey', () => {
  const r = play('05', {
    trigger: { name: 'appointment.scheduled', data: { date: '2026-03-20', appointment_id: 'ap_1' } },
    events: [
      { name: 'appointment.rescheduled', after_seconds: 16 * DAY + 2 * 3600, data: { appointment_id: 'ap_1', date: '2026-03-25' } },
      { name: 'appointment.completed', after_seconds: 23 * DAY + 6 * 3600, data: { appointment_id: 'ap_1' } },
    ],
  });
  assert.deepEqual(sends(r), [
    '03-02T14:00 confirm sms', '03-18T15:00 remind_2_days sms', '03-18T16:00 rescheduled sms',
    '03-23T15:00 remind_2_days sms', '03-25T12:30 remind_today sms', '03-25T20:00 survey email',
  ]);
  assert.equal(r.contact.appointment_date, '2026-03-25');
});

test('06 cross-sell broadcast: a 10 % control group, stable per run', () => {
  const groups = { offer: 0, control: 0 };
  for (let i = 0; i < 400; i++) {
    const r = play('06', { runId: `run_${i}` });
    groups[r.contact.cross_sell_group === 'control' ? 'control' : 'offer']++;
  }
  assert.ok(groups.control > 20 && groups.control < 65, JSON.stringify(groups));
  const clicked = play('06', { runId: 'run_0', events: [{ name: 'message.clicked', after_seconds: 3600, data: { template_id: 'tpl_tc_preaprobada' } }] });
  const again = play('06', { runId: 'run_0' });
  assert.equal(clicked.contact.cross_sell_group, again.contact.cross_sell_group);
});

test('07 welcome series: app invite when no app, consent from the preferences form, tips at 10:00', () => {
  const r = play('07', {
    contact: { id: 'ctc_1', app_installed: false },
    events: [{ name: 'form.submitted', after_seconds: 6 * DAY, data: { form_id: 'form_preferencias', marketing_opt_in: true } }],
  });
  assert.deepEqual(sends(r), ['03-02T14:00 welcome email', '03-04T14:00 app_invite sms', '03-07T14:00 preferences email', '03-08T15:00 tips email']);
  assert.equal(r.contact.consent_marketing, true);
});

test('08 win-back: a transaction after the offer ends it; silence marks the churn risk', () => {
  const back = play('08', { events: [{ name: 'card.transaction', after_seconds: 3 * DAY }] });
  assert.deepEqual(back.sends.map((s) => s.template_id), ['tpl_winback_offer', 'tpl_winback_thanks']);
  const gone = play('08');
  assert.equal(gone.contact.churn_risk, 'high');
  assert.deepEqual(gone.effects.map((e) => e.type), ['send', 'send', 'update_contact', 'list', 'emit']);
});

test('09 collections: cheapest channel first, a promise to pay, escalations, the goal', () => {
  const contact = { id: 'ctc_1', due_date: '2026-02-25', balance_due: 350_000 };
  const r = play('09', {
    contact,
    messageOutcomes: byKind({ push: 'no_address', email: 'bounced' }),
    events: [
      { name: 'payment.promise', after_seconds: DAY, data: { date: '2026-03-06' } },
      { name: 'payment.received', after_seconds: 10 * DAY },
    ],
  });
  assert.deepEqual(sends(r), [
    '03-02T14:00 notice push', '03-02T14:00 notice email', '03-02T14:00 notice sms',
    '03-07T14:00 escalate sms',
  ]);
  assert.equal(r.final.status, 'exited');
});
