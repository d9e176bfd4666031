import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance } from './advance.js';
import { event, flow, path, seconds, start, T0, wakeUp } from './testing.js';
import type { Effect } from './types.js';

const statement = flow([
  { id: 'send1', type: 'send', channel_type: 'email', template_id: 'tpl_1', next: 'wait1' },
  { id: 'wait1', type: 'wait', seconds: 3600, next: 'send2' },
  { id: 'send2', type: 'send', channel_type: 'sms', template_id: 'tpl_2', next: 'done' },
  { id: 'done', type: 'exit' },
], { goal: { event: 'payment.received' } });

test('a send goes on at once and carries the key (run, node, iteration); the wait sets the timer', () => {
  const r = start({ definition: statement }, { event: event('test.started', { amount: 120 }) });
  assert.deepEqual(path(r), ['send1:sent', 'wait1:waiting']);
  assert.equal(r.run.status, 'waiting');
  assert.equal(r.run.node, 'wait1');
  assert.deepEqual(r.run.dueAt, seconds(T0, 3600));
  assert.deepEqual(r.effects, [{
    type: 'send', key: 'run_1:send1:1', node: 'send1', channel_type: 'email', template_id: 'tpl_1',
    category: 'transactional', data: { amount: 120 }, await_outcome: false,
  }]);
  assert.deepEqual(r.trace.map((t) => t.iteration), [1, 2]);

  const later = wakeUp({ definition: statement }, r.run, { kind: 'timer' }, seconds(T0, 3600));
  assert.deepEqual(path(later), ['wait1:timer', 'send2:sent', 'done:exit']);
  assert.equal(later.effects[0]?.key, 'run_1:send2:4');
  assert.equal(later.run.status, 'done');
  assert.equal(later.run.node, null);
});

test('replay-safe: the same state and wake give the same effects with the same keys, and the input is not changed', () => {
  const first = start({ definition: statement });
  const frozen = structuredClone(first.run);
  const wake = { kind: 'timer' } as const;
  const a = wakeUp({ definition: statement }, first.run, wake, seconds(T0, 7200));
  const b = wakeUp({ definition: statement }, first.run, wake, seconds(T0, 7200));
  assert.deepEqual(a, b);
  assert.deepEqual(first.run, frozen);
  const keys = (effects: Effect[]): string[] => effects.map((e) => e.key);
  assert.deepEqual(keys(a.effects), ['run_1:send2:4']);
});

test('a send in a loop gets a new key on every pass', () => {
  const def = flow([
    { id: 'loop', type: 'loop', max: 3, next: 'send', done: 'end' },
    { id: 'send', type: 'send', channel_type: 'voice', template_id: 'call', next: 'pause' },
    { id: 'pause', type: 'wait', seconds: 60, next: 'loop' },
    { id: 'end', type: 'exit' },
  ]);
  let r = start({ definition: def });
  const keys = [...r.effects.map((e) => e.key)];
  for (let i = 1; r.run.status === 'waiting'; i++) {
    r = wakeUp({ definition: def }, r.run, { kind: 'timer' }, seconds(T0, 60 * i));
    keys.push(...r.effects.map((e) => e.key));
  }
  assert.equal(new Set(keys).size, 3);
  assert.deepEqual(keys, ['run_1:send:2', 'run_1:send:6', 'run_1:send:10']);
  assert.equal(r.run.status, 'done');
});

test('a timer wake before dueAt, a start on a waiting run, or an unrelated event change nothing', () => {
  const r = start({ definition: statement });
  for (const [wake, at] of [
    [{ kind: 'timer' }, seconds(T0, 3599)],
    [{ kind: 'start' }, seconds(T0, 3700)],
    [{ kind: 'event', event: event('other') }, seconds(T0, 10)],
    [{ kind: 'message', key: 'run_1:send1:1', status: 'delivered' }, seconds(T0, 10)],
  ] as const) {
    const again = wakeUp({ definition: statement }, r.run, wake, at);
    assert.equal(again.run, r.run);
    assert.deepEqual([again.effects, again.trace], [[], []]);
  }
});

test('the goal pulls the run out of a wait, wherever it is', () => {
  const r = start({ definition: statement });
  const paid = wakeUp({ definition: statement }, r.run, { kind: 'event', event: event('payment.received', {}, seconds(T0, 60)) }, seconds(T0, 60));
  assert.equal(paid.run.status, 'exited');
  assert.equal(paid.run.node, null);
  assert.equal(paid.run.dueAt, null);
  assert.deepEqual(paid.trace.map((t) => [t.node_id, t.type, t.outcome]), [['wait1', 'goal', 'exited']]);
  assert.deepEqual(paid.effects, []);
  // An ended run ignores everything after.
  const after = wakeUp({ definition: statement }, paid.run, { kind: 'timer' }, seconds(T0, 7200));
  assert.deepEqual(after.trace, []);
});

test('a goal with match only takes matching events', () => {
  const def = { ...statement, goal: { event: 'payment.received', match: { 'data.full': true } } };
  const r = start({ definition: def });
  const partial = wakeUp({ definition: def }, r.run, { kind: 'event', event: event('payment.received', { full: false }) }, seconds(T0, 60));
  assert.equal(partial.run.status, 'waiting');
  const full = wakeUp({ definition: def }, r.run, { kind: 'event', event: event('payment.received', { full: true }) }, seconds(T0, 60));
  assert.equal(full.run.status, 'exited');
});

test('maxSteps fails a runaway graph instead of spinning', () => {
  const def = flow([
    { id: 'a', type: 'branch', branches: [], default: 'b' },
    { id: 'b', type: 'branch', branches: [], default: 'a' },
  ]);
  const r = start({ definition: def, maxSteps: 50 });
  assert.equal(r.run.status, 'failed');
  assert.match(r.run.error ?? '', /max_steps/);
  assert.equal(r.trace.length, 51);
  assert.deepEqual(r.trace.at(-1)?.type, 'error');
  const byDefault = start({ definition: def });
  assert.equal(byDefault.trace.length, 1001);
});

test('a dangling edge or a malformed filter fails the run and keeps the effects before it', () => {
  const dangling = flow([
    { id: 's', type: 'send', channel_type: 'sms', template_id: 't', next: 'nowhere' },
  ]);
  const r = start({ definition: dangling });
  assert.equal(r.run.status, 'failed');
  assert.match(r.run.error ?? '', /no node "nowhere"/);
  assert.equal(r.effects.length, 1);

  const badFilter = flow([{ id: 'b', type: 'branch', branches: [{ filter: { field: 'x', op: 'sounds_like', value: 1 }, next: 'b' }] }]);
  const f = start({ definition: badFilter, contact: { x: 1 } });
  assert.equal(f.run.status, 'failed');
  assert.match(f.run.error ?? '', /unknown filter op/);
});

test('the end of a path without an exit node ends the run as done', () => {
  const def = flow([{ id: 'only', type: 'emit', event: 'flow.hello' }]);
  const r = start({ definition: def });
  assert.equal(r.run.status, 'done');
  assert.deepEqual(r.effects, [{ type: 'emit', key: 'run_1:only:1', node: 'only', event: 'flow.hello', data: {} }]);
});

test('actions: update_contact, list, subscription and emit ask for their effects; literal updates are visible to a later branch', () => {
  const def = flow([
    { id: 'u', type: 'update_contact', set: { stage: 'won', note: 'Hola {{ contact.name }}', shout: '{{ contact.name | upcase }}' }, next: 'l' },
    { id: 'l', type: 'list', add: 'lst_vip', next: 'r' },
    { id: 'r', type: 'list', remove: 'lst_leads', next: 's' },
    { id: 's', type: 'subscription', category: 'marketing', consent: false, next: 'e' },
    { id: 'e', type: 'emit', event: 'lead.won', data: { source: 'flow' }, next: 'b' },
    { id: 'b', type: 'branch', branches: [{ filter: { and: [{ field: 'stage', op: 'eq', value: 'won' }, { field: 'consent_marketing', op: 'eq', value: false }] }, next: 'yes' }], default: 'no' },
    { id: 'yes', type: 'exit' },
    { id: 'no', type: 'exit' },
  ], { entry: { type: 'segment', segment_id: 'seg_1' } });
  const r = start({ definition: def, contact: { name: 'Ana', stage: 'lead', consent_marketing: true } });
  assert.deepEqual(path(r), ['u:updated', 'l:added', 'r:removed', 's:unsubscribed', 'e:emitted', 'b:branch_0', 'yes:exit']);
  assert.deepEqual(r.effects.map((e) => e.type), ['update_contact', 'list', 'list', 'subscription', 'emit']);
  // Plain tags are resolved by the engine; Liquid with filters is left for the worker.
  assert.deepEqual(r.effects[0], { type: 'update_contact', key: 'run_1:u:1', node: 'u', set: { stage: 'won', note: 'Hola Ana', shout: '{{ contact.name | upcase }}' } });
  assert.deepEqual(r.effects[2], { type: 'list', key: 'run_1:r:3', node: 'r', op: 'remove', list_id: 'lst_leads' });
  assert.deepEqual(r.effects[3], { type: 'subscription', key: 'run_1:s:4', node: 's', category: 'marketing', consent: false });
});

test('send category: transactional for event entries, marketing for segment entries, unless the node says', () => {
  const node = { id: 's', type: 'send', channel_type: 'email', template_id: 't' } as const;
  const ev = start({ definition: flow([node]) });
  const seg = start({ definition: flow([node], { entry: { type: 'segment', segment_id: 'seg' } }) });
  const own = start({ definition: flow([{ ...node, category: 'marketing' }]) });
  const cat = (r: typeof ev): unknown => (r.effects[0]?.type === 'send' ? r.effects[0].category : undefined);
  assert.deepEqual([cat(ev), cat(seg), cat(own)], ['transactional', 'marketing', 'marketing']);
});

test('start honours definition.start', () => {
  const def = flow([
    { id: 'a', type: 'emit', event: 'a' },
    { id: 'b', type: 'emit', event: 'b' },
  ], { start: 'b' });
  assert.deepEqual(path(start({ definition: def })), ['b:emitted']);
  // advance is exported directly too; a run created by hand with node null starts at `start`.
  const r = advance({
    run: { id: 'x', accountId: 'a', flowId: 'f', version: 1, contactId: 'c', node: null, status: 'active', dueAt: null, wait: null, iteration: 0, vars: { loops: {} }, enteredAt: T0 },
    definition: def, contact: {}, wake: { kind: 'start' }, now: T0, timezone: 'UTC', channels: [],
  });
  assert.deepEqual(path(r), ['b:emitted']);
});
