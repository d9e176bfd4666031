import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpNode } from '../definition/types.js';
import { httpSucceeded, HTTP_ANSWER_GRACE_SECONDS } from './nodes/http.js';
import { event, flow, path, seconds, start, T0, wakeUp } from './testing.js';

const block: HttpNode = {
  id: 'block', type: 'http', method: 'POST', url: 'https://core.bank.example/cards/block',
  body: { transaction: '{{ event.data.transaction_id }}' }, headers: { 'x-source': 'conversa' }, timeout_seconds: 5,
  success_when: { status: [200, 202], path: 'blocked', equals: true },
  next: { success: 'ok', failure: 'ko' },
};
const def = flow([
  block,
  { id: 'ok', type: 'branch', branches: [{ filter: { field: 'last.result.blocked', op: 'eq', value: true }, next: 'done' }], default: 'done' },
  { id: 'ko', type: 'send', channel_type: 'voice', template_id: 'call_agent', next: 'done' },
  { id: 'done', type: 'exit' },
]);
const d = { definition: def };

test('http asks the worker for the call (its tags filled in from the event) and waits for its answer', () => {
  const r = start(d, { event: event('fraud.suspected', { transaction_id: 'tx_1' }) });
  assert.deepEqual(path(r), ['block:waiting']);
  assert.deepEqual(r.effects, [{
    type: 'http', key: 'run_1:block:1', node: 'block', method: 'POST', url: block.url, body: { transaction: 'tx_1' },
    headers: block.headers, timeout_seconds: 5, success_when: block.success_when,
  }]);
  assert.deepEqual(r.run.wait, { kind: 'action', node: 'block', action_key: 'run_1:block:1' });
  assert.deepEqual(r.run.dueAt, seconds(T0, 5 + HTTP_ANSWER_GRACE_SECONDS));
});

test('action_result success → next.success with the result in last; failure → next.failure', () => {
  const r = start(d);
  const ok = wakeUp(d, r.run, { kind: 'action_result', key: 'run_1:block:1', outcome: 'success', result: { status: 200, blocked: true } }, seconds(T0, 1));
  assert.deepEqual(path(ok), ['block:success', 'ok:branch_0', 'done:exit']);
  assert.deepEqual(ok.run.vars.last, { outcome: 'success', result: { status: 200, blocked: true } });
  const ko = wakeUp(d, r.run, { kind: 'action_result', key: 'run_1:block:1', outcome: 'failure', result: { status: 503 } }, seconds(T0, 1));
  assert.deepEqual(path(ko), ['block:failure', 'ko:sent', 'done:exit']);
  // An answer for another key (a different step) changes nothing.
  const other = wakeUp(d, r.run, { kind: 'action_result', key: 'run_1:block:9', outcome: 'success' }, seconds(T0, 1));
  assert.equal(other.run, r.run);
});

test('no answer at all: failure after the timeout and the grace period', () => {
  const r = start(d);
  const lost = wakeUp(d, r.run, { kind: 'timer' }, seconds(T0, 5 + HTTP_ANSWER_GRACE_SECONDS));
  assert.deepEqual(path(lost), ['block:failure', 'ko:sent', 'done:exit']);
  assert.deepEqual(lost.effects.map((e) => e.key), ['run_1:ko:3']);
});

test('httpSucceeded: 2xx by default, listed statuses, a JSON path and value', () => {
  assert.equal(httpSucceeded(undefined, { status: 204, body: null }), true);
  assert.equal(httpSucceeded(undefined, { status: 302, body: null }), false);
  assert.equal(httpSucceeded({ status: [409] }, { status: 409, body: null }), true);
  assert.equal(httpSucceeded(block.success_when, { status: 202, body: { blocked: true } }), true);
  assert.equal(httpSucceeded(block.success_when, { status: 202, body: { blocked: false } }), false);
  assert.equal(httpSucceeded(block.success_when, { status: 500, body: { blocked: true } }), false);
  assert.equal(httpSucceeded({ path: 'result.id' }, { status: 200, body: { result: { id: 'x' } } }), true);
  assert.equal(httpSucceeded({ path: 'result.id' }, { status: 200, body: { result: {} } }), false);
});

test('an http url takes tags percent-encoded, one path segment each', () => {
  const node: HttpNode = { ...block, url: 'https://core.bank.example/tx/{{ event.data.transaction_id }}/block?by={{ contact.name }}' };
  const r = start({ definition: flow([node, { id: 'ok', type: 'exit' }, { id: 'ko', type: 'exit' }, { id: 'done', type: 'exit' }]), contact: { name: 'Ana María' } },
    { event: event('fraud.suspected', { transaction_id: 'a/b c' }) });
  assert.equal((r.effects[0] as { url: string }).url, 'https://core.bank.example/tx/a%2Fb%20c/block?by=Ana%20Mar%C3%ADa');
});
