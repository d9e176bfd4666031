import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.js';
import type { FieldDef } from '../fields.js';
import { validateFilter, MAX_NODES } from './filter-schema.js';

const fields: FieldDef[] = [
  { key: 'doc', label: 'Doc', type: 'text' },
  { key: 'balance', label: 'Balance', type: 'number' },
  { key: 'due', label: 'Due', type: 'date' },
  { key: 'seen', label: 'Seen', type: 'datetime' },
  { key: 'vip', label: 'VIP', type: 'boolean' },
  { key: 'tier', label: 'Tier', type: 'enum', options: ['Gold', 'Silver'] },
  { key: 'old', label: 'Old', type: 'text', removed_at: '2026-01-01T00:00:00.000Z' },
];
const list = { fields, default_country: 'CO', date_format: 'dd/mm/yyyy' as const, decimal_separator: ',' as const };

/** The 422 a filter gets: its path and reason. */
function rejects(filter: unknown): { field: string; message: string } {
  try {
    validateFilter(list, filter);
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.status, 422);
    assert.equal(err.code, 'invalid_filter');
    const d = err.details[0]!;
    assert.ok(err.message.startsWith(`${d.field}: `));
    return { field: d.field!, message: d.message };
  }
  assert.fail(`accepted ${JSON.stringify(filter).slice(0, 200)}`);
}

test('values are normalised as stored: local dates, phones in E.164, decimal commas, enum case', () => {
  const f = validateFilter(list, {
    and: [
      { field: 'due', op: 'eq', value: '15/03/2026' },
      { field: 'phone', op: 'in', value: ['300 123 4567', '+57 300 123 4567', '3001112233'] },
      { field: 'balance', op: 'between', value: ['1.000,5', 2000] },
      { field: 'tier', op: 'eq', value: 'gold' },
      { field: 'seen', op: 'gt', value: '2026-03-15 08:00' },
      { field: 'vip', op: 'eq', value: 'yes' },
      { not: { field: 'email', op: 'is_empty' } },
      { field: 'due', op: 'within_next_days', value: 7 },
    ],
  });
  assert.deepEqual(f, {
    and: [
      { field: 'due', op: 'eq', value: '2026-03-15' },
      { field: 'phone', op: 'in', value: ['+573001234567', '+573001112233'] },
      { field: 'balance', op: 'between', value: [1000.5, 2000] },
      { field: 'tier', op: 'eq', value: 'Gold' },
      { field: 'seen', op: 'gt', value: '2026-03-15T08:00:00.000Z' },
      { field: 'vip', op: 'eq', value: true },
      { not: { field: 'email', op: 'is_empty' } },
      { field: 'due', op: 'within_next_days', value: 7 },
    ],
  });
});

test('unknown and removed fields are refused', () => {
  assert.deepEqual(rejects({ field: 'nope', op: 'eq', value: 1 }), { field: 'filter.field', message: 'unknown field "nope" on this list' });
  assert.equal(rejects({ and: [{ field: 'doc', op: 'eq', value: 'x' }, { field: 'old', op: 'eq', value: 'x' }] }).field, 'filter.and[1].field');
  assert.equal(rejects({ field: 7, op: 'eq', value: 1 }).field, 'filter.field');
});

test('operators must fit the type', () => {
  const cases: [unknown, string][] = [
    [{ field: 'balance', op: 'contains', value: '5' }, 'filter.op'],
    [{ field: 'vip', op: 'gt', value: true }, 'filter.op'],
    [{ field: 'doc', op: 'within_last_days', value: 3 }, 'filter.op'],
    [{ field: 'balance', op: 'within_next_days', value: 3 }, 'filter.op'],
    [{ field: 'vip', op: 'in', value: [true] }, 'filter.op'],
    [{ field: 'doc', op: 'gt', value: 'a' }, 'filter.op'],
    [{ or: [{ field: 'doc', op: 'eq', value: 'a' }, { field: 'doc', op: 'like', value: 'a' }] }, 'filter.or[1].op'],
  ];
  for (const [filter, field] of cases) assert.equal(rejects(filter).field, field, JSON.stringify(filter));
  assert.match(rejects({ field: 'vip', op: 'gt', value: true }).message, /does not apply to boolean/);
});

test('values must fit the op and the type', () => {
  const cases: [unknown, string][] = [
    [{ field: 'balance', op: 'eq', value: 'lots' }, 'filter.value'],
    [{ field: 'due', op: 'gte', value: '2026-02-30' }, 'filter.value'],
    [{ field: 'due', op: 'eq', value: '03/15/2026' }, 'filter.value'],
    [{ field: 'phone', op: 'eq', value: '12' }, 'filter.value'],
    [{ field: 'tier', op: 'eq', value: 'Bronze' }, 'filter.value'],
    [{ field: 'doc', op: 'eq' }, 'filter.value'],
    [{ field: 'doc', op: 'eq', value: '  ' }, 'filter.value'],
    [{ field: 'doc', op: 'eq', value: ['a'] }, 'filter.value'],
    [{ field: 'doc', op: 'in', value: [] }, 'filter.value'],
    [{ field: 'doc', op: 'in', value: 'a' }, 'filter.value'],
    [{ field: 'doc', op: 'in', value: Array.from({ length: 1001 }, (_, i) => `d${i}`) }, 'filter.value'],
    [{ field: 'balance', op: 'in', value: [1, 'x', 3] }, 'filter.value[1]'],
    [{ field: 'balance', op: 'between', value: [1] }, 'filter.value'],
    [{ field: 'balance', op: 'between', value: [5, 1] }, 'filter.value'],
    [{ field: 'due', op: 'between', value: ['2026-01-01', 'soon'] }, 'filter.value[1]'],
    [{ field: 'due', op: 'within_last_days', value: -1 }, 'filter.value'],
    [{ field: 'due', op: 'within_last_days', value: 1.5 }, 'filter.value'],
    [{ field: 'due', op: 'within_last_days', value: 36_501 }, 'filter.value'],
    [{ field: 'due', op: 'within_last_days', value: '7' }, 'filter.value'],
    [{ field: 'doc', op: 'is_empty', value: 'x' }, 'filter.value'],
    [{ field: 'doc', op: 'contains', value: '' }, 'filter.value'],
    [{ field: 'doc', op: 'contains', value: 5 }, 'filter.value'],
  ];
  for (const [filter, field] of cases) assert.equal(rejects(filter).field, field, JSON.stringify(filter).slice(0, 100));
  // Bounds that are fine: 0 days (today) and 36,500; null for is_empty.
  validateFilter(list, { field: 'due', op: 'within_last_days', value: 0 });
  validateFilter(list, { field: 'due', op: 'within_next_days', value: 36_500 });
  validateFilter(list, { field: 'doc', op: 'is_empty', value: null });
  validateFilter(list, { field: 'doc', op: 'in', value: Array.from({ length: 1000 }, (_, i) => `d${i}`) });
});

test('malformed nodes name their path', () => {
  const cases: [unknown, string][] = [
    [null, 'filter'],
    ['doc = 1', 'filter'],
    [[{ field: 'doc', op: 'eq', value: 'a' }], 'filter'],
    [{}, 'filter'],
    [{ and: [] }, 'filter.and'],
    [{ or: {} }, 'filter.or'],
    [{ and: [{ field: 'doc', op: 'eq', value: 'a' }], or: [] }, 'filter.or'],
    [{ and: [{ field: 'doc', op: 'eq', value: 'a' }, 5] }, 'filter.and[1]'],
    [{ field: 'doc', op: 'eq', value: 'a', extra: 1 }, 'filter.extra'],
    [{ not: { field: 'doc', op: 'eq', value: 'a' }, field: 'doc' }, 'filter.field'],
    [{ and: [{ or: [{ field: 'doc', op: 'eq', value: 'a' }, { field: 'doc', op: 'eq', value: 'b', op2: 1 }] }] }, 'filter.and[0].or[1].op2'],
    [{ and: [{ field: 'doc', value: 'a' }] }, 'filter.and[0].op'],
    [{ not: null }, 'filter.not'],
  ];
  for (const [filter, field] of cases) assert.equal(rejects(filter).field, field, JSON.stringify(filter));
});

test('10,000 levels of nesting: refused at level 21, without recursion', () => {
  let deepNot: unknown = { field: 'doc', op: 'eq', value: 'a' };
  let deepAnd: unknown = { field: 'doc', op: 'eq', value: 'a' };
  for (let i = 0; i < 10_000; i++) {
    deepNot = { not: deepNot };
    deepAnd = { and: [deepAnd] };
  }
  const n = rejects(deepNot);
  assert.equal(n.field, `filter${'.not'.repeat(20)}`);
  assert.match(n.message, /deeper than 20/);
  assert.equal(rejects(deepAnd).field, `filter${'.and[0]'.repeat(20)}`);
  // 20 levels are fine.
  let ok: unknown = { field: 'doc', op: 'eq', value: 'a' };
  for (let i = 0; i < 19; i++) ok = { not: ok };
  validateFilter(list, ok);
});

test('more than 500 nodes are refused', () => {
  const leaf = { field: 'doc', op: 'eq', value: 'a' };
  validateFilter(list, { or: Array.from({ length: MAX_NODES - 1 }, () => leaf) });
  assert.match(rejects({ or: Array.from({ length: MAX_NODES }, () => leaf) }).message, /more than 500 nodes/);
  assert.match(rejects({ or: Array.from({ length: 100_000 }, () => leaf) }).message, /more than 500 nodes/);
});
