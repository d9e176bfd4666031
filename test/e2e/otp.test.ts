// The OTP console end to end, in a real browser against the real server with its sandbox SMSC:
// an OTP requested through the API for a contact reaches the sandbox outbox as an SMS; the code
// read off that page verifies; the OTP page then lists it as verified with its destination
// masked (neither the phone number nor the code anywhere on the page), its per-channel stats and
// its detail with the SMS delivery. The rate-limit settings save, show a validation error, and
// are read-only for a role below admin.
//
// The server, the browser and the shared helpers are harness.ts's.
import assert from 'node:assert/strict';
import {
  baseUrl, callApi, eventually, logIn, openNav, page, pageErrors, setupConsoleE2E, step, textIs, textOf,
} from './harness.js';

const API_KEY = 'cv_test_otp_console_e2e_key';
setupConsoleE2E({ name: 'otp', apiKey: API_KEY, sandbox: true });

const PHONE = '+573005550123';
/** Every way the full number could show: E.164, national digits, national grouped. */
const FULL_NUMBER = ['+573005550123', '573005550123', '3005550123', '300 555 0123'];

interface OtpView {
  id: string;
  status: string;
  channel: string;
  to: { phone?: string; email?: string };
  attempts_left: number;
  deliveries: { channel_type: string; message_id: string | null; status: string }[];
}

let contactId = '';
let otpId = '';
let code = '';

/** The text a user sees in the page's main area. */
const mainText = async () => page.locator('main').innerText();

step('logs in; a contact with a phone exists (created through the API)', async () => {
  const list = await callApi<{ id: string }>('POST', '/lists', {
    name: 'Clientes OTP', key_field: 'customer_id', default_country: 'CO',
    fields: [{ key: 'customer_id', label: 'Customer ID', type: 'text' }, { key: 'name', label: 'Name', type: 'text' }],
  });
  const upsert = await callApi<{ inserted: number }>('PUT', `/lists/${list.id}/contacts`, {
    contacts: [{ customer_id: '2001', name: 'Marta', phone: PHONE, consent_transactional: true }],
  });
  assert.equal(upsert.inserted, 1);
  const found = await callApi<{ contacts: { id: string }[] }>('POST', `/lists/${list.id}/contacts/search`, { limit: 10 });
  contactId = found.contacts[0]?.id ?? '';
  assert.ok(contactId, 'the contact has an id');
  await logIn();
  await page.getByTestId('new-list-button').waitFor();
});

step('requests an OTP by SMS for the contact through the API', async () => {
  const created = await callApi<{ id: string; status: string; channel: string; channels: string[]; expires_at: string }>(
    'POST', '/otp', { contact_id: contactId, channels: ['sms'] },
  );
  assert.equal(created.status, 'pending');
  assert.equal(created.channel, 'sms');
  assert.deepEqual(created.channels, ['sms']);
  assert.ok(Date.parse(created.expires_at) > Date.now(), 'expires in the future');
  otpId = created.id;
});

step('the SMS arrives in the sandbox outbox; its text carries the code', async () => {
  await openNav('Sandbox outbox');
  await eventually('a sandbox row to the phone', async () => (await page.getByTestId('sandbox-row-to').allTextContents()).includes(PHONE), true);
  await page.getByTestId('sandbox-row').filter({ hasText: PHONE }).first().click();
  await page.getByTestId('sandbox-detail').waitFor();
  const text = (await textOf('sandbox-content')) ?? '';
  // The default code: 6 digits, standing alone in the text.
  const m = /(?<!\d)\d{6}(?!\d)/.exec(text);
  assert.ok(m, `a 6-digit code in the SMS text: ${JSON.stringify(text)}`);
  code = m[0];
});

step('a wrong code is refused and costs an attempt; the code from the SMS verifies once', async () => {
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  const refused = await callApi<{ valid: boolean; reason?: string; attempts_left?: number }>('POST', `/otp/${otpId}/verify`, { code: wrong });
  assert.equal(refused.valid, false);
  assert.equal(refused.reason, 'invalid');
  assert.equal(refused.attempts_left, 4);
  assert.deepEqual(await callApi('POST', `/otp/${otpId}/verify`, { code }), { valid: true });
  const again = await callApi<{ valid: boolean; reason?: string }>('POST', `/otp/${otpId}/verify`, { code });
  assert.equal(again.valid, false, 'a code is good once');
});

step('the OTP page lists it as verified, the destination masked, no number and no code on the page', async () => {
  await openNav('OTP');
  const row = page.getByTestId('otp-row').filter({ has: page.getByTestId('otp-row-status') }).first();
  await row.waitFor();
  await eventually('the OTP row status', async () => (await row.getByTestId('otp-row-status').textContent())?.trim(), 'verified');
  const to = (await row.getByTestId('otp-row-to').textContent())?.trim() ?? '';
  const view = await callApi<OtpView>('GET', `/otp/${otpId}`);
  assert.ok(view.to.phone, `the API names the phone it went to, masked: ${JSON.stringify(view.to)}`);
  assert.equal(to, view.to.phone, 'the row shows the masked destination the API gives');
  assert.match(to, /^\+57.*[•*].*23$/, `masked, keeping the country code and the last digits: ${to}`);
  assert.equal(await row.getByTestId('otp-delivery').first().getAttribute('data-channel'), 'sms');
  const text = await mainText();
  for (const n of FULL_NUMBER) assert.ok(!text.includes(n), `the page shows ${n}`);
  assert.ok(!text.includes(code), 'the page shows the code');
});

step('the stats show the SMS channel: verified 1 of 1 sent, conversion 100 %', async () => {
  const sms = page.getByTestId('otp-stats-row').filter({ hasText: 'sms' });
  await sms.waitFor();
  assert.equal((await sms.getByTestId('otp-stat-verified').textContent())?.trim(), '1');
  assert.equal((await sms.getByTestId('otp-stat-conversion').textContent())?.trim(), '100 %');
  await textIs('otp-total-verified', '1');
  await textIs('otp-total-created', '1');
});

step('the OTP opens with its SMS delivery and the message it went in; still masked', async () => {
  await page.getByTestId('otp-row').first().click();
  await page.waitForURL(new RegExp(`/otp/${otpId}$`));
  await textIs('otp-detail-status', 'verified');
  const delivery = page.getByTestId('otp-delivery-row').first();
  await delivery.waitFor();
  assert.match((await delivery.textContent()) ?? '', /sms/);
  const messageId = (await delivery.getByTestId('otp-delivery-message').textContent())?.trim() ?? '';
  const view = await callApi<OtpView>('GET', `/otp/${otpId}`);
  assert.equal(messageId, view.deliveries[0]?.message_id, 'the delivery names the message that carried the code');
  assert.equal((await textOf('otp-detail-to')) ?? '', view.to.phone, 'the masked destination the API gives');
  const text = await mainText();
  for (const n of FULL_NUMBER) assert.ok(!text.includes(n), `the detail shows ${n}`);
  assert.ok(!text.includes(code), 'the detail shows the code');
  // The message link opens the message's own page.
  await delivery.getByTestId('otp-delivery-message').click();
  await page.waitForURL(/\/messages\/[^/]+$/);
});

step('rate-limit settings: a bad value is named, a good one saves', async () => {
  await openNav('OTP');
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('otp-settings-form').waitFor();
  const max = page.getByTestId('otp-setting-per-destination-max');
  assert.equal(await max.inputValue(), String((await callApi<{ per_destination: { max: number } }>('GET', '/settings/otp')).per_destination.max));
  // Caught in the browser: not a whole number ≥ 1.
  await max.fill('0');
  await page.getByTestId('otp-settings-save').click();
  await page.getByTestId('otp-settings-error').waitFor();
  assert.match((await page.locator('.field-invalid').first().textContent()) ?? '', /whole number/);
  await max.fill('3');
  await page.getByTestId('otp-setting-per-account-window-seconds').fill('120');
  await page.getByTestId('otp-settings-save').click();
  await page.getByTestId('otp-settings-saved').waitFor();
  const stored = await callApi<{ per_destination: { max: number }; per_account: { window_seconds: number } }>('GET', '/settings/otp');
  assert.equal(stored.per_destination.max, 3);
  assert.equal(stored.per_account.window_seconds, 120);
});

step('the server\'s validation error names the field in the form', async () => {
  // Larger than any window the server accepts (a week is the most a limit could sensibly span).
  await page.getByTestId('otp-setting-per-verify-source-window-seconds').fill('999999999');
  await page.getByTestId('otp-settings-save').click();
  await page.getByTestId('otp-settings-error').waitFor();
  const field = page.locator('.field-invalid');
  await field.first().waitFor();
  assert.equal(await field.count(), 1, 'one field is named');
  assert.match((await field.first().textContent()) ?? '', /Window/);
  const stored = await callApi<{ per_verify_source: { window_seconds: number } }>('GET', '/settings/otp');
  assert.notEqual(stored.per_verify_source.window_seconds, 999999999, 'nothing was saved');
});

step('an editor sees the settings read-only, without a save button', async () => {
  await callApi('POST', '/users', { email: 'editor@example.com', name: 'Editor', role: 'editor', password: 'an-editor-password-123' });
  await page.getByTestId('logout').click();
  await page.getByTestId('login-email').fill('editor@example.com');
  await page.getByTestId('login-password').fill('an-editor-password-123');
  await page.getByTestId('login-submit').click();
  // Signed in where they signed out: the settings, now as the editor.
  await eventually('the signed-in role', async () => (await page.locator('.user-role').textContent({ timeout: 1000 }))?.trim(), 'editor');
  await page.goto(`${baseUrl}/otp/settings`);
  await page.getByTestId('otp-settings-readonly').waitFor();
  assert.equal(await page.getByTestId('otp-settings-save').count(), 0);
  assert.equal(await page.getByTestId('otp-setting-per-destination-max').isDisabled(), true);
  assert.equal(await page.getByTestId('otp-setting-per-destination-max').inputValue(), '3');
  // The editor still sees the OTPs (read access), masked.
  await openNav('OTP');
  await eventually('the OTP row for the editor', () => page.getByTestId('otp-row').count(), 1);
});

step('no uncaught errors in the page', async () => {
  assert.deepEqual(pageErrors, []);
});
