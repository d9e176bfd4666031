import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.js';
import { definitionProblems, validateDefinition } from './validate.js';
import type { DefinitionProblem } from './types.js';

/** A definition around `nodes`, entered by an event. */
const def = (nodes: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  entry: { type: 'event', event: 'statement.issued' },
  nodes,
  ...extra,
});
const exit = { id: 'done', type: 'exit' };

/** The problems of an invalid definition, via the 422 validateDefinition throws. */
function problemsOf(input: unknown): DefinitionProblem[] {
  try {
    validateDefinition(input);
  } catch (e) {
    assert.ok(e instanceof AppError);
    assert.equal(e.status, 422);
    assert.equal(e.code, 'invalid_definition');
    return e.details as DefinitionProblem[];
  }
  assert.fail('expected the definition to be refused');
}
const one = (input: unknown): DefinitionProblem => {
  const problems = problemsOf(input);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  return problems[0]!;
};

// ---- valid examples, one per node type ----------------------------------------------------------

const VALID: Record<string, unknown[]> = {
  send: [{ id: 's', type: 'send', channel_type: 'email', template_id: 'tpl_1', category: 'transactional', next: 'done' }, exit],
  send_by_channel_id: [{ id: 's', type: 'send', channel_id: 'ch_01ABC', template_id: 'tpl_1' }],
  send_fallback: [
    { id: 'f', type: 'send_fallback', channels: ['push', 'email', 'sms', 'voice'], templates: { push: 'a', email: 'b', sms: 'c', voice: 'd' }, confirm_within_seconds: 60, next: { delivered: 'done', exhausted: 'done' } },
    exit,
  ],
  send_fallback_by_cost: [{ id: 'f', type: 'send_fallback', channels: 'by_cost', templates: { sms: 'a', email: 'b' }, confirm_within_seconds: 3600, next: {} }],
  wait_seconds: [{ id: 'w', type: 'wait', seconds: 259200, next: 'done' }, exit],
  wait_until_field: [{ id: 'w', type: 'wait', until_field: 'due_date', offset_days: -3, at: '09:00', next: 'done' }, exit],
  wait_at: [{ id: 'w', type: 'wait', at: '23:59' }],
  wait_until_event_date: [{ id: 'w', type: 'wait', until_field: 'event.data.appointment_date', offset_days: -1 }],
  wait_until_contact_field: [{ id: 'w', type: 'wait', until_field: 'contact.due_date' }],
  wait_event: [
    { id: 'we', type: 'wait_event', event: 'payment.received', match: { 'data.status': 'ok' }, correlate: 'data.transaction_id', timeout_seconds: 900, next: { event: 'done', timeout: 'done' } },
    exit,
  ],
  branch: [
    {
      id: 'b',
      type: 'branch',
      branches: [
        { filter: { and: [{ field: 'paid', op: 'eq', value: true }, { not: { field: 'event.data.amount', op: 'gt', value: 100 } }] }, next: 'done' },
        { filter: { or: [{ field: 'last.outcome', op: 'in', value: ['delivered', 'sent'] }, { field: 'due_date', op: 'within_next_days', value: 3 }] }, next: 'done' },
        { filter: { field: 'email', op: 'is_empty' }, next: 'done' },
      ],
      default: 'done',
    },
    exit,
  ],
  score_split: [{ id: 'n', type: 'score_split', path: 'event.data.score', detractor: 'done', passive: 'done', promoter: 'done', invalid: 'done' }, exit],
  random_split: [{ id: 'r', type: 'random_split', branches: [{ percent: 33.3, next: 'done' }, { percent: 33.3, next: 'done' }, { percent: 33.4, next: 'done' }] }, exit],
  update_contact: [{ id: 'u', type: 'update_contact', set: { paid: false, last_amount: '{{ event.data.amount }}' }, next: 'done' }, exit],
  http: [
    {
      id: 'h', type: 'http', method: 'POST', url: 'https://core.bank.example/tx/{{event.data.id}}/block', body: { reason: 'fraud' }, headers: { 'X-Source': 'conversa' },
      timeout_seconds: 10, success_when: { status: [200], path: 'blocked', equals: true }, next: { success: 'done', failure: 'done' },
    },
    exit,
  ],
  list_add: [{ id: 'l', type: 'list', add: 'lst_1', next: 'done' }, exit],
  list_remove: [{ id: 'l', type: 'list', remove: 'lst_1' }],
  subscription: [{ id: 'c', type: 'subscription', category: 'marketing', consent: false, next: 'done' }, exit],
  emit: [{ id: 'e', type: 'emit', event: 'nps.detractor', data: { score: 3 }, next: 'done' }, exit],
  loop: [
    { id: 'again', type: 'loop', max: 5, next: 'call', done: 'done' },
    { id: 'call', type: 'send', channel_type: 'voice', template_id: 'tpl_call', next: 'pause' },
    { id: 'pause', type: 'wait', seconds: 259200, next: 'again' },
    exit,
  ],
  exit: [exit],
  designer_extras: [{ id: 'done', type: 'exit', label: 'Fin', position: { x: 10, y: -20.5 } }],
};

for (const [name, nodes] of Object.entries(VALID)) {
  test(`valid: ${name}`, () => {
    const input = def(nodes);
    assert.deepEqual(definitionProblems(input), []);
    assert.equal(validateDefinition(input), input);
  });
}

test('valid: every entry type, goal, entry rules and start', () => {
  const entries = [
    { type: 'event', event: 'otp.requested' },
    { type: 'segment', segment_id: 'seg_1' },
    { type: 'broadcast', segment_id: 'seg_1', at: '2026-03-02T10:00:00-05:00', approval: { sample: '10%', approver_role: 'approver' } },
    { type: 'broadcast', segment_id: 'seg_1', cron: '0 9 * * MON-FRI', timezone: 'America/Bogota', approval: { sample: 500 } },
    { type: 'date_field', field: 'mortgage_date', offset_days: 45, at: '10:00' },
    { type: 'form', form_id: 'form_nps' },
  ];
  for (const entry of entries) assert.deepEqual(definitionProblems({ entry, nodes: [exit] }), [], JSON.stringify(entry));
  for (const entry_rule of ['once', 'every_time', { once_per_days: 30 }]) {
    assert.deepEqual(definitionProblems(def([exit], { entry_rule, goal: { event: 'payment.received', match: { 'data.full': true } } })), []);
  }
  assert.deepEqual(definitionProblems(def([{ id: 'a', type: 'exit' }, { id: 'b', type: 'send', channel_type: 'sms', template_id: 't', next: 'a' }], { start: 'b' })), []);
});

// ---- the error kinds, each naming the node -----------------------------------------------------

test('an unknown node type is named with its node and the types allowed', () => {
  const p = one(def([{ id: 'x', type: 'sned', template_id: 't' }]));
  assert.equal(p.field, 'nodes[0].type');
  assert.equal(p.node_id, 'x');
  assert.match(p.message, /"sned" is not a node type; must be one of: send, send_fallback, wait/);
});

test('a missing option is named on its own path', () => {
  const p = one(def([{ id: 'we', type: 'wait_event', event: 'payment.received', next: {} }]));
  assert.deepEqual(p, { field: 'nodes[0].timeout_seconds', node_id: 'we', message: 'is required' });
});

test('ill-typed and out-of-range options, unknown options and outcomes', () => {
  const problems = problemsOf(def([
    { id: 'f', type: 'send_fallback', channels: ['push', 'fax'], templates: { push: 'a' }, confirm_within_seconds: 0, next: { delivered: 'done', exhaused: 'done' } },
    { id: 'w', type: 'wait', seconds: 60, colour: 'red', next: 'done' },
    { id: 'h', type: 'http', method: 'GOT', url: 'ftp://x', next: {} },
    exit,
  ], { start: 'f' }));
  const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
  assert.match(byField['nodes[0].channels[1]']!.message, /must be one of: email, sms, push, voice, webhook, db_update/);
  assert.equal(byField['nodes[0].channels[1]']!.node_id, 'f');
  assert.equal(byField['nodes[0].confirm_within_seconds']!.message, 'must be >= 1');
  assert.match(byField['nodes[0].next']!.message, /unknown option "exhaused"/);
  assert.ok(problems.some((p) => p.field === 'nodes[1]' && p.node_id === 'w' && /unknown option "colour" for wait/.test(p.message)));
  assert.match(byField['nodes[2].method']!.message, /must be one of: GET, POST/);
  assert.equal(byField['nodes[2].url']!.message, 'must be an http:// or https:// URL');
  // Neither the wait nor the http node is reachable from "f"; said once each, by node.
  assert.deepEqual(problems.filter((p) => /not reachable/.test(p.message)).map((p) => p.node_id), ['w', 'h']);
});

test('a union option is explained by the alternative meant, or by what it accepts', () => {
  const dup = one(def([{ id: 'f', type: 'send_fallback', channels: ['sms', 'sms'], templates: { sms: 'a' }, confirm_within_seconds: 5, next: {} }]));
  assert.equal(dup.field, 'nodes[0].channels');
  assert.match(dup.message, /duplicate/);
  const word = one(def([{ id: 'f', type: 'send_fallback', channels: 'cheapest', templates: { sms: 'a' }, confirm_within_seconds: 5, next: {} }]));
  assert.equal(word.message, 'must be "by_cost"');
  const rule = one(def([exit], { entry_rule: 'always' }));
  assert.equal(rule.field, 'entry_rule');
  assert.match(rule.message, /once.*every_time.*once_per_days/);
  assert.equal(one(def([exit], { entry_rule: { once_per_days: 0 } })).field, 'entry_rule.once_per_days');
});

test('duplicate ids name the second node', () => {
  const p = one(def([{ id: 'a', type: 'send', channel_type: 'sms', template_id: 't', next: 'a2' }, { id: 'a2', type: 'exit' }, { id: 'a', type: 'exit' }]));
  assert.deepEqual(p, { field: 'nodes[2].id', node_id: 'a', message: 'duplicates the id of nodes[0]' });
});

test('a dangling edge names the node and the outcome', () => {
  const p = one(def([{ id: 'wait1', type: 'wait_event', event: 'e.x', timeout_seconds: 60, next: { event: 'done', timeout: 'nowhere' } }, exit]));
  assert.equal(p.field, 'nodes[0].next.timeout');
  assert.equal(p.node_id, 'wait1');
  assert.match(p.message, /"nowhere", which is not a node/);
  const b = one(def([{ id: 'b', type: 'branch', branches: [{ filter: { field: 'paid', op: 'is_not_empty' }, next: 'gone' }], default: 'done' }, exit]));
  assert.equal(b.field, 'nodes[0].branches[0].next');
  assert.equal(one(def([exit], { start: 'first' })).field, 'start');
});

test('unreachable nodes are named, counted from start or the first node', () => {
  const nodes = [{ id: 'a', type: 'send', channel_type: 'sms', template_id: 't' }, { id: 'orphan', type: 'exit' }];
  assert.deepEqual(one(def(nodes)), { field: 'nodes[1]', node_id: 'orphan', message: 'is not reachable from the start node "a"' });
  assert.equal(one(def(nodes, { start: 'orphan' })).node_id, 'a');
});

test('a cycle with no waiting node is refused, naming the edge that closes it; a loop node is not enough', () => {
  const p = one(def([
    { id: 'again', type: 'loop', max: 3, next: 'call', done: 'done' },
    { id: 'call', type: 'send', channel_type: 'voice', template_id: 't', next: 'again' },
    exit,
  ]));
  assert.equal(p.field, 'nodes[1].next');
  assert.equal(p.node_id, 'call');
  assert.match(p.message, /again → call → again.*no wait, wait_event or send_fallback/);
  // Self-loop.
  assert.equal(one(def([{ id: 'self', type: 'emit', event: 'x', next: 'self' }])).field, 'nodes[0].next');
  // Through a wait_event, a send_fallback or a wait: fine.
  for (const waiting of [
    { id: 'w', type: 'wait_event', event: 'x', timeout_seconds: 5, next: { timeout: 'b' } },
    { id: 'w', type: 'send_fallback', channels: ['sms'], templates: { sms: 't' }, confirm_within_seconds: 5, next: { exhausted: 'b' } },
    { id: 'w', type: 'wait', seconds: 0, next: 'b' },
  ]) {
    assert.deepEqual(definitionProblems(def([waiting, { id: 'b', type: 'branch', branches: [{ filter: { field: 'paid', op: 'eq', value: true }, next: 'done' }], default: 'w' }, exit])), []);
  }
});

test('random split percentages must sum to 100', () => {
  const p = one(def([{ id: 'ab', type: 'random_split', branches: [{ percent: 50, next: 'done' }, { percent: 40, next: 'done' }] }, exit]));
  assert.deepEqual(p, { field: 'nodes[0].branches', node_id: 'ab', message: 'percentages add up to 90, not 100' });
});

test('branch filters are checked for shape, with the path inside the filter', () => {
  const bad = (filter: unknown): DefinitionProblem =>
    one(def([{ id: 'b', type: 'branch', branches: [{ filter, next: 'done' }], default: 'done' }, exit]));
  assert.equal(bad({ and: [{ field: 'paid', op: 'equals', value: true }] }).field, 'nodes[0].branches[0].filter.and[0].op');
  assert.equal(bad({ and: [] }).field, 'nodes[0].branches[0].filter.and');
  assert.equal(bad({ field: 'paid', op: 'eq', value: true, extra: 1 }).field, 'nodes[0].branches[0].filter.extra');
  assert.equal(bad({ field: 'Paid Status', op: 'eq', value: true }).field, 'nodes[0].branches[0].filter.field');
  assert.equal(bad({ field: 'contact.paid', op: 'eq', value: true }).field, 'nodes[0].branches[0].filter.field');
  assert.equal(bad({ field: 'event.data.x', op: 'in', value: 'a' }).field, 'nodes[0].branches[0].filter.value');
  assert.equal(bad({ field: 'last.status', op: 'is_empty', value: 1 }).field, 'nodes[0].branches[0].filter.value');
  assert.equal(bad({ field: 'due_date', op: 'between', value: ['2026-01-01'] }).field, 'nodes[0].branches[0].filter.value');
  assert.equal(bad({ or: [{ not: 'paid' }] }).field, 'nodes[0].branches[0].filter.or[0].not');
  let deep: unknown = { field: 'paid', op: 'eq', value: true };
  for (let i = 0; i < 30; i++) deep = { not: deep };
  assert.match(bad(deep).message, /deeper than 20 levels/);
  assert.equal(bad({ field: 'paid', op: 'like', value: true }).node_id, 'b');
});

test('wait takes exactly one mode; times of day are HH:MM', () => {
  const wait = (opts: Record<string, unknown>): DefinitionProblem[] => definitionProblems(def([{ id: 'w', type: 'wait', ...opts }]));
  assert.deepEqual(wait({}).map((p) => p.field), ['nodes[0]']);
  assert.match(wait({ seconds: 5, at: '09:00' })[0]!.message, /exactly one of seconds, until_field/);
  assert.equal(wait({ seconds: 5, until_field: 'due_date' })[0]!.field, 'nodes[0]');
  assert.deepEqual(wait({ seconds: 5, offset_days: 2 }).map((p) => p.field), ['nodes[0].offset_days']);
  for (const at of ['9:00', '24:00', '12:60', '12:00:00']) {
    assert.deepEqual(wait({ at }), [{ field: 'nodes[0].at', node_id: 'w', message: 'must be a time of day as HH:MM (24-hour clock)' }]);
  }
  assert.equal(one({ entry: { type: 'date_field', field: 'due_date', offset_days: 1, at: '7am' }, nodes: [exit] }).field, 'entry.at');
  assert.match(wait({ until_field: 'last.date' })[0]!.message, /date field key .* or event\.<path>/);
});

test('send needs one channel; list one operation; fallback a template per channel', () => {
  assert.match(one(def([{ id: 's', type: 'send', template_id: 't' }])).message, /exactly one of channel_type or channel_id/);
  assert.equal(one(def([{ id: 's', type: 'send', channel_type: 'sms', channel_id: 'ch_1', template_id: 't' }])).node_id, 's');
  assert.match(one(def([{ id: 'l', type: 'list', add: 'a', remove: 'b' }])).message, /exactly one of add or remove/);
  const f = one(def([{ id: 'f', type: 'send_fallback', channels: ['sms', 'email'], templates: { sms: 't' }, confirm_within_seconds: 5, next: {} }]));
  assert.deepEqual(f, { field: 'nodes[0].channels[1]', node_id: 'f', message: 'has no template in templates.email' });
  assert.equal(one(def([{ id: 'f', type: 'send_fallback', channels: 'by_cost', templates: { fax: 't', sms: 'u' }, confirm_within_seconds: 5, next: {} }])).field, 'nodes[0].templates.fax');
  assert.equal(one(def([{ id: 'u', type: 'update_contact', set: { 'Due Date': 'x' } }])).field, 'nodes[0].set.Due Date');
});

test('entries: unknown type, broadcast timing, time zone and sample', () => {
  assert.equal(one({ entry: { type: 'webhook' }, nodes: [exit] }).field, 'entry.type');
  assert.equal(one({ nodes: [exit] }).field, 'entry');
  const b = (extra: Record<string, unknown>) => ({ entry: { type: 'broadcast', segment_id: 'seg', ...extra }, nodes: [exit] });
  assert.match(one(b({})).message, /exactly one of at \(once\) or cron/);
  assert.match(one(b({ at: '2026-01-01T00:00:00Z', cron: '0 9 * * *' })).message, /exactly one of at/);
  assert.equal(one(b({ at: 'tomorrow' })).field, 'entry.at');
  assert.equal(one(b({ cron: '0 9 * *' })).field, 'entry.cron');
  assert.equal(one(b({ cron: '0 9 * * *', timezone: 'Mars/Olympus' })).field, 'entry.timezone');
  assert.equal(one(b({ cron: '0 9 * * *', approval: { sample: '150%' } })).field, 'entry.approval.sample');
  assert.match(one(b({ cron: '0 9 * * *', approval: { sample: 'ten' } })).message, /count.*share/);
});

test('top level: not an object, unknown keys, no nodes, too many nodes, too big', () => {
  assert.equal(one('flow').field, '');
  assert.equal(one(def([exit], { version: 2 })).field, 'version');
  assert.equal(one(def([])).field, 'nodes');
  const many = Array.from({ length: 501 }, (_, i) => ({ id: `n${i}`, type: 'exit' }));
  assert.match(one(def(many)).message, /has 501 nodes; the limit is 500/);
  const big = def([{ id: 'e', type: 'emit', event: 'x', data: { blob: 'x'.repeat(1024 * 1024) } }]);
  assert.match(one(big).message, /bytes when serialised; the limit is 1048576 bytes/);
});

test('every problem is listed; the message names the first with its node', () => {
  let error: AppError | undefined;
  try {
    validateDefinition(def([
      { id: 'a', type: 'send', channel_type: 'sms', next: 'b' },
      { id: 'b', type: 'wait', seconds: -1, next: 'ghost' },
      { id: 'c', type: 'teleport' },
    ]));
  } catch (e) {
    error = e as AppError;
  }
  assert.ok(error);
  assert.equal(error.message, 'nodes[0].template_id (node "a"): is required (and 4 more problems)');
  assert.deepEqual(error.details.map((d) => [d.field, d.node_id]), [
    ['nodes[0].template_id', 'a'],
    ['nodes[1].seconds', 'b'],
    ['nodes[2].type', 'c'],
    ['nodes[1].next', 'b'],
    ['nodes[2]', 'c'],
  ]);
});
