import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowDefinition, ScoreSplitNode } from '../definition/types.js';
import { scoreBand, splitPoint } from './nodes/routing.js';
import { event, flow, path, seconds, start, T0, wakeUp } from './testing.js';

const exits = ['a', 'b', 'c', 'd', 'other'].map((id) => ({ id, type: 'exit' as const }));
const endOf = (r: ReturnType<typeof start>): string | undefined => r.trace.at(-1)?.node_id;

test('branch on contact fields: first matching branch, else default', () => {
  const def = flow([
    {
      id: 'br', type: 'branch', default: 'other', branches: [
        { filter: { field: 'paid', op: 'eq', value: true }, next: 'a' },
        { filter: { and: [{ field: 'balance', op: 'gt', value: 1000 }, { field: 'segment', op: 'in', value: ['Gold', 'Silver'] }] }, next: 'b' },
        { filter: { field: 'balance', op: 'gt', value: 0 }, next: 'c' },
      ],
    },
    ...exits,
  ]);
  const at = (contact: Record<string, unknown>): string | undefined => endOf(start({ definition: def, contact }));
  assert.equal(at({ paid: true, balance: 5000, segment: 'Gold' }), 'a');
  assert.equal(at({ paid: false, balance: 5000, segment: 'Gold' }), 'b');
  assert.equal(at({ balance: 5000, segment: 'Bronze' }), 'c');
  assert.equal(at({ balance: 0 }), 'other');
  assert.equal(at({}), 'other');
  assert.deepEqual(path(start({ definition: def, contact: { balance: 5 } })), ['br:branch_2', 'c:exit']);
});

test('branch on event data (event.data.x or event.x) and on the previous step (last.outcome)', () => {
  const def = flow([
    { id: 'br', type: 'branch', default: 'other', branches: [
      { filter: { field: 'event.data.amount', op: 'gte', value: 1000 }, next: 'a' },
      { filter: { field: 'event.channel', op: 'eq', value: 'atm' }, next: 'b' },
      { filter: { field: 'event.name', op: 'starts_with', value: 'CARD.' }, next: 'c' },
    ] },
    ...exits,
  ]);
  const at = (name: string, data: Record<string, unknown>): string | undefined => endOf(start({ definition: def }, { event: event(name, data) }));
  assert.equal(at('card.used', { amount: 1500 }), 'a');
  assert.equal(at('card.used', { amount: '1500' }), 'a');
  assert.equal(at('card.used', { amount: 10, channel: 'atm' }), 'b');
  assert.equal(at('card.used', { amount: 10 }), 'c');
  assert.equal(at('other', {}), 'other');

  // last.outcome after a wait_event; the branch itself leaves `last` as it was.
  const afterWait = flow([
    { id: 'w', type: 'wait_event', event: 'reply', timeout_seconds: 60, next: { event: 'br', timeout: 'br' } },
    { id: 'br', type: 'branch', branches: [{ filter: { field: 'last.outcome', op: 'eq', value: 'timeout' }, next: 'br2' }], default: 'b' },
    { id: 'br2', type: 'branch', branches: [{ filter: { field: 'last.outcome', op: 'eq', value: 'timeout' }, next: 'a' }], default: 'b' },
    ...exits,
  ]);
  const waiting = start({ definition: afterWait });
  assert.deepEqual(path(wakeUp({ definition: afterWait }, waiting.run, { kind: 'timer' }, seconds(T0, 60))), ['w:timeout', 'br:branch_0', 'br2:branch_0', 'a:exit']);
  assert.deepEqual(path(wakeUp({ definition: afterWait }, waiting.run, { kind: 'event', event: event('reply') }, seconds(T0, 5))), ['w:event', 'br:default', 'b:exit']);
});

test('branch within_next_days counts calendar days in the run time zone', () => {
  const def = flow([
    { id: 'br', type: 'branch', branches: [{ filter: { field: 'due_date', op: 'within_next_days', value: 3 }, next: 'a' }], default: 'other' },
    ...exits,
  ]);
  // 21:30 on 2 March in Bogotá is 02:30 UTC on the 3rd: "today" is still the 2nd there, so the 5th is within 3 days.
  const late = new Date('2026-03-03T02:30:00.000Z');
  assert.equal(endOf(start({ definition: def, contact: { due_date: '2026-03-05' } }, { now: late })), 'a');
  assert.equal(endOf(start({ definition: def, contact: { due_date: '2026-03-06' } }, { now: late })), 'other');
  assert.equal(endOf(start({ definition: def, contact: { due_date: '2026-03-05' }, timezone: 'UTC' }, { now: late })), 'a');
  assert.equal(endOf(start({ definition: def, contact: { due_date: '2026-03-02' }, timezone: 'UTC' }, { now: late })), 'other');
});

const nps: ScoreSplitNode = { id: 'nps', type: 'score_split', path: 'event.data.score', detractor: 'a', passive: 'b', promoter: 'c' };

test('score_split: 0–6 detractor, 7–8 passive, 9–10 promoter; invalid to `invalid`, else passive', () => {
  const def = flow([nps, ...exits]);
  const route = (d: FlowDefinition, score: unknown): string => path(start({ definition: d }, { event: event('nps.answered', { score }) })).join(' ');
  for (const [score, want] of [[0, 'a'], [6, 'a'], [7, 'b'], [8, 'b'], [9, 'c'], [10, 'c'], ['9', 'c']] as const) {
    assert.equal(route(def, score), `nps:${want === 'a' ? 'detractor' : want === 'b' ? 'passive' : 'promoter'} ${want}:exit`, String(score));
  }
  assert.equal(route(def, 11), 'nps:invalid b:exit');
  assert.equal(route(def, undefined), 'nps:invalid b:exit');
  const withInvalid = flow([{ ...nps, invalid: 'd' }, ...exits]);
  assert.equal(route(withInvalid, 'great'), 'nps:invalid d:exit');
  assert.deepEqual([6.5, -1, null, '', true, '10.0'].map(scoreBand), Array(6).fill('invalid'));
  // A contact field works the same (contact.nps or bare nps).
  const onContact = flow([{ ...nps, path: 'contact.nps' }, ...exits]);
  assert.equal(endOf(start({ definition: onContact, contact: { nps: 10 } })), 'c');
});

test('random_split: stable per run, close to the percentages over 10,000 runs', () => {
  const def = flow([
    { id: 'split', type: 'random_split', branches: [{ percent: 10, next: 'a' }, { percent: 30, next: 'b' }, { percent: 60, next: 'c' }] },
    ...exits,
  ]);
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 10_000; i++) {
    const end = endOf(start({ definition: def }, { runId: `run_${i}` }));
    if (end) counts[end] = (counts[end] ?? 0) + 1;
  }
  // Expected 1,000 / 3,000 / 6,000; 4 standard deviations of a binomial is under 200.
  assert.ok(Math.abs((counts.a ?? 0) - 1000) < 130, JSON.stringify(counts));
  assert.ok(Math.abs((counts.b ?? 0) - 3000) < 190, JSON.stringify(counts));
  assert.ok(Math.abs((counts.c ?? 0) - 6000) < 200, JSON.stringify(counts));
  // The same run takes the same branch every time.
  for (const id of ['run_7', 'run_99', 'run_abc']) {
    assert.equal(endOf(start({ definition: def }, { runId: id })), endOf(start({ definition: def }, { runId: id })));
  }
  assert.equal(splitPoint('r', 'n'), splitPoint('r', 'n'));
  assert.notEqual(splitPoint('r', 'n1'), splitPoint('r', 'n2'));
});

test('random_split with a hold-out branch to exit', () => {
  const def = flow([
    { id: 'split', type: 'random_split', branches: [{ percent: 90, next: 'send' }, { percent: 10, next: 'holdout' }] },
    { id: 'send', type: 'send', channel_type: 'email', template_id: 'offer' },
    { id: 'holdout', type: 'exit' },
  ]);
  let held = 0;
  for (let i = 0; i < 2000; i++) if (start({ definition: def }, { runId: `r${i}` }).effects.length === 0) held++;
  assert.ok(held > 140 && held < 260, String(held));
});

test('loop: passes 1…max go to next, then done', () => {
  const def = flow([
    { id: 'loop', type: 'loop', max: 2, next: 'call', done: 'end' },
    { id: 'call', type: 'send', channel_type: 'voice', template_id: 'tpl_call', next: 'w' },
    { id: 'w', type: 'wait', seconds: 10, next: 'loop' },
    { id: 'end', type: 'exit' },
  ]);
  let r = start({ definition: def });
  assert.deepEqual(r.run.vars.loops, { loop: 1 });
  r = wakeUp({ definition: def }, r.run, { kind: 'timer' }, seconds(T0, 10));
  assert.deepEqual(path(r), ['w:timer', 'loop:next', 'call:sent', 'w:waiting']);
  r = wakeUp({ definition: def }, r.run, { kind: 'timer' }, seconds(T0, 20));
  assert.deepEqual(path(r), ['w:timer', 'loop:done', 'end:exit']);
  assert.deepEqual(r.run.vars.loops, {});
});
