import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFilter } from './filter-eval.js';
import { FlowRuntimeError } from './errors.js';
import type { Scope } from './paths.js';
import { event } from './testing.js';

// 21:30 on 14 March in Bogotá = 02:30 UTC on the 15th (the SQL compiler's test instant).
const clock = { now: new Date('2026-03-15T02:30:00.000Z'), timezone: 'America/Bogota' };
const scope: Scope = {
  contact: { name: 'Ana María', amount: 1500, due: '2026-03-16', seen: '2026-03-14T10:00:00.000Z', vip: true, empty: '', nil: null, segment: 'Gold' },
  event: event('card.used', { amount: '250.5', merchant: { country: 'CO' }, at_local: '2026-03-14T20:00:00-05:00' }),
  last: { outcome: 'delivered', channel_type: 'sms' },
};
const is = (filter: unknown): boolean => evaluateFilter(filter, scope, clock);

test('each op over contact fields', () => {
  const cases: [unknown, boolean][] = [
    [{ field: 'name', op: 'eq', value: 'Ana María' }, true],
    [{ field: 'name', op: 'eq', value: 'ana maría' }, false], // eq is case-sensitive, as in SQL
    [{ field: 'name', op: 'neq', value: 'Ana María' }, false],
    [{ field: 'name', op: 'contains', value: 'MAR' }, true], // ILIKE
    [{ field: 'name', op: 'contains', value: '50%' }, false],
    [{ field: 'name', op: 'starts_with', value: 'ana' }, true],
    [{ field: 'amount', op: 'gt', value: 1000 }, true],
    [{ field: 'amount', op: 'lte', value: 1499.99 }, false],
    [{ field: 'amount', op: 'between', value: [1500, 2000] }, true],
    [{ field: 'amount', op: 'in', value: [1, 1500] }, true],
    [{ field: 'amount', op: 'not_in', value: [1, 1500] }, false],
    [{ field: 'segment', op: 'in', value: ['Gold', 'Silver'] }, true],
    [{ field: 'vip', op: 'eq', value: true }, true],
    [{ field: 'vip', op: 'eq', value: 'true' }, false], // booleans compare as booleans
    [{ field: 'vip', op: 'gt', value: false }, false], // no order on booleans
    [{ field: 'due', op: 'gt', value: '2026-03-15' }, true], // dates as ISO strings
    [{ field: 'due', op: 'between', value: ['2026-03-01', '2026-03-16'] }, true],
    [{ field: 'seen', op: 'lt', value: '2026-03-14T06:00:00-05:00' }, true], // 06:00 −05 = 11:00 UTC
    [{ field: 'empty', op: 'is_empty' }, true],
    [{ field: 'nil', op: 'is_empty' }, true],
    [{ field: 'absent', op: 'is_empty' }, true],
    [{ field: 'name', op: 'is_not_empty' }, true],
    [{ field: 'empty', op: 'is_not_empty' }, false],
  ];
  for (const [filter, want] of cases) assert.equal(is(filter), want, JSON.stringify(filter));
});

test('a missing value matches no positive condition and every negative one', () => {
  for (const op of ['eq', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with']) assert.equal(is({ field: 'absent', op, value: 1 }), false, op);
  assert.equal(is({ field: 'absent', op: 'in', value: [1] }), false);
  assert.equal(is({ field: 'absent', op: 'between', value: [1, 2] }), false);
  assert.equal(is({ field: 'absent', op: 'within_last_days', value: 3 }), false);
  assert.equal(is({ field: 'absent', op: 'neq', value: 5 }), true);
  assert.equal(is({ field: 'nil', op: 'not_in', value: [1, 2] }), true);
  assert.equal(is({ not: { field: 'absent', op: 'eq', value: 5 } }), true);
  assert.equal(is({ not: { field: 'absent', op: 'neq', value: 5 } }), false);
});

test('and / or / not', () => {
  assert.equal(is({ and: [{ field: 'vip', op: 'eq', value: true }, { field: 'amount', op: 'gt', value: 1000 }] }), true);
  assert.equal(is({ and: [{ field: 'vip', op: 'eq', value: true }, { field: 'amount', op: 'gt', value: 9000 }] }), false);
  assert.equal(is({ or: [{ field: 'vip', op: 'eq', value: false }, { field: 'amount', op: 'gt', value: 1000 }] }), true);
  assert.equal(is({ not: { or: [{ field: 'vip', op: 'eq', value: false }, { field: 'absent', op: 'eq', value: 1 }] } }), true);
});

test('event.<path> and last.<key>', () => {
  assert.equal(is({ field: 'event.name', op: 'eq', value: 'card.used' }), true);
  assert.equal(is({ field: 'event.data.amount', op: 'gt', value: 250 }), true); // a numeric string against a number
  assert.equal(is({ field: 'event.amount', op: 'lt', value: 251 }), true); // the data prefix may be left out
  assert.equal(is({ field: 'event.data.merchant.country', op: 'eq', value: 'CO' }), true);
  assert.equal(is({ field: 'event.at_local', op: 'eq', value: '2026-03-15T01:00:00.000Z' }), true); // one instant, two spellings
  assert.equal(is({ field: 'event.at', op: 'within_last_days', value: 1 }), false); // the event's own time (T0, 2 March)
  assert.equal(is({ field: 'last.outcome', op: 'in', value: ['delivered', 'opened'] }), true);
  assert.equal(is({ field: 'last.channel_type', op: 'neq', value: 'email' }), true);
  assert.equal(is({ field: 'contact.segment', op: 'eq', value: 'Gold' }), true);
  assert.equal(evaluateFilter({ field: 'event.data.amount', op: 'eq', value: 1 }, { contact: {} }, clock), false);
});

test('within_last_days / within_next_days: calendar days in the time zone for dates, instants for datetimes', () => {
  // It is still 14 March in Bogotá.
  assert.equal(is({ field: 'due', op: 'within_next_days', value: 2 }), true); // 14 → 16
  assert.equal(is({ field: 'due', op: 'within_next_days', value: 1 }), false);
  assert.equal(evaluateFilter({ field: 'due', op: 'within_next_days', value: 1 }, scope, { ...clock, timezone: 'UTC' }), true); // 15 → 16 in UTC
  assert.equal(is({ field: 'seen', op: 'within_last_days', value: 1 }), true); // 16.5 h ago
  assert.equal(is({ field: 'seen', op: 'within_next_days', value: 1 }), false);
});

test('a malformed filter throws FlowRuntimeError (advance turns it into a failed run)', () => {
  for (const bad of [null, [], { and: {} }, { field: 'x' }, { field: 'x', op: 'nope', value: 1 }, { field: 'amount', op: 'in', value: 3 }, { field: 'due', op: 'within_last_days', value: 'x' }]) {
    assert.throws(() => is(bad), FlowRuntimeError, JSON.stringify(bad));
  }
});
