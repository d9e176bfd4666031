import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAgainstList, edgesOf, validateDefinition } from './validate.js';
import { flowExamples, type FlowExample } from '../examples.js';
import type { FieldDef } from '../../contacts/index.js';
import type { FlowDefinition, FlowNode } from './types.js';

const examples = await flowExamples();
const byNumber = (n: string): { example: FlowExample; def: FlowDefinition } => {
  const example = examples.find((e) => e.slug.startsWith(`${n}-`));
  assert.ok(example, `examples/flows/${n}-*.json`);
  return { example, def: example.definition as FlowDefinition };
};
const nodesOf = <T extends FlowNode['type']>(def: FlowDefinition, type: T) => def.nodes.filter((n): n is Extract<FlowNode, { type: T }> => n.type === type);

test('the nine use cases of the issue are there, in order', () => {
  assert.deepEqual(examples.map((e) => e.slug), [
    '01-statement-payment-followup', '02-otp-fallback', '03-nps-mortgage', '04-fraud-alert',
    '05-installation-appointment', '06-cross-sell-broadcast', '07-welcome-series', '08-win-back',
    '09-collections-cheapest-first',
  ]);
});

for (const example of examples) {
  test(`${example.slug} validates, and fits a list with its list_fields`, () => {
    assert.ok(example.name && example.description.length > 40);
    const def = validateDefinition(example.definition);
    assert.deepEqual(checkAgainstList(def, { fields: example.list_fields as FieldDef[] }), []);
    // Templates are placeholders the console and the API replace on instantiation.
    for (const n of def.nodes) {
      if (n.type === 'send') assert.match(n.template_id, /^tpl_/);
      if (n.type === 'send_fallback') for (const t of Object.values(n.templates)) assert.match(t, /^tpl_/);
    }
  });
}

test('01 statement: cheapest-first reminders around due_date, then at most 5 calls 3 days apart until paid', () => {
  const { def } = byNumber('01');
  assert.deepEqual(def.goal, { event: 'payment.received' });
  assert.deepEqual(nodesOf(def, 'send_fallback').map((n) => n.channels), ['by_cost', 'by_cost', 'by_cost', 'by_cost']);
  assert.deepEqual(nodesOf(def, 'wait').filter((w) => w.until_field).map((w) => [w.until_field, w.offset_days]), [['due_date', -3], ['due_date', 0], ['due_date', 3]]);
  const [loop] = nodesOf(def, 'loop');
  assert.equal(loop?.max, 5);
  const call = def.nodes.find((n) => n.id === loop?.next);
  assert.equal(call?.type === 'send' && call.channel_type, 'voice');
});

test('02 OTP: push → email → SMS → voice, a template each', () => {
  const [fb] = nodesOf(byNumber('02').def, 'send_fallback');
  assert.deepEqual(fb?.channels, ['push', 'email', 'sms', 'voice']);
  assert.deepEqual(Object.keys(fb?.templates ?? {}).sort(), ['email', 'push', 'sms', 'voice']);
});

test('03 NPS: 45 days after mortgage_date, three score bands each with its path', () => {
  const { def } = byNumber('03');
  assert.deepEqual(def.entry, { type: 'date_field', field: 'mortgage_date', offset_days: 45, at: '10:00' });
  const [split] = nodesOf(def, 'score_split');
  assert.ok(split?.detractor && split.passive && split.promoter && new Set([split.detractor, split.passive, split.promoter]).size === 3);
});

test('04 fraud: the block call has a success and a failure branch, the answer is correlated by transaction', () => {
  const { def } = byNumber('04');
  const [http] = nodesOf(def, 'http');
  assert.deepEqual(edgesOf(http!).map((e) => e.outcome), ['success', 'failure']);
  assert.ok(nodesOf(def, 'wait_event').every((w) => w.correlate === 'data.transaction_id'));
});

test('05 appointment: reminders 2 days before and on the day, reschedules bounded, survey', () => {
  const { def } = byNumber('05');
  assert.deepEqual(nodesOf(def, 'wait').map((w) => w.offset_days), [-2, 0]);
  assert.ok(nodesOf(def, 'wait_event').some((w) => w.event === 'appointment.rescheduled'));
  assert.ok(nodesOf(def, 'loop').length === 1);
  assert.ok(nodesOf(def, 'send').some((s) => s.template_id === 'tpl_install_survey'));
});

test('06 cross-sell: an approved broadcast with a hold-out group', () => {
  const { def } = byNumber('06');
  assert.equal(def.entry.type === 'broadcast' && def.entry.approval?.sample, '5%');
  const [split] = nodesOf(def, 'random_split');
  assert.deepEqual(split?.branches.map((b) => b.percent), [90, 10]);
  assert.ok(nodesOf(def, 'send').every((s) => s.category === 'marketing'));
});

test('07–09: welcome sets consent only on opt-in; win-back A/B; collections cheapest first', () => {
  const welcome = byNumber('07').def;
  assert.equal(welcome.entry.type, 'segment');
  const [consent] = nodesOf(welcome, 'subscription');
  const optIn = nodesOf(welcome, 'branch').find((b) => b.branches.some((x) => x.next === consent?.id));
  assert.deepEqual(optIn?.branches[0]?.filter, { field: 'event.data.marketing_opt_in', op: 'eq', value: true });
  assert.deepEqual(byNumber('08').def.entry_rule, { once_per_days: 180 });
  assert.deepEqual(nodesOf(byNumber('08').def, 'random_split')[0]?.branches.map((b) => b.percent), [50, 50]);
  const collections = byNumber('09').def;
  assert.equal(nodesOf(collections, 'send_fallback')[0]?.channels, 'by_cost');
  assert.deepEqual(collections.goal, { event: 'payment.received' });
});
