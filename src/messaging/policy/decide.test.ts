import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, type PolicyView } from '../../accounts/policy.js';
import { decidePolicy, type PolicyDecision, type PolicyInput } from './decide.js';
import { capWindowStarts, type CapWindowStarts } from './caps.js';
import { policyReasonText } from './check.js';

const ley2300 = (over: Partial<PolicyView> = {}): PolicyView => ({
  timezone: 'America/Bogota', country: 'CO',
  sending_windows: [...PRESETS.co_ley_2300.sending_windows], holidays: { ...PRESETS.co_ley_2300.holidays, categories: ['marketing'] },
  frequency_caps: {}, ...over,
});
const tcpa = (over: Partial<PolicyView> = {}): PolicyView => ({
  timezone: 'America/New_York', country: 'US',
  sending_windows: [...PRESETS.tcpa.sending_windows], holidays: { enabled: false, categories: [] }, frequency_caps: {}, ...over,
});
const consenting = { consent_marketing: true };

function decide(over: Omit<Partial<PolicyInput>, 'now'> & { now: Date | string }): PolicyDecision {
  return decidePolicy({
    category: 'marketing', channelKind: 'sms', contact: consenting, policy: ley2300(), suppressions: [],
    sentCounts: { day: 0, week: 0, month: 0 }, ...over, now: new Date(over.now),
  });
}

function deferredTo(d: PolicyDecision, iso: string, reason: 'quiet_hours' | 'holiday' = 'quiet_hours'): void {
  assert.equal(d.decision, 'defer', JSON.stringify(d));
  if (d.decision !== 'defer') return;
  assert.equal(d.due_at.toISOString(), new Date(iso).toISOString());
  assert.equal(d.reason, reason);
}

// ---- Quiet hours: Colombia, Ley 2300 (Mon–Fri 07–19, Sat 08–15, never Sundays or holidays) ------

test('Bogotá: a marketing SMS on a Sunday waits until Monday 07:00 -05:00', () => {
  deferredTo(decide({ now: '2026-03-01T10:00:00-05:00' }), '2026-03-02T07:00:00-05:00');
});

test('Bogotá: Saturday 15:00 is closed (to is exclusive) and waits until Monday; 14:59 goes out', () => {
  deferredTo(decide({ now: '2026-02-28T15:00:00-05:00' }), '2026-03-02T07:00:00-05:00');
  assert.deepEqual(decide({ now: '2026-02-28T14:59:59-05:00' }), { decision: 'send' });
  deferredTo(decide({ now: '2026-02-28T07:59:00-05:00' }), '2026-02-28T08:00:00-05:00');
});

test('Bogotá: weekday edges — 07:00 opens, 19:00 closes until the next morning', () => {
  assert.deepEqual(decide({ now: '2026-03-03T07:00:00-05:00' }), { decision: 'send' });
  assert.deepEqual(decide({ now: '2026-03-03T18:59:59.999-05:00' }), { decision: 'send' });
  deferredTo(decide({ now: '2026-03-03T19:00:00-05:00' }), '2026-03-04T07:00:00-05:00');
  deferredTo(decide({ now: '2026-03-03T06:59:00-05:00' }), '2026-03-03T07:00:00-05:00');
  // Friday evening: Saturday opens at 08:00, not 07:00.
  deferredTo(decide({ now: '2026-03-06T20:00:00-05:00' }), '2026-03-07T08:00:00-05:00');
});

test('Bogotá: no marketing on a Colombian public holiday (2026-12-08, Inmaculada Concepción)', () => {
  deferredTo(decide({ now: '2026-12-08T10:00:00-05:00' }), '2026-12-09T07:00:00-05:00', 'holiday');
  // The evening before: the windows alone would open on the 8th, the holiday pushes it a day.
  deferredTo(decide({ now: '2026-12-07T20:00:00-05:00' }), '2026-12-09T07:00:00-05:00', 'holiday');
  // Holidays off: a normal Tuesday.
  assert.deepEqual(decide({ now: '2026-12-08T10:00:00-05:00', policy: ley2300({ holidays: { enabled: false, categories: ['marketing'] } }) }), { decision: 'send' });
  // Holidays on, but not for this category.
  assert.deepEqual(decide({ now: '2026-12-08T10:00:00-05:00', policy: ley2300({ holidays: { enabled: true, categories: ['transactional'] } }) }), { decision: 'send' });
  // A holiday over a weekend of closed days: Monday 2026-01-12 (Reyes Magos) → Tuesday.
  deferredTo(decide({ now: '2026-01-10T16:00:00-05:00' }), '2026-01-13T07:00:00-05:00', 'holiday');
});

test("holidays are the contact's country's, else the account's", () => {
  const now = '2026-12-08T10:00:00-05:00';
  assert.deepEqual(decide({ now, contact: { ...consenting, country: 'US' } }), { decision: 'send' });
  deferredTo(decide({ now, contact: { ...consenting, country: null } }), '2026-12-09T07:00:00-05:00', 'holiday');
  deferredTo(decide({ now, contact: { ...consenting, country: 'CO' }, policy: ley2300({ country: 'US' }) }), '2026-12-09T07:00:00-05:00', 'holiday');
  // Holidays hold a category that has no windows at all: until the next non-holiday midnight.
  const onlyHolidays = ley2300({ sending_windows: [] });
  deferredTo(decide({ now, policy: onlyHolidays }), '2026-12-09T00:00:00-05:00', 'holiday');
  assert.deepEqual(decide({ now: '2026-12-09T03:00:00-05:00', policy: onlyHolidays }), { decision: 'send' });
});

test('a category with no window is never held; windows name their category', () => {
  assert.deepEqual(decide({ now: '2026-03-01T03:00:00-05:00', category: 'transactional' }), { decision: 'send' });
  assert.deepEqual(decide({ now: '2026-12-08T03:00:00-05:00', category: 'transactional' }), { decision: 'send' });
  assert.deepEqual(decide({ now: '2026-03-01T03:00:00-05:00', policy: ley2300({ sending_windows: [], holidays: { enabled: false, categories: [] } }) }), { decision: 'send' });
});

test("windows are read in the contact's time zone, the account's when unknown or invalid", () => {
  const now = '2026-03-03T06:30:00Z'; // Tuesday: 07:30 in Madrid, 01:30 in Bogotá
  assert.deepEqual(decide({ now, contact: { ...consenting, timezone: 'Europe/Madrid' } }), { decision: 'send' });
  deferredTo(decide({ now, contact: { ...consenting, timezone: null } }), '2026-03-03T07:00:00-05:00');
  deferredTo(decide({ now, contact: { ...consenting, timezone: 'Mars/Olympus_Mons' } }), '2026-03-03T07:00:00-05:00');
  // Madrid in the evening: 19:30 there is closed; opens at 07:00 Madrid time (CET) next day.
  deferredTo(decide({ now: '2026-03-03T18:30:00Z', contact: { ...consenting, timezone: 'Europe/Madrid' } }), '2026-03-04T07:00:00+01:00');
});

test('a window naming a channel kind holds only that kind', () => {
  const policy = ley2300({ sending_windows: [{ category: 'marketing', channel_type: 'sms', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '09:00', to: '17:00' }], holidays: { enabled: false, categories: [] } });
  const now = '2026-03-03T20:00:00-05:00';
  deferredTo(decide({ now, policy, channelKind: 'sms' }), '2026-03-04T09:00:00-05:00');
  assert.deepEqual(decide({ now, policy, channelKind: 'email' }), { decision: 'send' });
});

test('a window past midnight (22:00–06:00 on Fridays) is open early Saturday', () => {
  const policy = ley2300({ sending_windows: [{ category: 'marketing', days: ['fri'], from: '22:00', to: '06:00' }], holidays: { enabled: false, categories: [] } });
  assert.deepEqual(decide({ now: '2026-03-06T23:00:00-05:00', policy }), { decision: 'send' });
  assert.deepEqual(decide({ now: '2026-03-07T05:59:00-05:00', policy }), { decision: 'send' });
  deferredTo(decide({ now: '2026-03-07T06:00:00-05:00', policy }), '2026-03-13T22:00:00-05:00');
  deferredTo(decide({ now: '2026-03-06T21:00:00-05:00', policy }), '2026-03-06T22:00:00-05:00');
});

test("'24:00' ends a window at midnight", () => {
  const policy = ley2300({ sending_windows: [{ category: 'marketing', days: ['mon'], from: '20:00', to: '24:00' }], holidays: { enabled: false, categories: [] } });
  assert.deepEqual(decide({ now: '2026-03-02T23:59:59-05:00', policy }), { decision: 'send' });
  deferredTo(decide({ now: '2026-03-03T00:00:00-05:00', policy }), '2026-03-09T20:00:00-05:00');
});

test('a policy with no possible opening defers (re-checked a year on), never drops', () => {
  const policy = ley2300({ sending_windows: [{ category: 'marketing', days: ['mon'], from: '10:00', to: '10:00' }], holidays: { enabled: false, categories: [] } });
  deferredTo(decide({ now: '2026-03-02T12:00:00Z', policy }), '2027-03-03T12:00:00Z');
});

// ---- TCPA: 08–21 local, across daylight saving changes in New York ---------------------------

test('TCPA in America/New_York: the spring-forward night opens at 08:00 EDT', () => {
  const policy = tcpa();
  // Saturday 22:00 EST (UTC-5) → Sunday 08:00 EDT (UTC-4), the day the clocks jump.
  deferredTo(decide({ now: '2026-03-07T22:00:00-05:00', policy }), '2026-03-08T08:00:00-04:00');
  deferredTo(decide({ now: '2026-03-08T07:59:00-04:00', policy }), '2026-03-08T08:00:00-04:00');
  assert.deepEqual(decide({ now: '2026-03-08T08:00:00-04:00', policy }), { decision: 'send' });
  assert.deepEqual(decide({ now: '2026-03-08T20:59:00-04:00', policy }), { decision: 'send' });
});

test('TCPA in America/New_York: the fall-back night opens at 08:00 EST, closes at 21:00 EST', () => {
  const policy = tcpa();
  deferredTo(decide({ now: '2026-10-31T21:30:00-04:00', policy }), '2026-11-01T08:00:00-05:00');
  // 07:30 EST: an hour that, by a fixed -4 offset, would wrongly look like 08:30.
  deferredTo(decide({ now: '2026-11-01T07:30:00-05:00', policy }), '2026-11-01T08:00:00-05:00');
  assert.deepEqual(decide({ now: '2026-11-01T20:59:00-05:00', policy }), { decision: 'send' });
  deferredTo(decide({ now: '2026-11-01T21:00:00-05:00', policy }), '2026-11-02T08:00:00-05:00');
});

test('windows that fall in the skipped or repeated hour of a DST change', () => {
  const all = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  const at = (from: string, to: string) => tcpa({ sending_windows: [{ category: 'marketing', days: [...all], from, to }] });
  // Opening at 02:30 on the night 02:00–03:00 does not exist: it opens when the clocks jump, 03:00 EDT.
  deferredTo(decide({ now: '2026-03-08T01:00:00-05:00', policy: at('02:30', '05:00') }), '2026-03-08T03:00:00-04:00');
  // A window wholly inside the skipped hour does not happen that night: the next one does.
  deferredTo(decide({ now: '2026-03-08T01:00:00-05:00', policy: at('02:00', '02:30') }), '2026-03-09T02:00:00-04:00');
  // 01:30–01:45 happens twice on the fall-back night; at 01:10 EST (the second 01:10) the second one is next.
  deferredTo(decide({ now: '2026-11-01T01:10:00-05:00', policy: at('01:30', '01:45') }), '2026-11-01T01:30:00-05:00');
  deferredTo(decide({ now: '2026-11-01T01:10:00-04:00', policy: at('01:30', '01:45') }), '2026-11-01T01:30:00-04:00');
});

test('every deferral lands on an opening: sendable at due_at, held a second before (1,000 instants)', () => {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const start = Date.parse('2026-01-01T00:00:00Z');
  const year = 365 * 86_400_000;
  const cases: [string, PolicyView, string | null][] = [['ley 2300', ley2300(), null], ['tcpa', tcpa(), null], ['ley 2300, contact in Madrid', ley2300(), 'Europe/Madrid']];
  for (const [name, policy, timezone] of cases) {
    for (let i = 0; i < 1000 / cases.length; i++) {
      const now = new Date(start + Math.floor(random() * year / 60_000) * 60_000 + Math.floor(random() * 60) * 1000);
      const contact = { ...consenting, timezone };
      const d = decide({ now, policy, contact });
      if (d.decision !== 'defer') continue;
      assert.ok(d.due_at > now, `${name} ${now.toISOString()}`);
      assert.deepEqual(decide({ now: d.due_at, policy, contact }), { decision: 'send' }, `${name}: due ${d.due_at.toISOString()} from ${now.toISOString()}`);
      const before = decide({ now: new Date(d.due_at.getTime() - 1000), policy, contact });
      assert.equal(before.decision, 'defer', `${name}: open before due ${d.due_at.toISOString()} from ${now.toISOString()}`);
    }
  }
});

// ---- Consent -------------------------------------------------------------------------------

test('marketing needs consent_marketing === true; no contact means no consent', () => {
  const now = '2026-03-03T10:00:00-05:00';
  assert.deepEqual(decide({ now }), { decision: 'send' });
  assert.equal(suppressReason(decide({ now, contact: null })), 'no_consent');
  assert.equal(suppressReason(decide({ now, contact: { consent_marketing: null } })), 'no_consent');
  assert.equal(suppressReason(decide({ now, contact: {} })), 'no_consent');
  assert.equal(suppressReason(decide({ now, contact: { consent_marketing: false } })), 'opted_out');
  // Consent is checked before the clock: an opted-out contact is suppressed, not deferred, at night.
  assert.equal(suppressReason(decide({ now: '2026-03-01T03:00:00-05:00', contact: { consent_marketing: false } })), 'opted_out');
});

test('transactional ignores the marketing opt-out; only consent_transactional === false stops it', () => {
  const now = '2026-03-01T03:00:00-05:00';
  const t = (contact: PolicyInput['contact']) => decide({ now, category: 'transactional', contact });
  assert.deepEqual(t({ consent_marketing: false }), { decision: 'send' });
  assert.deepEqual(t(null), { decision: 'send' });
  assert.deepEqual(t({ consent_transactional: null }), { decision: 'send' });
  assert.equal(suppressReason(t({ consent_transactional: false })), 'opted_out');
});

// ---- Suppressions --------------------------------------------------------------------------

test('suppression hits: category null stops all; a marketing-only hit never stops transactional', () => {
  const now = '2026-03-03T10:00:00-05:00';
  const all = [{ list_name: null, reason: 'hard bounce', category: null }];
  assert.deepEqual(decide({ now, suppressions: all }), { decision: 'suppress', reason: 'suppressed', list: null, detail: 'hard bounce' });
  assert.deepEqual(decide({ now, suppressions: all, category: 'transactional' }), { decision: 'suppress', reason: 'suppressed', list: null, detail: 'hard bounce' });
  const marketingOnly = [{ list_name: 'RNE', reason: '', category: 'marketing' }];
  assert.deepEqual(decide({ now, suppressions: marketingOnly }), { decision: 'suppress', reason: 'suppressed', list: 'RNE' });
  assert.deepEqual(decide({ now, suppressions: marketingOnly, category: 'transactional' }), { decision: 'send' });
  const transactionalOnly = [{ list_name: null, reason: '', category: 'transactional' }];
  assert.deepEqual(decide({ now, suppressions: transactionalOnly }), { decision: 'send' });
});

test("the list named is the account's own first, then named lists alphabetically", () => {
  const now = '2026-03-03T10:00:00-05:00';
  const hit = (list_name: string | null) => ({ list_name, reason: '', category: null });
  assert.equal(listOf(decide({ now, suppressions: [hit('RNE'), hit(null)] })), null);
  assert.equal(listOf(decide({ now, suppressions: [hit('RNE'), hit('CRC')] })), 'CRC');
  // A suppression stops a message even inside closed hours (suppress, not defer).
  assert.equal(suppressReason(decide({ now: '2026-03-01T03:00:00-05:00', suppressions: [hit('RNE')] })), 'suppressed');
});

// ---- Frequency caps ------------------------------------------------------------------------

test('frequency caps count marketing per day / week / month; transactional is never capped', () => {
  const now = '2026-03-03T10:00:00-05:00';
  const policy = ley2300({ frequency_caps: { day: 2, week: 5, month: 10 } });
  const at = (day: number, week: number, month: number, category: 'marketing' | 'transactional' = 'marketing') =>
    decide({ now, policy, category, sentCounts: { day, week, month } });
  assert.deepEqual(at(1, 4, 9), { decision: 'send' });
  assert.deepEqual(at(2, 2, 2), { decision: 'suppress', reason: 'frequency_cap', detail: '2 marketing messages per day already sent' });
  assert.equal(suppressReason(at(0, 5, 5)), 'frequency_cap');
  assert.equal(suppressReason(at(0, 0, 10)), 'frequency_cap');
  assert.deepEqual(at(9, 9, 99, 'transactional'), { decision: 'send' });
  // A cap of 0 allows none; an absent cap allows any number.
  assert.equal(suppressReason(decide({ now, policy: ley2300({ frequency_caps: { week: 0 } }) })), 'frequency_cap');
  assert.deepEqual(decide({ now, policy: ley2300({ frequency_caps: {} }), sentCounts: { day: 99, week: 99, month: 99 } }), { decision: 'send' });
});

test("cap periods are the contact's calendar day, ISO week (Monday) and month", () => {
  assert.deepEqual(iso(capWindowStarts(new Date('2026-03-04T15:00:00Z'), 'America/Bogota')), {
    day: '2026-03-04T05:00:00.000Z', week: '2026-03-02T05:00:00.000Z', month: '2026-03-01T05:00:00.000Z',
  });
  // New York, the week the clocks moved: Monday is EDT, the 1st was EST.
  assert.deepEqual(iso(capWindowStarts(new Date('2026-03-10T15:00:00Z'), 'America/New_York')), {
    day: '2026-03-10T04:00:00.000Z', week: '2026-03-09T04:00:00.000Z', month: '2026-03-01T05:00:00.000Z',
  });
  // Sunday belongs to the week that began on Monday.
  assert.equal(capWindowStarts(new Date('2026-03-08T12:00:00Z'), 'UTC').week.toISOString(), '2026-03-02T00:00:00.000Z');
  // Santiago skips midnight on 2026-09-06: the day starts when the clocks jump to 01:00.
  assert.equal(capWindowStarts(new Date('2026-09-06T15:00:00Z'), 'America/Santiago').day.toISOString(), '2026-09-06T04:00:00.000Z');
});

test('policyReasonText says what happened and, for a deferral, when it goes out', () => {
  assert.match(policyReasonText({ decision: 'suppress', reason: 'suppressed', list: 'RNE' }), /"RNE"/);
  assert.match(policyReasonText({ decision: 'suppress', reason: 'suppressed', list: null }), /account's suppression list/);
  assert.match(policyReasonText({ decision: 'defer', reason: 'holiday', due_at: new Date('2026-12-09T12:00:00Z') }), /holiday.*2026-12-09T12:00:00.000Z/);
  assert.match(policyReasonText({ decision: 'suppress', reason: 'frequency_cap', detail: '2 marketing messages per day already sent' }), /frequency cap/);
});

function suppressReason(d: PolicyDecision): string | undefined {
  return d.decision === 'suppress' ? d.reason : undefined;
}
function listOf(d: PolicyDecision): string | null | undefined {
  return d.decision === 'suppress' ? d.list : undefined;
}
function iso(s: CapWindowStarts): Record<string, string> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.toISOString()]));
}
