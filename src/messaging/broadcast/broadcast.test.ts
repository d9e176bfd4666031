import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { broadcastJobHandler, BROADCAST_JOB } from './run.js';
import { insertBroadcast } from './sql.js';
import type { ClaimedJob } from '../../jobs/index.js';

let t: TestApp;
let listId: string;
let segmentId: string;
let templateId: string;
const N = 2_500; // more than two batches of 1,000

before(async () => {
  t = await createTestApp({ sandbox: true });
  const list = await t.call('POST', '/v1/lists', { name: 'Clientes', key_field: 'doc', default_country: 'CO', fields: [{ key: 'doc', type: 'text' }, { key: 'name', type: 'text' }, { key: 'city', type: 'text' }] });
  listId = list.json().id;
  const contacts = Array.from({ length: N }, (_, i) => ({
    doc: String(i), name: `Cliente ${i}`, city: i % 5 === 0 ? 'Pasto' : 'Cali', phone: `300${String(1_000_000 + i)}`,
    email: i % 10 === 3 ? undefined : `c${i}@example.com`, consent_marketing: i % 4 !== 0,
  }));
  const up = await t.call('PUT', `/v1/lists/${listId}/contacts`, { contacts });
  assert.equal(up.json().inserted, N, up.body);
  segmentId = (await t.call('POST', `/v1/lists/${listId}/segments`, { name: 'Cali', filter: { field: 'city', op: 'eq', value: 'Cali' } })).json().id;
  templateId = (await t.call('POST', '/v1/templates', { name: 'Oferta', channel_type: 'email', subject: 'Hola {{ contact.name }}', body: '<p>Crédito para {{ contact.name }} en {{ contact.city }}</p>' })).json().id;
});
after(async () => { await t.close(); });

function expected() {
  let queued = 0; let suppressed = 0; let skipped = 0; let total = 0;
  for (let i = 0; i < N; i++) {
    if (i % 5 === 0) continue; // Pasto: not in the segment
    total++;
    if (i % 10 === 3) skipped++; // no email
    else if (i % 4 === 0) suppressed++; // no marketing consent
    else queued++;
  }
  return { total, queued, suppressed, skipped };
}

test('a broadcast to a segment: one message per contact, the gate applied, all sent through the sandbox', { timeout: 120_000 }, async () => {
  await t.startWorkers();
  const pdf = { filename: 'tasas.pdf', content_type: 'application/pdf', content: Buffer.from('%PDF-1.4 tasas de interés').toString('base64') };
  const r = await t.call('POST', '/v1/broadcasts', { segment_id: segmentId, channel_type: 'email', template_id: templateId, category: 'marketing', attachments: [pdf] }, { headers: { 'idempotency-key': 'bc-1' } });
  assert.equal(r.statusCode, 202, r.body);
  const again = await t.call('POST', '/v1/broadcasts', { segment_id: segmentId, channel_type: 'email', template_id: templateId, category: 'marketing', attachments: [pdf] }, { headers: { 'idempotency-key': 'bc-1' } });
  assert.equal(again.json().id, r.json().id, 'the same key starts no second broadcast');
  let view = r.json();
  for (let i = 0; i < 600 && view.status !== 'done'; i++) {
    await new Promise((res) => setTimeout(res, 100));
    view = (await t.call('GET', `/v1/broadcasts/${r.json().id}`)).json();
  }
  assert.equal(view.status, 'done', JSON.stringify(view));
  const want = expected();
  assert.deepEqual({ total: view.total, queued: view.queued, suppressed: view.suppressed, skipped: view.skipped }, want);
  for (let i = 0; i < 600; i++) {
    const n = (await t.db.pool.query(`SELECT count(*)::int AS n FROM sandbox_messages`)).rows[0].n;
    if (n >= want.queued) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const sink = (await t.db.pool.query(`SELECT count(*)::int AS n, count(DISTINCT to_address)::int AS people, max(duplicates) AS dup FROM sandbox_messages`)).rows[0];
  assert.deepEqual(sink, { n: want.queued, people: want.queued, dup: 0 });
  const sample = (await t.db.pool.query(`SELECT subject, text FROM sandbox_messages WHERE to_address = 'c1@example.com'`)).rows[0];
  assert.deepEqual(sample, { subject: 'Hola Cliente 1', text: 'Crédito para Cliente 1 en Cali' });
  // One for all: the bytes are stored once and every email carries them.
  assert.equal((await t.db.pool.query(`SELECT count(*)::int AS n FROM attachments`)).rows[0].n, 1);
  const withPdf = (await t.db.pool.query(`SELECT count(*)::int AS n FROM sandbox_messages WHERE raw LIKE '%filename=tasas.pdf%'`)).rows[0].n;
  assert.equal(withPdf, want.queued);
  const reasons = (await t.db.pool.query(`SELECT policy->>'reason' AS reason, count(*)::int AS n FROM messages WHERE status = 'suppressed' GROUP BY 1`)).rows;
  assert.deepEqual(reasons, [{ reason: 'opted_out', n: want.suppressed }]);
});

test('a broadcast job stopped between batches resumes after the last committed batch: nobody twice', { timeout: 120_000 }, async () => {
  // Written directly, without its job, so that the running workers leave it to this test.
  const smsTemplate = (await t.call('POST', '/v1/templates', { name: 'SMS', channel_type: 'sms', body: 'Hola {{ contact.name }}' })).json().id;
  const id = 'bc_resume';
  await insertBroadcast(t.db.pool, { account_id: t.accountId, id, list_id: listId, segment_id: null, channel_id: 'sandbox_sms', template_id: smsTemplate, category: 'transactional', data: {} });
  const job = { id: 'job_resume', kind: BROADCAST_JOB, payload: { account_id: t.accountId, broadcast_id: id } } as unknown as ClaimedJob;
  const handler = broadcastJobHandler(t.deps);
  // A shutdown that arrives once the first batch has committed: the handler looks at the signal
  // before each batch.
  let looks = 0;
  const stopAfterOneBatch = { get aborted() { return ++looks > 1; } } as AbortSignal;
  const first = await handler({ job, pool: t.db.pool, log: t.deps.log, signal: stopAfterOneBatch });
  assert.equal(first, 'released');
  const mid = (await t.db.pool.query(`SELECT total, status FROM broadcasts WHERE id = $1`, [id])).rows[0];
  assert.ok(mid.total > 0 && mid.total < N, `stopped part-way (${mid.total})`);
  const second = await handler({ job, pool: t.db.pool, log: t.deps.log, signal: new AbortController().signal });
  assert.equal(second, 'done');
  const counts = (await t.db.pool.query(
    `SELECT count(*)::int AS messages, count(DISTINCT contact_id)::int AS contacts FROM messages WHERE source->>'broadcast_id' = $1`, [id])).rows[0];
  assert.deepEqual(counts, { messages: N, contacts: N });
  assert.equal((await t.call('GET', `/v1/broadcasts/${id}`)).json().total, N);
});

test('bad broadcasts are refused naming the field, and start nothing', async () => {
  const jobs = async () => (await t.db.pool.query(`SELECT count(*)::int AS n FROM jobs WHERE kind = $1`, [BROADCAST_JOB])).rows[0].n;
  const before = await jobs();
  const cases: [object, string][] = [
    [{ channel_type: 'email', template_id: templateId, category: 'marketing' }, 'segment_id'],
    [{ segment_id: 'seg_nope', channel_type: 'email', template_id: templateId, category: 'marketing' }, 'segment_id'],
    [{ segment_id: segmentId, channel_type: 'email', template_id: 'tpl_nope', category: 'marketing' }, 'template_id'],
    [{ segment_id: segmentId, channel_type: 'sms', template_id: templateId, category: 'marketing' }, 'template_id'],
  ];
  for (const [body, field] of cases) {
    const r = await t.call('POST', '/v1/broadcasts', body);
    assert.equal(r.statusCode, 422, r.body);
    assert.match(r.body, new RegExp(field));
  }
  assert.equal(await jobs(), before);
});
