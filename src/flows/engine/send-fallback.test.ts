import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SendFallbackNode } from '../definition/types.js';
import { channelOrder } from './nodes/send-fallback.js';
import { flow, path, seconds, start, T0, wakeUp, type Drive } from './testing.js';
import type { AdvanceResult, Effect } from './types.js';

const fallback: SendFallbackNode = {
  id: 'fb', type: 'send_fallback', channels: ['push', 'email', 'sms', 'voice'],
  templates: { push: 'tpl_push', email: 'tpl_mail', sms: 'tpl_sms', voice: 'tpl_voice' }, confirm_within_seconds: 300,
  next: { delivered: 'ok', exhausted: 'ko' },
};
const drive = (node: SendFallbackNode = fallback, channels: Drive['channels'] = []): Drive => ({
  definition: flow([node, { id: 'ok', type: 'exit' }, { id: 'ko', type: 'exit' }]),
  channels,
});
const sent = (r: AdvanceResult): Extract<Effect, { type: 'send' }>[] =>
  r.effects.filter((e): e is Extract<Effect, { type: 'send' }> => e.type === 'send');
const keyOf = (r: AdvanceResult): string => sent(r)[0]?.key ?? '';

test('the first channel is sent and the run waits for its outcome or the confirmation timeout', () => {
  const r = start(drive());
  assert.deepEqual(path(r), ['fb:sent']);
  assert.deepEqual(sent(r).map((e) => [e.channel_type, e.template_id, e.key, e.await_outcome]), [['push', 'tpl_push', 'run_1:fb:1', true]]);
  assert.deepEqual(r.run.wait, { kind: 'message', node: 'fb', keys: ['run_1:fb:1'], channel_type: 'push' });
  assert.deepEqual(r.run.dueAt, seconds(T0, 300));
});

test('delivered → next.delivered; "sent" alone confirms nothing', () => {
  const d = drive();
  const r = start(d);
  const justSent = wakeUp(d, r.run, { kind: 'message', key: keyOf(r), status: 'sent', channel_type: 'push' }, seconds(T0, 1));
  assert.equal(justSent.run, r.run);
  const ok = wakeUp(d, r.run, { kind: 'message', key: keyOf(r), status: 'delivered', channel_type: 'push' }, seconds(T0, 5));
  assert.deepEqual(path(ok), ['fb:delivered', 'ok:exit']);
  assert.deepEqual(ok.run.vars.last, { outcome: 'delivered', status: 'delivered', channel_type: 'push' });
  assert.equal(ok.run.vars.fallback, undefined);
});

test('no address, bounced, timeout: each moves to the next channel with a new key; delivered on voice', () => {
  const d = drive();
  let r = start(d);
  const steps: AdvanceResult[] = [r];
  r = wakeUp(d, r.run, { kind: 'message', key: keyOf(r), status: 'no_address', channel_type: 'push' }, seconds(T0, 1));
  steps.push(r);
  assert.deepEqual(path(r), ['fb:no_address', 'fb:sent']);
  r = wakeUp(d, r.run, { kind: 'message', key: keyOf(r), status: 'bounced', channel_type: 'email' }, seconds(T0, 60));
  steps.push(r);
  assert.deepEqual(path(r), ['fb:bounced', 'fb:sent']);
  // SMS: no delivery receipt within 300 s.
  const early = wakeUp(d, r.run, { kind: 'timer' }, seconds(T0, 359));
  assert.equal(early.run, r.run);
  r = wakeUp(d, r.run, { kind: 'timer' }, seconds(T0, 360));
  steps.push(r);
  assert.deepEqual(path(r), ['fb:timeout', 'fb:sent']);
  r = wakeUp(d, r.run, { kind: 'message', key: keyOf(r), status: 'delivered', channel_type: 'voice' }, seconds(T0, 400));
  assert.deepEqual(path(r), ['fb:delivered', 'ok:exit']);

  const attempts = steps.flatMap(sent);
  assert.deepEqual(attempts.map((e) => e.channel_type), ['push', 'email', 'sms', 'voice']);
  assert.deepEqual(attempts.map((e) => e.key), ['run_1:fb:1', 'run_1:fb:3', 'run_1:fb:5', 'run_1:fb:7']);
});

test('all channels failing → next.exhausted; a failure report for an older attempt is ignored', () => {
  const d = drive({ ...fallback, channels: ['email', 'sms'] });
  let r = start(d);
  const first = keyOf(r);
  r = wakeUp(d, r.run, { kind: 'message', key: first, status: 'failed' }, seconds(T0, 1));
  const stale = wakeUp(d, r.run, { kind: 'message', key: first, status: 'bounced' }, seconds(T0, 2));
  assert.equal(stale.run, r.run);
  r = wakeUp(d, r.run, { kind: 'message', key: keyOf(r), status: 'suppressed' }, seconds(T0, 3));
  assert.deepEqual(path(r), ['fb:suppressed', 'fb:exhausted', 'ko:exit']);
  assert.deepEqual(r.run.vars.last, { outcome: 'exhausted', tried: ['email', 'sms'] });
});

test('a late "delivered" for an earlier attempt still counts', () => {
  const d = drive();
  let r = start(d);
  const push = keyOf(r);
  r = wakeUp(d, r.run, { kind: 'timer' }, seconds(T0, 300));
  assert.equal(sent(r)[0]?.channel_type, 'email');
  r = wakeUp(d, r.run, { kind: 'message', key: push, status: 'delivered' }, seconds(T0, 310));
  assert.deepEqual(path(r), ['fb:delivered', 'ok:exit']);
  assert.equal(r.run.vars.last?.channel_type, 'push');
});

test('by_cost: the account channels cheapest first, only those with a template, ties in the account order', () => {
  const node: SendFallbackNode = { ...fallback, channels: 'by_cost', templates: { sms: 'tpl_sms', email: 'tpl_mail', voice: 'tpl_voice' } };
  const channels = [
    { kind: 'voice', cost: 0.12 }, { kind: 'sms', cost: 0.02 }, { kind: 'push', cost: 0 }, { kind: 'email', cost: 0.0004 }, { kind: 'webhook', cost: 0.0004 },
  ];
  assert.deepEqual(channelOrder(node, channels), ['email', 'sms', 'voice']);
  assert.deepEqual(channelOrder(node, [{ kind: 'sms', cost: 1 }, { kind: 'email', cost: 1 }]), ['sms', 'email']);
  const r = start(drive(node, channels));
  assert.equal(sent(r)[0]?.channel_type, 'email');
  assert.deepEqual(r.run.vars.fallback?.order, ['email', 'sms', 'voice']);
});

test('no usable channel at all → exhausted at once', () => {
  const r = start(drive({ ...fallback, channels: 'by_cost' }, []));
  assert.deepEqual(path(r), ['fb:exhausted', 'ko:exit']);
  assert.deepEqual(r.effects, []);
});

test('replaying a fallback step yields the same send key', () => {
  const d = drive();
  const r = start(d);
  const wake = { kind: 'message', key: keyOf(r), status: 'bounced' } as const;
  assert.deepEqual(wakeUp(d, r.run, wake, seconds(T0, 9)), wakeUp(d, r.run, wake, seconds(T0, 9)));
});
