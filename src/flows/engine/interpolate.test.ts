import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasLiquid, interpolate } from './interpolate.js';
import { event, flow, path, start } from './testing.js';

const scope = {
  contact: { name: 'Ana', balance: 1500 },
  event: event('appointment.scheduled', { date: '2026-03-20', score: 9, tags: ['a'] }),
  last: { outcome: 'delivered' },
};

test('a single tag keeps the value and its type; tags in text are spliced; the rest is left for the worker', () => {
  assert.equal(interpolate('{{ event.data.score }}', scope), 9);
  assert.equal(interpolate('{{event.data.date}}', scope), '2026-03-20');
  assert.equal(interpolate('{{ event.at }}', scope), '2026-03-02T14:00:00.000Z');
  assert.deepEqual(interpolate('{{ event.data.tags }}', scope), ['a']);
  assert.equal(interpolate('{{ event.data.missing }}', scope), null);
  assert.equal(interpolate('{{ contact.name }} owes {{ balance }} ({{ last.outcome }})', scope), 'Ana owes 1500 (delivered)');
  assert.equal(interpolate('{{ contact.name | upcase }}', scope), '{{ contact.name | upcase }}');
  assert.equal(interpolate('{% if x %}y{% endif %} {{ contact.name }}', scope), '{% if x %}y{% endif %} {{ contact.name }}');
  assert.equal(interpolate('plain', scope), 'plain');
  assert.equal(interpolate(42, scope), 42);
  assert.equal(hasLiquid('{{ a | b }}'), true);
  assert.equal(hasLiquid('Ana'), false);
});

test('a field stored from the event is there for a wait on it in the same step (example 05 pattern)', () => {
  const def = flow([
    { id: 'store', type: 'update_contact', set: { appointment_date: '{{ event.data.date }}' }, next: 'wait' },
    { id: 'wait', type: 'wait', until_field: 'appointment_date', offset_days: -2, at: '10:00', next: 'end' },
    { id: 'end', type: 'exit' },
  ]);
  const r = start({ definition: def }, { event: event('appointment.scheduled', { date: '2026-03-20' }) });
  assert.deepEqual(path(r), ['store:updated', 'wait:waiting']);
  assert.deepEqual(r.run.dueAt, new Date('2026-03-18T15:00:00.000Z'));
});
