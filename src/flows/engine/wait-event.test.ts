import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventMatchesWait, waitIndex } from './match.js';
import { event, flow, path, seconds, start, T0, wakeUp } from './testing.js';

// The fraud alert: wait for the customer's answer about THIS transaction, for 10 minutes.
const fraud = flow([
  { id: 'ask', type: 'send', channel_type: 'sms', template_id: 'tpl_fraud', next: 'answer' },
  {
    id: 'answer', type: 'wait_event', event: 'fraud.answered', match: { 'data.answer': 'not_me' },
    correlate: 'data.transaction_id', timeout_seconds: 600, next: { event: 'block', timeout: 'call' },
  },
  { id: 'block', type: 'emit', event: 'card.block', next: 'end' },
  { id: 'call', type: 'send', channel_type: 'voice', template_id: 'tpl_call', next: 'end' },
  { id: 'end', type: 'exit' },
], { entry: { type: 'event', event: 'fraud.suspected' } });

const trigger = event('fraud.suspected', { transaction_id: 'tx_42', amount: 990 });

test('wait_event records what it waits for, with the correlation value of the triggering event', () => {
  const r = start({ definition: fraud }, { event: trigger });
  assert.deepEqual(path(r), ['ask:sent', 'answer:waiting']);
  assert.deepEqual(r.run.wait, {
    kind: 'event', node: 'answer', event: 'fraud.answered', match: { 'data.answer': 'not_me' },
    correlation: { path: 'data.transaction_id', value: 'tx_42' },
  });
  assert.deepEqual(r.run.dueAt, seconds(T0, 600));
  assert.deepEqual(waitIndex(r.run.wait), { wait_event: 'fraud.answered', correlation: 'tx_42' });
});

test('only the event with the same name, matching data and the same correlation value resumes the run', () => {
  const r = start({ definition: fraud }, { event: trigger });
  const at = seconds(T0, 120);
  const wrong = [
    event('fraud.answered', { answer: 'not_me', transaction_id: 'tx_43' }, at), // another transaction
    event('fraud.answered', { answer: 'was_me', transaction_id: 'tx_42' }, at), // does not match
    event('fraud.answered', { answer: 'not_me' }, at), // no correlation value
    event('fraud.other', { answer: 'not_me', transaction_id: 'tx_42' }, at),
  ];
  for (const e of wrong) {
    const again = wakeUp({ definition: fraud }, r.run, { kind: 'event', event: e }, at);
    assert.equal(again.run, r.run, JSON.stringify(e.data));
  }
  const answer = event('fraud.answered', { answer: 'not_me', transaction_id: 'tx_42' }, at);
  const ok = wakeUp({ definition: fraud }, r.run, { kind: 'event', event: answer }, at);
  assert.deepEqual(path(ok), ['answer:event', 'block:emitted', 'end:exit']);
  // The awaited event becomes the run's event for the steps after the wait.
  assert.deepEqual(ok.run.vars.event, answer);
  assert.deepEqual(ok.trace[0]?.detail, { event: 'fraud.answered' });
});

test('no answer: the timeout branch at timeout_seconds', () => {
  const r = start({ definition: fraud }, { event: trigger });
  const early = wakeUp({ definition: fraud }, r.run, { kind: 'timer' }, seconds(T0, 599));
  assert.equal(early.run, r.run);
  const late = wakeUp({ definition: fraud }, r.run, { kind: 'timer' }, seconds(T0, 600));
  assert.deepEqual(path(late), ['answer:timeout', 'call:sent', 'end:exit']);
  assert.equal(late.effects[0]?.type === 'send' && late.effects[0].channel_type, 'voice');
});

test('the goal exits a run waiting for an event; match paths may omit "data."', () => {
  const def = { ...fraud, goal: { event: 'case.closed' } };
  const r = start({ definition: def }, { event: trigger });
  const closed = wakeUp({ definition: def }, r.run, { kind: 'event', event: event('case.closed') }, seconds(T0, 30));
  assert.equal(closed.run.status, 'exited');
  assert.deepEqual(closed.trace.map((t) => t.node_id), ['answer']);

  const wait = { kind: 'event' as const, node: 'w', event: 'x', match: { answer: 'yes', 'data.n': 3 } };
  assert.equal(eventMatchesWait(wait, event('x', { answer: 'yes', n: '3' })), true);
  assert.equal(eventMatchesWait(wait, event('x', { answer: 'yes' })), false);
  assert.equal(eventMatchesWait(null, event('x', { answer: 'yes', n: 3 })), false);
});
