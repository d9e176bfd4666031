import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WaitNode } from '../definition/types.js';
import { dateFieldInstant, nextLocalTime, parseHhmm } from './local-time.js';
import { BOGOTA, event, flow, path, seconds, start, T0, wakeUp } from './testing.js';

// T0 is Monday 2 March 2026, 09:00 in Bogotá (14:00 UTC).
const waitThenExit = (wait: Omit<WaitNode, 'id' | 'type' | 'next'>) =>
  flow([{ id: 'w', type: 'wait', next: 'end', ...wait }, { id: 'end', type: 'exit' }]);

test('wait {seconds} sets dueAt = now + seconds and resumes on the timer; 0 seconds goes on at once', () => {
  const def = waitThenExit({ seconds: 259_200 });
  const r = start({ definition: def });
  assert.deepEqual(r.run.dueAt, new Date('2026-03-05T14:00:00.000Z'));
  assert.deepEqual(r.run.wait, { kind: 'timer', node: 'w' });
  const done = wakeUp({ definition: def }, r.run, { kind: 'timer' }, new Date('2026-03-05T14:00:00.000Z'));
  assert.deepEqual(path(done), ['w:timer', 'end:exit']);
  assert.deepEqual(path(start({ definition: waitThenExit({ seconds: 0 }) })), ['w:timer', 'end:exit']);
});

test('wait until a date field with an offset at 09:00 in America/Bogota', () => {
  const def = waitThenExit({ until_field: 'due_date', offset_days: -3, at: '09:00' });
  const r = start({ definition: def, contact: { due_date: '2026-03-20' } });
  // 17 March 09:00 in Bogotá = 14:00 UTC.
  assert.deepEqual(r.run.dueAt, new Date('2026-03-17T14:00:00.000Z'));
  const after = waitThenExit({ until_field: 'due_date', offset_days: 3, at: '09:00' });
  assert.deepEqual(start({ definition: after, contact: { due_date: '2026-03-20' } }).run.dueAt, new Date('2026-03-23T14:00:00.000Z'));
});

test('until_field reads the event too, and a date without `at` means local midnight', () => {
  const def = waitThenExit({ until_field: 'event.data.due_date' });
  const r = start({ definition: def }, { event: event('statement.issued', { due_date: '2026-03-10' }) });
  assert.deepEqual(r.run.dueAt, new Date('2026-03-10T05:00:00.000Z'));
  const contactPrefix = waitThenExit({ until_field: 'contact.due_date', offset_days: 1 });
  assert.deepEqual(start({ definition: contactPrefix, contact: { due_date: '2026-03-10' } }).run.dueAt, new Date('2026-03-11T05:00:00.000Z'));
});

test('a date already past goes on at once; a missing or invalid date goes on with outcome no_date', () => {
  const def = waitThenExit({ until_field: 'due_date', offset_days: -3, at: '09:00' });
  assert.deepEqual(path(start({ definition: def, contact: { due_date: '2026-03-04' } })), ['w:timer', 'end:exit']);
  // 2 March 09:00 is exactly now: nothing to wait for.
  assert.deepEqual(path(start({ definition: def, contact: { due_date: '2026-03-05' } })), ['w:timer', 'end:exit']);
  assert.deepEqual(path(start({ definition: def, contact: {} })), ['w:no_date', 'end:exit']);
  assert.deepEqual(path(start({ definition: def, contact: { due_date: '2026-02-31' } })), ['w:no_date', 'end:exit']);
});

test('wait {at: HH:MM}: later today, or tomorrow once the time has passed today', () => {
  assert.deepEqual(start({ definition: waitThenExit({ at: '18:30' }) }).run.dueAt, new Date('2026-03-02T23:30:00.000Z'));
  assert.deepEqual(start({ definition: waitThenExit({ at: '08:00' }) }).run.dueAt, new Date('2026-03-03T13:00:00.000Z'));
  // In Tokyo (UTC+9) it is already 23:00 on 2 March; 08:00 is the morning of the 3rd.
  const tokyo = start({ definition: waitThenExit({ at: '08:00' }), timezone: 'Asia/Tokyo' });
  assert.deepEqual(tokyo.run.dueAt, new Date('2026-03-02T23:00:00.000Z'));
  assert.deepEqual(path(start({ definition: waitThenExit({ at: '09:00' }) })), ['w:timer', 'end:exit']);
});

test('wait {at} with a malformed time fails the run, naming the node', () => {
  const r = start({ definition: waitThenExit({ at: '9am' }) });
  assert.equal(r.run.status, 'failed');
  assert.match(r.run.error ?? '', /node "w"/);
});

test('local times are DST-safe (America/New_York springs forward on 8 March 2026)', () => {
  const ny = 'America/New_York';
  // 02:30 does not exist on 8 March: the moment of the jump, 03:00 EDT.
  assert.deepEqual(dateFieldInstant('2026-03-07', 1, '02:30', ny), new Date('2026-03-08T07:00:00.000Z'));
  // 09:00 before and after the change: 14:00 UTC, then 13:00 UTC.
  assert.deepEqual(dateFieldInstant('2026-03-07', 0, '09:00', ny), new Date('2026-03-07T14:00:00.000Z'));
  assert.deepEqual(dateFieldInstant('2026-03-07', 2, '09:00', ny), new Date('2026-03-09T13:00:00.000Z'));
  // A datetime keeps its wall-clock time across the change (not +48 h).
  assert.deepEqual(dateFieldInstant('2026-03-07T09:00:00-05:00', 2, undefined, ny), new Date('2026-03-09T13:00:00.000Z'));
  // nextLocalTime on the evening before the change lands on the next day's (EDT) 09:00.
  assert.deepEqual(nextLocalTime(new Date('2026-03-08T01:00:00.000Z'), '09:00', ny), new Date('2026-03-08T13:00:00.000Z'));
  // November: 01:30 happens twice; the first one (EDT).
  assert.deepEqual(dateFieldInstant('2026-11-01', 0, '01:30', ny), new Date('2026-11-01T05:30:00.000Z'));
});

test('parseHhmm and invalid inputs', () => {
  assert.equal(parseHhmm('09:00'), 540);
  assert.equal(parseHhmm('23:59'), 1439);
  for (const bad of ['24:00', '9:00', '09:60', '0900', '']) assert.equal(parseHhmm(bad), undefined, bad);
  assert.equal(dateFieldInstant('not a date', 0, '09:00', BOGOTA), undefined);
  assert.equal(dateFieldInstant(42, 0, '09:00', BOGOTA), undefined);
  assert.equal(dateFieldInstant('2026-03-20', 0, '25:00', BOGOTA), undefined);
  assert.deepEqual(dateFieldInstant(new Date('2026-03-20T15:30:00Z'), 1, undefined, BOGOTA), new Date('2026-03-21T15:30:00.000Z'));
  assert.equal(seconds(T0, 0).getTime(), T0.getTime());
});
