import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDefinition } from './definition/types.js';
import { dateFieldInstant } from './engine/index.js';
import { simulate, type SimulateInput, type SimulatedSend } from './simulate.js';

const BOGOTA = 'America/Bogota';
const DAY = 86_400;
const iso = (d: Date): string => d.toISOString();
const channels = [{ kind: 'voice', cost: 0.12 }, { kind: 'sms', cost: 0.02 }, { kind: 'email', cost: 0.0004 }];

/**
 * The issue's statement flow: send the statement; remind 3 days before the due date, on the day
 * and 3 days after, each on the cheapest channel that works, unless paid (the goal); then call
 * every 3 days until paid, at most 5 times.
 */
const reminder = (id: string, next: string) => ({
  id, type: 'send_fallback' as const, channels: 'by_cost' as const, templates: { email: 'tpl_remind_mail', sms: 'tpl_remind_sms' },
  confirm_within_seconds: 3600, next: { delivered: next, exhausted: next },
});
const statementFlow: FlowDefinition = {
  entry: { type: 'event', event: 'statement.issued' },
  goal: { event: 'payment.received' },
  nodes: [
    { id: 'statement', type: 'send', channel_type: 'email', template_id: 'tpl_statement', next: 'before_due' },
    { id: 'before_due', type: 'wait', until_field: 'due_date', offset_days: -3, at: '09:00', next: 'remind_before' },
    reminder('remind_before', 'on_due'),
    { id: 'on_due', type: 'wait', until_field: 'due_date', offset_days: 0, at: '09:00', next: 'remind_on' },
    reminder('remind_on', 'after_due'),
    { id: 'after_due', type: 'wait', until_field: 'due_date', offset_days: 3, at: '09:00', next: 'remind_after' },
    reminder('remind_after', 'calls'),
    { id: 'calls', type: 'loop', max: 5, next: 'pause', done: 'end' },
    { id: 'pause', type: 'wait', seconds: 3 * DAY, next: 'call' },
    { id: 'call', type: 'send', channel_type: 'voice', template_id: 'tpl_call', next: 'calls' },
    { id: 'end', type: 'exit' },
  ],
};
// Monday 2 March 2026, 09:00 in Bogotá; the payment is due on Friday 20 March.
const issuedAt = new Date('2026-03-02T14:00:00.000Z');
const customer = { id: 'ctc_ana', name: 'Ana', email: 'ana@example.com', phone: '+573001234567', due_date: '2026-03-20' };
const statementRun = (extra: Partial<SimulateInput> = {}) => simulate({
  definition: statementFlow, contact: customer, timezone: BOGOTA, channels, startAt: issuedAt,
  trigger: { name: 'statement.issued', data: { amount: 1250000, currency: 'COP' } },
  // Ana's mailbox is full: every reminder email bounces two minutes later, SMS is delivered.
  messageOutcomes: (s: SimulatedSend) => (s.channel_type === 'email' ? { status: 'bounced', after_seconds: 120 } : { status: 'delivered', after_seconds: 30 }),
  ...extra,
});
const sendsOf = (sends: SimulatedSend[]): string[] => sends.map((s) => `${iso(s.at)} ${s.node_id} ${s.channel_type} ${s.template_id}`);

test('statement flow, never paid: three reminders (email bounces → SMS), then five calls three days apart', () => {
  const r = statementRun();
  assert.deepEqual(sendsOf(r.sends), [
    '2026-03-02T14:00:00.000Z statement email tpl_statement',
    '2026-03-17T14:00:00.000Z remind_before email tpl_remind_mail',
    '2026-03-17T14:02:00.000Z remind_before sms tpl_remind_sms',
    '2026-03-20T14:00:00.000Z remind_on email tpl_remind_mail',
    '2026-03-20T14:02:00.000Z remind_on sms tpl_remind_sms',
    '2026-03-23T14:00:00.000Z remind_after email tpl_remind_mail',
    '2026-03-23T14:02:00.000Z remind_after sms tpl_remind_sms',
    '2026-03-26T14:02:30.000Z call voice tpl_call',
    '2026-03-29T14:02:30.000Z call voice tpl_call',
    '2026-04-01T14:02:30.000Z call voice tpl_call',
    '2026-04-04T14:02:30.000Z call voice tpl_call',
    '2026-04-07T14:02:30.000Z call voice tpl_call',
  ]);
  assert.equal(r.final.status, 'done');
  // Every send has its own key; the statement's template gets the event data.
  assert.equal(new Set(r.sends.map((s) => s.key)).size, r.sends.length);
  assert.deepEqual(r.sends[0]?.data, { amount: 1250000, currency: 'COP' });
  assert.equal(r.sends[0]?.category, 'transactional');

  // The timeline of the first reminder: wait ends, email sent, bounced, SMS sent, delivered.
  const first = r.timeline.filter((t) => t.at >= new Date('2026-03-17T00:00:00Z') && t.at < new Date('2026-03-18T00:00:00Z'));
  assert.deepEqual(first.map((t) => [iso(t.at).slice(11, 19), t.node_id, t.outcome, t.channel_type]), [
    ['14:00:00', 'before_due', 'timer', undefined],
    ['14:00:00', 'remind_before', 'sent', 'email'],
    ['14:02:00', 'remind_before', 'bounced', 'email'],
    ['14:02:00', 'remind_before', 'sent', 'sms'],
    ['14:02:30', 'remind_before', 'delivered', 'sms'],
    ['14:02:30', 'on_due', 'waiting', undefined],
  ]);
  assert.deepEqual(r.timeline.at(-1), { at: new Date('2026-04-07T14:02:30.000Z'), node_id: 'end', type: 'exit', outcome: 'exit' });
  assert.deepEqual(r.timeline.filter((t) => t.type === 'loop').map((t) => t.outcome), ['next', 'next', 'next', 'next', 'next', 'done']);
});

test('statement flow, paid on 21 March: the goal pulls the run out before the third reminder', () => {
  const paidAt = (new Date('2026-03-21T16:00:00.000Z').getTime() - issuedAt.getTime()) / 1000;
  const r = statementRun({ events: [{ name: 'payment.received', after_seconds: paidAt, data: { amount: 1250000 } }] });
  assert.deepEqual(r.sends.map((s) => `${s.node_id}:${s.channel_type}`), [
    'statement:email', 'remind_before:email', 'remind_before:sms', 'remind_on:email', 'remind_on:sms',
  ]);
  assert.equal(r.final.status, 'exited');
  assert.deepEqual(r.timeline.at(-1), { at: new Date('2026-03-21T16:00:00.000Z'), node_id: 'after_due', type: 'goal', outcome: 'exited' });
});

test('statement flow, paid after the second call; an email that works makes SMS unnecessary', () => {
  const paidAt = (new Date('2026-03-30T15:00:00.000Z').getTime() - issuedAt.getTime()) / 1000;
  const r = statementRun({
    events: [{ name: 'payment.received', after_seconds: paidAt }],
    messageOutcomes: () => 'delivered',
  });
  assert.deepEqual(sendsOf(r.sends), [
    '2026-03-02T14:00:00.000Z statement email tpl_statement',
    '2026-03-17T14:00:00.000Z remind_before email tpl_remind_mail',
    '2026-03-20T14:00:00.000Z remind_on email tpl_remind_mail',
    '2026-03-23T14:00:00.000Z remind_after email tpl_remind_mail',
    '2026-03-26T14:00:00.000Z call voice tpl_call',
    '2026-03-29T14:00:00.000Z call voice tpl_call',
  ]);
  assert.equal(r.final.status, 'exited');
});

test('a reminder nobody confirms times out channel after channel, then the flow goes on', () => {
  const r = statementRun({ messageOutcomes: () => 'timeout', horizonSeconds: 17 * DAY });
  const remind = r.timeline.filter((t) => t.node_id === 'remind_before');
  assert.deepEqual(remind.map((t) => `${iso(t.at).slice(11, 16)} ${t.outcome} ${t.channel_type ?? ''}`.trim()), [
    '14:00 sent email', '15:00 timeout email', '15:00 sent sms', '16:00 timeout sms', '16:00 exhausted',
  ]);
  // The horizon (17 days, to 19 March) stops the clock with the run waiting for the due date.
  assert.equal(r.final.status, 'waiting');
  assert.equal(r.final.node, 'on_due');
});

/** NPS 45 days after the mortgage: survey, wait for the answer, split by score. */
const npsFlow: FlowDefinition = {
  entry: { type: 'date_field', field: 'mortgage_date', offset_days: 45, at: '10:00' },
  nodes: [
    { id: 'survey', type: 'send', channel_type: 'email', template_id: 'tpl_nps', next: 'answer' },
    { id: 'answer', type: 'wait_event', event: 'nps.answered', timeout_seconds: 7 * DAY, next: { event: 'score', timeout: 'end' } },
    { id: 'score', type: 'score_split', path: 'event.data.score', detractor: 'sorry', passive: 'thanks', promoter: 'later' },
    { id: 'sorry', type: 'update_contact', set: { nps_followup: true }, next: 'agent' },
    { id: 'agent', type: 'send', channel_type: 'voice', template_id: 'tpl_agent_call', next: 'end' },
    { id: 'thanks', type: 'send', channel_type: 'email', template_id: 'tpl_thanks', next: 'end' },
    { id: 'later', type: 'wait', seconds: 2 * DAY, next: 'referral' },
    { id: 'referral', type: 'send', channel_type: 'sms', template_id: 'tpl_referral', next: 'end' },
    { id: 'end', type: 'exit' },
  ],
};
const borrower = { id: 'ctc_luis', mortgage_date: '2026-01-15' };
// The date_field entry fires on 1 March at 10:00 in Bogotá.
const npsStart = dateFieldInstant(borrower.mortgage_date, 45, '10:00', BOGOTA)!;
const npsRun = (score: unknown, afterSeconds = 2 * DAY) => simulate({
  definition: npsFlow, contact: borrower, timezone: BOGOTA, channels, startAt: npsStart,
  events: score === undefined ? [] : [{ name: 'nps.answered', after_seconds: afterSeconds, data: { score } }],
});
const line = (r: ReturnType<typeof simulate>): string[] =>
  r.timeline.map((t) => `${iso(t.at).slice(0, 16)} ${t.node_id} ${t.outcome ?? ''}${t.channel_type ? ` ${t.channel_type}` : ''}`);

test('NPS 45 days after mortgage_date: a promoter gets the referral two days after answering', () => {
  assert.equal(iso(npsStart), '2026-03-01T15:00:00.000Z');
  const r = npsRun(10);
  assert.deepEqual(line(r), [
    '2026-03-01T15:00 survey sent email',
    '2026-03-01T15:00 answer waiting',
    '2026-03-03T15:00 answer event',
    '2026-03-03T15:00 score promoter',
    '2026-03-03T15:00 later waiting',
    '2026-03-05T15:00 later timer',
    '2026-03-05T15:00 referral sent sms',
    '2026-03-05T15:00 end exit',
  ]);
  assert.equal(r.sends[0]?.category, 'marketing');
});

test('NPS: a detractor is flagged and called; a passive is thanked; no answer times out', () => {
  const detractor = npsRun(3);
  assert.deepEqual(detractor.timeline.slice(3).map((t) => `${t.node_id}:${t.outcome}`), ['score:detractor', 'sorry:updated', 'agent:sent', 'end:exit']);
  assert.equal(detractor.contact.nps_followup, true);
  assert.deepEqual(detractor.effects.map((e) => e.type), ['send', 'update_contact', 'send']);
  assert.deepEqual(npsRun(8).sends.map((s) => s.template_id), ['tpl_nps', 'tpl_thanks']);
  const silent = npsRun(undefined);
  assert.deepEqual(line(silent).slice(2), ['2026-03-08T15:00 answer timeout', '2026-03-08T15:00 end exit']);
  // An answer after the timeout finds nobody waiting.
  assert.deepEqual(npsRun(10, 8 * DAY).sends.map((s) => s.template_id), ['tpl_nps']);
});

test('http answers come from httpOutcomes; the simulator is deterministic', () => {
  const fraud: FlowDefinition = {
    entry: { type: 'event', event: 'fraud.suspected' },
    nodes: [
      { id: 'block', type: 'http', method: 'POST', url: 'https://core.example/block', next: { success: 'told', failure: 'call' } },
      { id: 'told', type: 'send', channel_type: 'sms', template_id: 'tpl_blocked' },
      { id: 'call', type: 'send', channel_type: 'voice', template_id: 'tpl_call' },
    ],
  };
  const base = { definition: fraud, contact: {}, timezone: BOGOTA, startAt: issuedAt };
  assert.deepEqual(simulate(base).sends.map((s) => s.template_id), ['tpl_blocked']);
  const failed = simulate({ ...base, httpOutcomes: () => ({ outcome: 'failure', after_seconds: 3 }) });
  assert.deepEqual(failed.sends.map((s) => [iso(s.at), s.template_id]), [['2026-03-02T14:00:03.000Z', 'tpl_call']]);
  assert.deepEqual(statementRun(), statementRun());
});
