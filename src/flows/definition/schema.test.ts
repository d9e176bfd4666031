import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { definitionJsonSchema, NODE_TYPES } from './schema.js';
import { edgesOf } from './validate.js';
import type { FlowNode } from './types.js';
import { flowExamples } from '../examples.js';

test('the published JSON Schema is plain JSON, compiles in a standard validator and accepts every example', async () => {
  const schema = definitionJsonSchema();
  assert.equal(schema.title, 'Conversa flow definition');
  const items = ((schema.properties as Record<string, { items: { anyOf: { title: string }[] } }>).nodes!).items.anyOf;
  assert.deepEqual(items.map((s) => s.title), NODE_TYPES);
  // Ajv is what API clients and the console's form builder use; strict mode refuses unknown keywords.
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats.default(ajv);
  const check = ajv.compile(schema);
  for (const example of await flowExamples()) assert.ok(check(example.definition), `${example.slug}: ${ajv.errorsText(check.errors)}`);
  assert.equal(check({ entry: { type: 'event', event: 'x' }, nodes: [{ id: 'a', type: 'teleport' }] }), false);
  assert.equal(check({ entry: { type: 'event', event: 'x' }, nodes: [{ id: 'a', type: 'wait', at: '25:00' }] }), false);
});

test('definitionJsonSchema returns a fresh copy', () => {
  const a = definitionJsonSchema();
  a.title = 'changed';
  assert.equal(definitionJsonSchema().title, 'Conversa flow definition');
});

test('edgesOf names each outcome and where it is written', () => {
  const edges = (node: unknown) => edgesOf(node as FlowNode).map((e) => `${e.outcome}:${e.to}@${e.field}`);
  assert.deepEqual(edges({ id: 's', type: 'send', channel_type: 'sms', template_id: 't', next: 'a' }), ['next:a@next']);
  assert.deepEqual(edges({ id: 's', type: 'send', channel_type: 'sms', template_id: 't' }), []);
  assert.deepEqual(edges({ id: 'f', type: 'send_fallback', next: { delivered: 'a', exhausted: 'b' } }), ['delivered:a@next.delivered', 'exhausted:b@next.exhausted']);
  assert.deepEqual(edges({ id: 'w', type: 'wait_event', next: { timeout: 'b' } }), ['timeout:b@next.timeout']);
  assert.deepEqual(edges({ id: 'h', type: 'http', next: { success: 'a', failure: 'b' } }), ['success:a@next.success', 'failure:b@next.failure']);
  assert.deepEqual(
    edges({ id: 'b', type: 'branch', branches: [{ filter: {}, next: 'a' }, { filter: {}, next: 'b' }], default: 'c' }),
    ['branch_0:a@branches[0].next', 'branch_1:b@branches[1].next', 'default:c@default'],
  );
  assert.deepEqual(edges({ id: 'r', type: 'random_split', branches: [{ percent: 90, next: 'a' }, { percent: 10, next: 'x' }] }), ['branch_0:a@branches[0].next', 'branch_1:x@branches[1].next']);
  assert.deepEqual(edges({ id: 'n', type: 'score_split', path: 'event.data.score', promoter: 'p', detractor: 'd', invalid: 'i' }), ['detractor:d@detractor', 'promoter:p@promoter', 'invalid:i@invalid']);
  assert.deepEqual(edges({ id: 'l', type: 'loop', max: 3, next: 'a', done: 'b' }), ['next:a@next', 'done:b@done']);
  assert.deepEqual(edges({ id: 'e', type: 'exit' }), []);
});
