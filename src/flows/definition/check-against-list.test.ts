import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAgainstList, validateDefinition } from './validate.js';
import type { FieldDef } from '../../contacts/index.js';

const fields: FieldDef[] = [
  { key: 'due_date', label: 'Due date', type: 'date' },
  { key: 'paid', label: 'Paid', type: 'boolean' },
  { key: 'nps', label: 'NPS', type: 'number' },
  { key: 'segment_name', label: 'Segment', type: 'text' },
  { key: 'old_field', label: 'Old', type: 'date', removed_at: '2026-01-01T00:00:00Z' },
];

const flow = validateDefinition({
  entry: { type: 'date_field', field: 'paid', offset_days: 1 },
  nodes: [
    { id: 'w', type: 'wait', until_field: 'old_field', next: 'set' },
    { id: 'set', type: 'update_contact', set: { paid: true, consent_marketing: false, balance: 0 }, next: 'split' },
    { id: 'split', type: 'score_split', path: 'contact.segment_name', promoter: 'b' },
    {
      id: 'b', type: 'branch', default: 'done',
      branches: [{
        filter: { and: [
          { field: 'paid', op: 'eq', value: true },
          { field: 'paid', op: 'gt', value: 1 },
          { not: { field: 'unknown_field', op: 'is_empty' } },
          { field: 'event.data.anything', op: 'gt', value: 1 },
          { field: 'last.outcome', op: 'eq', value: 'delivered' },
          { field: 'email', op: 'contains', value: '@bank' },
        ] },
        next: 'done',
      }],
    },
    { id: 'done', type: 'exit' },
  ],
});

test('checkAgainstList names every field the list lacks or types wrongly; event. and last. are not the list\'s', () => {
  assert.deepEqual(checkAgainstList(flow, { fields }), [
    { field: 'entry.field', message: '"paid" is a boolean field; this needs date or datetime' },
    { field: 'nodes[0].until_field', node_id: 'w', message: '"old_field" is not a field of this list' },
    { field: 'nodes[1].set.balance', node_id: 'set', message: '"balance" is not a field of this list' },
    { field: 'nodes[2].path', node_id: 'split', message: '"segment_name" is a text field; this needs number' },
    { field: 'nodes[3].branches[0].filter.and[1].op', node_id: 'b', message: '"gt" does not apply to boolean field "paid" (use eq, neq, is_empty, is_not_empty)' },
    { field: 'nodes[3].branches[0].filter.and[2].not.field', node_id: 'b', message: '"unknown_field" is not a field of this list' },
  ]);
});

test('standard fields count as the list\'s; contact.<field> is the field, event dates are not checked', () => {
  const ok = validateDefinition({
    entry: { type: 'date_field', field: 'due_date', offset_days: -3, at: '09:00' },
    nodes: [
      { id: 'set', type: 'update_contact', set: { consent_marketing: true, language: 'es' }, next: 'w1' },
      { id: 'w1', type: 'wait', until_field: 'contact.due_date', next: 'w2' },
      { id: 'w2', type: 'wait', until_field: 'event.data.any_date' },
    ],
  });
  assert.deepEqual(checkAgainstList(ok, { fields }), []);
});
