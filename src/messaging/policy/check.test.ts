import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { newId } from '../../core/ids.js';
import { addSuppression } from '../suppressions/service.js';
import { checkPolicy, contactForPolicy, countMarketingSent, loadAccountPolicy, type CheckPolicyArgs } from './check.js';
import { capWindowStarts } from './caps.js';

let t: TestApp;
let other: { id: string; key: string };
before(async () => {
  t = await createTestApp();
  other = await t.newAccount();
  const r = await t.call('PATCH', '/v1/settings/policy', { timezone: 'America/Bogota', country: 'CO', preset: 'co_ley_2300', frequency_caps: { day: 1, week: 3 } });
  assert.equal(r.statusCode, 200, r.body);
});
after(async () => { await t.close(); });

const TUESDAY_10AM = new Date('2026-03-03T10:00:00-05:00');
const consenting = { email: 'ana@example.com', phone: '+573001234567', consent_marketing: true, consent_transactional: true };

function check(over: Partial<CheckPolicyArgs>) {
  return checkPolicy(t.db.pool, {
    accountId: t.accountId, category: 'marketing', channelKind: 'email', contact: consenting, contactId: null,
    address: {}, now: TUESDAY_10AM, ...over,
  });
}

async function sent(accountId: string, contactId: string, at: string, category = 'marketing', status = 'sent'): Promise<void> {
  await t.db.pool.query(
    `INSERT INTO messages (account_id, id, contact_id, channel_id, channel_type, to_address, category, content, status, sent_at)
     VALUES ($1, $2, $3, 'ch_x', 'email', 'x@example.com', $4, '{"text":"hi"}', $5, $6)`,
    [accountId, newId('msg'), contactId, category, status, status === 'queued' ? null : at],
  );
}

test('loads the account policy: zone, country and the preset windows', async () => {
  const p = await loadAccountPolicy(t.db.pool, t.accountId);
  assert.equal(p.timezone, 'America/Bogota');
  assert.equal(p.country, 'CO');
  assert.equal(p.sending_windows.length, 2);
  assert.deepEqual(p.frequency_caps, { day: 1, week: 3 });
});

test('suppressions match on the normalised address and report their list', async () => {
  await addSuppression(t.db.pool, { accountId: t.accountId, type: 'email', value: 'Bounced@Example.com', reason: 'hard bounce' });
  await addSuppression(t.db.pool, { accountId: t.accountId, type: 'phone', value: '300 765 4321', reason: 'RNE', list: 'RNE', category: 'marketing' });

  assert.deepEqual(await check({ address: { email: 'bounced@EXAMPLE.com' } }), { decision: 'suppress', reason: 'suppressed', list: null, detail: 'hard bounce' });
  assert.deepEqual(await check({ address: { email: 'BOUNCED@example.com' }, category: 'transactional' }), { decision: 'suppress', reason: 'suppressed', list: null, detail: 'hard bounce' });
  // The regulator's list holds marketing only: transactional SMS still goes.
  assert.deepEqual(await check({ channelKind: 'sms', address: { phone: '+573007654321' } }), { decision: 'suppress', reason: 'suppressed', list: 'RNE', detail: 'RNE' });
  assert.deepEqual(await check({ channelKind: 'sms', address: { phone: '+573007654321' }, category: 'transactional' }), { decision: 'send' });
  // Another address, and the same address in another account, are not suppressed.
  assert.deepEqual(await check({ address: { email: 'ana@example.com' } }), { decision: 'send' });
  assert.deepEqual(await checkPolicy(t.db.pool, {
    accountId: other.id, category: 'transactional', channelKind: 'email', contact: null, contactId: null, address: { email: 'bounced@example.com' }, now: TUESDAY_10AM,
  }), { decision: 'send' });
});

test("frequency caps count this contact's marketing sent in the contact's day and week", async () => {
  const contactId = newId('ct');
  const base = { contactId, address: { email: 'caps@example.com' } };
  assert.deepEqual(await check(base), { decision: 'send' });
  // Monday in Bogotá (same ISO week), a transactional one today, a queued one, and other contacts and accounts: none hit the day cap.
  await sent(t.accountId, contactId, '2026-03-02T12:00:00-05:00');
  await sent(t.accountId, contactId, '2026-03-03T09:00:00-05:00', 'transactional');
  await sent(t.accountId, contactId, '2026-03-03T09:00:00-05:00', 'marketing', 'queued');
  await sent(t.accountId, newId('ct'), '2026-03-03T09:00:00-05:00');
  await sent(other.id, contactId, '2026-03-03T09:00:00-05:00');
  // 23:30 UTC on Monday is Monday 18:30 in Bogotá: yesterday for the contact, "today" in UTC.
  await sent(t.accountId, contactId, '2026-03-02T23:30:00Z');
  assert.deepEqual(await check(base), { decision: 'send' });
  assert.deepEqual(await countMarketingSent(t.db.pool, t.accountId, contactId, capWindowStarts(TUESDAY_10AM, 'America/Bogota')), { day: 0, week: 2, month: 2 });

  await sent(t.accountId, contactId, '2026-03-03T00:00:00-05:00');
  assert.deepEqual(await check(base), { decision: 'suppress', reason: 'frequency_cap', detail: '1 marketing message per day already sent' });
  // Transactional is never capped.
  assert.deepEqual(await check({ ...base, category: 'transactional' }), { decision: 'send' });
  // Wednesday: a new day, but the week cap (3) is reached.
  assert.deepEqual(await check({ ...base, now: new Date('2026-03-04T10:00:00-05:00') }), { decision: 'suppress', reason: 'frequency_cap', detail: '3 marketing messages per week already sent' });
  // The next Monday: a new week.
  assert.deepEqual(await check({ ...base, now: new Date('2026-03-09T10:00:00-05:00') }), { decision: 'send' });
  // Periods follow the contact's zone: in Tokyo this instant is already Wednesday 00:00, so none today.
  assert.deepEqual(await countMarketingSent(t.db.pool, t.accountId, contactId, capWindowStarts(TUESDAY_10AM, 'Asia/Tokyo')), { day: 0, week: 3, month: 3 });
});

test('consent and quiet hours come from the contact fields, in their zone', async () => {
  const sunday = new Date('2026-03-01T10:00:00-05:00');
  assert.deepEqual(await check({ now: sunday, address: { email: 'q@example.com' } }), { decision: 'defer', reason: 'quiet_hours', due_at: new Date('2026-03-02T07:00:00-05:00') });
  assert.deepEqual(await check({ now: sunday, category: 'transactional', address: { email: 'q@example.com' } }), { decision: 'send' });
  assert.deepEqual(await check({ contact: { consent_marketing: 'yes' }, address: { email: 'q@example.com' } }), {
    decision: 'suppress', reason: 'no_consent', detail: 'the contact has not consented to marketing',
  });
  assert.deepEqual(await check({ contact: null, address: { email: 'q@example.com' } }), {
    decision: 'suppress', reason: 'no_consent', detail: 'marketing needs a contact with consent; this message has only an address',
  });
  // Tuesday 10:00 in Bogotá is 16:00 in Madrid: open there too; 20:00 Bogotá is 02:00 Madrid.
  const madrid = { ...consenting, timezone: 'Europe/Madrid', country: 'ES' };
  assert.deepEqual(await check({ contact: madrid, address: { email: 'q@example.com' } }), { decision: 'send' });
  assert.deepEqual(await check({ contact: madrid, address: { email: 'q@example.com' }, now: new Date('2026-03-03T20:00:00-05:00') }), {
    decision: 'defer', reason: 'quiet_hours', due_at: new Date('2026-03-04T07:00:00+01:00'),
  });
  // The Colombian holiday: held for Colombians and Spaniards (Spain keeps it too), not in New York.
  const holiday = new Date('2026-12-08T10:00:00-05:00');
  assert.equal((await check({ now: holiday, address: { email: 'q@example.com' } })).decision, 'defer');
  assert.equal((await check({ now: holiday, contact: madrid, address: { email: 'q@example.com' } })).decision, 'defer');
  const newYork = { ...consenting, timezone: 'America/New_York', country: 'US' };
  assert.deepEqual(await check({ now: holiday, contact: newYork, address: { email: 'q@example.com' } }), { decision: 'send' });
});

test('contactForPolicy reads only real booleans and non-empty strings', () => {
  assert.deepEqual(contactForPolicy({ timezone: '', country: 'CO', consent_marketing: 'true', consent_transactional: false, name: 'Ana' }), {
    timezone: null, country: 'CO', consent_marketing: null, consent_transactional: false,
  });
});

test('an unknown account is a 404, not a silent send', async () => {
  await assert.rejects(check({ accountId: 'acc_nope' }), /account not found/);
});
