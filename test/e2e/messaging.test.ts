// The Messaging console end to end, in a real browser against the real server with its sandbox
// sinks (a local SMTP server and an SMPP SMSC): create an email template (its preview follows
// the typing, saved or not), preview it for a contact, send it to the contact, see it in the
// sandbox outbox and its `sent` event in the message's timeline; then an SMS template, its
// segment counter, a send to a phone and the `delivered` event the SMSC's receipt brings. Also:
// policy presets, suppressions and their import, channels with masked secrets and a channel test.
//
// The server, the browser and the shared helpers are harness.ts's.
import assert from 'node:assert/strict';
import {
  OWNER, baseUrl, callApi, eventually, openNav, page, pageErrors, rowCount, setupConsoleE2E, step, textIs, textOf,
} from './harness.js';

setupConsoleE2E({ name: 'messaging', apiKey: 'cv_test_messaging_console_e2e_key', sandbox: true });

/** The rows of the message timeline, as their event types. */
const timelineTypes = async () => (await page.getByTestId('timeline-event').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).join(',');

let contactId = '';

step('logs in, and a contact exists (created through the API)', async () => {
  const list = await callApi<{ id: string }>('POST', '/lists', {
    name: 'Clientes', key_field: 'customer_id',
    fields: [{ key: 'customer_id', label: 'Customer ID', type: 'text' }, { key: 'name', label: 'Name', type: 'text' }],
  });
  const upsert = await callApi<{ inserted: number }>('PUT', `/lists/${list.id}/contacts`, {
    contacts: [{ customer_id: '1001', name: 'Ana', email: 'ana@example.com', phone: '+573001234567', consent_transactional: true }],
  });
  assert.equal(upsert.inserted, 1);
  const found = await callApi<{ contacts: { id: string }[] }>('POST', `/lists/${list.id}/contacts/search`, { limit: 10 });
  contactId = found.contacts[0]?.id ?? '';
  assert.ok(contactId, 'the contact has an id');

  await page.goto(baseUrl + '/');
  await page.getByTestId('login-email').fill(OWNER.email);
  await page.getByTestId('login-password').fill(OWNER.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('new-list-button').waitFor();
});

let emailTemplateUrl = '';

/** The preview's email HTML (the sandboxed iframe's srcdoc), or '' while there is none. */
const previewHtml = async () => (await page.getByTestId('preview-html').getAttribute('srcdoc', { timeout: 1000 })) ?? '';

step('creates an email template: the preview follows the typing; a Liquid error is shown with its line', async () => {
  await openNav('Templates');
  await page.getByTestId('new-template-button').click();
  await page.getByTestId('template-name').fill('Payment reminder');
  await page.getByTestId('template-channel-type').selectOption('email');
  await page.getByTestId('template-subject').fill('Hola {{ contact.name | default: "cliente" }}');
  // Nothing is saved yet, and the preview already renders the draft, then each change to it.
  await page.getByTestId('template-body').fill('<p>Hola {{ contact.name | default: "cliente" }},</p>');
  await eventually('the new draft\'s preview subject', () => textOf('preview-subject'), 'Hola cliente');
  await eventually('the new draft\'s preview', async () => /Hola cliente,/.test(await previewHtml()), true);
  await page.getByTestId('template-body').fill('<p>Hola {{ contact.name | default: "cliente" }}, bienvenido</p>');
  await eventually('the preview after typing', async () => /bienvenido/.test(await previewHtml()), true);
  assert.match(page.url(), /\/templates\/new$/, 'still a draft');

  await page.getByTestId('template-body').fill('<p>Hola {{ contact.name }},</p>\n<p>\n{{ data.amount | no_such_filter }}</p>');
  await eventually('the draft\'s error in the preview', async () => /line 3/.test((await textOf('preview-error')) ?? ''), true);
  await page.getByTestId('template-save').click();
  await page.getByTestId('template-error').waitFor();
  assert.match(await textOf('template-error') ?? '', /line 3/, 'the error names the line');
  assert.match(page.url(), /\/templates\/new$/, 'nothing was created');

  await page.getByTestId('template-body').fill('<p>Hola {{ contact.name }},</p>\n{% if data.amount %}<p>Pay {{ data.amount }}</p>{% endif %}');
  await page.getByTestId('template-save').click();
  await page.waitForURL(/\/templates\/tpl_[^/]+$/);
  emailTemplateUrl = page.url();
});

step('previews the email for the contact in a sandboxed iframe', async () => {
  await page.getByTestId('sample-mode-contact').click();
  await page.getByTestId('sample-contact').fill(contactId);
  await eventually('the preview subject', () => textOf('preview-subject'), 'Hola Ana');
  const frame = page.getByTestId('preview-html');
  assert.equal(await frame.getAttribute('sandbox'), '', 'the iframe has every sandbox restriction');
  assert.match(await frame.getAttribute('srcdoc') ?? '', /Hola Ana/);
  // Sample data instead: the amount appears.
  await page.getByTestId('sample-mode-data').click();
  await page.getByTestId('sample-data').fill('{"amount": "$ 125.000"}');
  await eventually('the preview with sample data', async () => /Pay \$ 125\.000/.test(await frame.getAttribute('srcdoc', { timeout: 1000 }) ?? ''), true);
});

step('the preview follows an edit before it is saved; a bad edit names its line and keeps the saved one', async () => {
  const templateId = new URL(emailTemplateUrl).pathname.split('/').pop() ?? '';
  await page.getByTestId('template-body').fill('<p>Hola {{ contact.name }}, pay {{ data.amount }} today</p>');
  // The edit shows in the preview while the stored template is still the old one.
  await eventually('the preview of the unsaved edit', async () => /pay \$ 125\.000 today/.test(await previewHtml()), true);
  assert.doesNotMatch((await callApi<{ body: string }>('GET', `/templates/${templateId}`)).body, /today/, 'not saved yet');
  assert.equal(await page.getByTestId('preview-stale').count(), 0, 'no "stale until saved" notice');
  await page.getByTestId('send-uses-saved').waitFor();
  await page.getByTestId('template-save').click();
  await page.getByTestId('template-saved').waitFor();
  assert.match((await callApi<{ body: string }>('GET', `/templates/${templateId}`)).body, /today/);
  assert.equal(await page.getByTestId('send-uses-saved').count(), 0);

  // A broken edit: the preview names the line at once, and so does saving it.
  await page.getByTestId('template-body').fill('<p>Hola</p>\n{% if data.amount %}\n{% endfor %}');
  await eventually('the broken edit\'s error in the preview', async () => /^body line \d/.test((await textOf('preview-error')) ?? ''), true);
  await page.getByTestId('template-save').click();
  await page.getByTestId('template-error').waitFor();
  assert.match(await textOf('template-error') ?? '', /line \d/);
  await page.getByRole('button', { name: 'Discard changes' }).click();
  assert.match(await page.getByTestId('template-body').inputValue(), /today/);
  // Back to the saved text: the preview renders it again.
  await eventually('the preview after discarding', async () => (await page.getByTestId('preview-error').count()) === 0 && /today/.test(await previewHtml()), true);
});

let emailMessageUrl = '';

step('sends the template to the contact from the Send box', async () => {
  await page.getByTestId('send-mode-contact').click();
  await page.getByTestId('send-contact').fill(contactId);
  await page.getByTestId('send-submit').click();
  await page.getByTestId('send-result').waitFor();
  emailMessageUrl = new URL((await page.getByTestId('send-result-link').getAttribute('href')) ?? '', baseUrl).href;
  assert.match(emailMessageUrl, /\/messages\/[^/]+$/);
});

step('the email arrives in the sandbox outbox, with its text and raw MIME', async () => {
  await openNav('Sandbox outbox');
  await eventually('a sandbox row to ana@example.com', async () => (await page.getByTestId('sandbox-row-to').allTextContents()).includes('ana@example.com'), true);
  await page.getByTestId('sandbox-row').filter({ hasText: 'ana@example.com' }).first().click();
  await page.getByTestId('sandbox-detail').waitFor();
  assert.match(await textOf('sandbox-content') ?? '', /Hola Ana/);
  await page.getByTestId('sandbox-view-raw').click();
  assert.match(await textOf('sandbox-content') ?? '', /Subject: Hola Ana/);
});

step('the message log lists it; its timeline shows the `sent` event', async () => {
  await openNav('Messages');
  await page.getByTestId('message-row').first().waitFor();
  await page.getByTestId('filter-channel-type').selectOption('email');
  await page.getByTestId('filter-contact').fill(contactId);
  await rowCount('message-row', 1);
  await page.getByTestId('message-row').first().click();
  assert.equal(page.url(), emailMessageUrl, 'the row opens the message that was sent');
  await eventually('the email timeline', async () => (await timelineTypes()).includes('sent'), true);
  assert.match(await textOf('message-policy') ?? '', /Allowed/);
});

step('an SMS template shows its encoding, segments and characters; sent to a phone it is delivered', async () => {
  await openNav('Templates');
  await page.getByTestId('new-template-button').click();
  await page.getByTestId('template-name').fill('Payment SMS');
  await page.getByTestId('template-channel-type').selectOption('sms');
  assert.equal(await page.getByTestId('template-subject').count(), 0, 'an SMS has no subject');
  await page.getByTestId('template-body').fill('Hola {{ contact.name | default: "cliente" }}, su pago de {{ data.amount }} vence hoy.');
  // Counted while typing, before the template exists.
  await eventually('the draft SMS preview', () => textOf('preview-text'), 'Hola cliente, su pago de  vence hoy.');
  await textIs('sms-segments', '1');
  await page.getByTestId('template-save').click();
  await page.waitForURL(/\/templates\/tpl_[^/]+$/);
  assert.notEqual(page.url(), emailTemplateUrl);

  await page.getByTestId('sample-data').fill('{"amount": "$ 125.000"}');
  await eventually('the SMS preview', () => textOf('preview-text'), 'Hola cliente, su pago de $ 125.000 vence hoy.');
  await textIs('sms-encoding', 'GSM-7');
  await textIs('sms-segments', '1');
  await textIs('sms-characters', '45');
  // One character outside GSM-7 switches the whole text to UCS-2.
  await page.getByTestId('sample-data').fill('{"amount": "125.000 ₡"}');
  await textIs('sms-encoding', 'UCS-2');

  await page.getByTestId('send-to').fill('+573001234567');
  await page.getByTestId('send-submit').click();
  await page.getByTestId('send-result').waitFor();
  await page.getByTestId('send-result-link').click();
  await page.waitForURL(/\/messages\/[^/]+$/);
  // The SMSC answers submit_sm and then sends a delivery receipt: the page polls until it shows.
  await eventually('the SMS timeline', async () => (await timelineTypes()).includes('delivered'), true, 20_000);
  await eventually('the SMS status', async () => (await textOf('message-detail-status')) ?? '', 'delivered');

  await openNav('Sandbox outbox');
  await eventually('a sandbox row to the phone', async () => (await page.getByTestId('sandbox-row-to').allTextContents()).includes('+573001234567'), true);
});

step('applies the Ley 2300 preset and saves frequency caps', async () => {
  await openNav('Sending policy');
  await page.getByTestId('preset-co_ley_2300').click();
  await page.getByTestId('policy-saved').waitFor();
  await rowCount('window-row', 2);
  assert.equal(await page.getByTestId('window-row').nth(0).getByTestId('window-from').inputValue(), '07:00');
  assert.ok(await page.getByTestId('window-row').nth(1).getByTestId('window-day-sat').isChecked());
  assert.ok(!(await page.getByTestId('window-row').nth(1).getByTestId('window-day-sun').isChecked()));
  assert.ok(await page.getByTestId('policy-holidays').isChecked());
  // A window that ends before it starts is refused before asking the server.
  await page.getByTestId('window-add').click();
  await page.getByTestId('window-row').nth(2).getByTestId('window-from').fill('21:00');
  await page.getByTestId('window-row').nth(2).getByTestId('window-to').fill('09:00');
  await page.getByTestId('policy-save').click();
  await page.getByTestId('policy-error').waitFor();
  await page.getByTestId('window-row').nth(2).getByTestId('window-remove').click();
  await page.getByTestId('policy-cap-week').fill('3');
  await page.getByTestId('policy-save').click();
  await page.getByTestId('policy-saved').waitFor();
  const policy = await callApi<{ frequency_caps: { week?: number }; sending_windows: unknown[]; holidays: { enabled: boolean } }>('GET', '/settings/policy');
  assert.equal(policy.frequency_caps.week, 3);
  assert.equal(policy.sending_windows.length, 2);
  assert.equal(policy.holidays.enabled, true);
});

step('adds a suppression and imports a regulator list, with its rejected line', async () => {
  await openNav('Suppressions');
  await page.getByTestId('suppression-add-button').click();
  await page.getByTestId('suppression-type').selectOption('email');
  await page.getByTestId('suppression-value').fill('Blocked@Example.com');
  await page.getByTestId('suppression-add-submit').click();
  await eventually('the new suppression', async () => (await page.getByTestId('suppression-row-value').allTextContents()).includes('blocked@example.com'), true);

  await page.getByTestId('suppression-import-button').click();
  await page.getByTestId('suppression-import-list').fill('RNE');
  await page.getByTestId('suppression-import-type').selectOption('phone');
  await page.getByTestId('suppression-import-paste').fill('+573001112233\n+573004445566\n+573001112233\nnot-a-phone\n');
  await page.getByTestId('suppression-import-submit').click();
  await page.getByTestId('suppression-import-result').waitFor();
  await textIs('suppression-imported', '2');
  await textIs('suppression-duplicates', '1');
  await textIs('suppression-rejected', '1');
  await rowCount('suppression-rejected-row', 1);
  await page.getByTestId('suppression-filter-list').fill('RNE');
  await rowCount('suppression-row', 2);
});

step('creates an SMTP channel whose password comes back masked; test-sends through the sandbox SMS channel', async () => {
  await openNav('Channels');
  await rowCount('channel-row', 2); // the sandbox's email and SMS channels
  await page.getByTestId('new-channel-button').click();
  await page.getByTestId('channel-name').fill('Relay');
  await page.getByTestId('channel-type').selectOption('smtp');
  await page.getByTestId('channel-config-host').fill('smtp.bank.example');
  await page.getByTestId('channel-config-port').fill('587');
  await page.getByTestId('channel-config-from').fill('Banco <avisos@bank.example>');
  await page.getByTestId('channel-config-auth.user').fill('relay-user');
  await page.getByTestId('channel-config-auth.pass').fill('s3cret-pass');
  await page.getByTestId('channel-save').click();
  await rowCount('channel-row', 3);
  // The edit form shows the stored config: the secret only as the mask.
  assert.equal(await page.getByTestId('channel-config-auth.pass').inputValue(), '********');
  const { channels } = await callApi<{ channels: { name: string; config: { auth?: { pass?: string } } }[] }>('GET', '/channels');
  assert.equal(channels.find((c) => c.name === 'Relay')?.config.auth?.pass, '********');
  // It would become the default email channel: remove it again.
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('channel-row').filter({ hasText: 'Relay' }).getByTestId('channel-delete').click();
  await rowCount('channel-row', 2);

  await page.getByTestId('channel-row').filter({ hasText: 'Sandbox SMS' }).click();
  await page.getByTestId('channel-test-to').fill('+573009998877');
  await page.getByTestId('channel-test-send').click();
  await page.getByTestId('channel-test-result').waitFor();
  await openNav('Sandbox outbox');
  await eventually('the channel test in the outbox', async () => (await page.getByTestId('sandbox-row-to').allTextContents()).includes('+573009998877'), true);
});

step('the page raised no script errors', async () => {
  assert.deepEqual(pageErrors, []);
});
