// The console end to end, in a real browser against the real server: log in, create a list with
// fields, paste three rows from "Excel", import them, see them in the grid (sorted, filtered),
// build a segment and see its live count, and export it.
//
// The server, the browser and the shared helpers are harness.ts's.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { OWNER, baseUrl, eventually, page, pageErrors, rowCount, setupConsoleE2E, step, textIs } from './harness.js';

setupConsoleE2E({ name: 'console', acceptDownloads: true });

let listUrl = '';

step('a wrong password is refused with a message; the right one logs in', async () => {
  await page.goto(baseUrl + '/');
  await page.getByTestId('login-email').fill(OWNER.email);
  await page.getByTestId('login-password').fill('not-the-password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  await page.getByTestId('login-password').fill(OWNER.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('new-list-button').waitFor();
  assert.match(page.url(), /\/lists$/);
});

step('creates a list with a key field and an enum field', async () => {
  await page.getByTestId('new-list-button').click();
  await page.getByTestId('new-list-name').fill('Customers');
  const rows = page.getByTestId('field-row');
  await rows.nth(0).getByTestId('field-label').fill('Customer ID');
  assert.equal(await rows.nth(0).getByTestId('field-key').inputValue(), 'customer_id', 'the key is derived from the label');
  await page.getByTestId('add-field').click();
  await rows.nth(1).getByTestId('field-label').fill('Name');
  await page.getByTestId('add-field').click();
  await rows.nth(2).getByTestId('field-label').fill('Tier');
  await rows.nth(2).getByTestId('field-type').selectOption('enum');
  await rows.nth(2).getByTestId('field-options').fill('gold, silver');
  assert.equal(await page.getByTestId('new-list-key-field').inputValue(), 'customer_id');
  await page.getByTestId('new-list-submit').click();
  await page.waitForURL(/\/lists\/[^/]+\/contacts$/);
  listUrl = page.url().replace(/\/contacts$/, '');
  await page.getByText('No contacts yet').waitFor();
});

step('the Fields tab shows the fields with the key marked', async () => {
  await page.getByTestId('tab-fields').click();
  await rowCount('field-row', 3);
  const keyRow = page.locator('[data-testid="field-row"][data-key="customer_id"]');
  assert.equal(await keyRow.getByText('key', { exact: true }).count(), 1);
  assert.ok(await keyRow.getByTestId('field-remove').isDisabled(), 'the key field cannot be removed');
});

step('imports three rows pasted from a spreadsheet', async () => {
  await page.getByTestId('tab-import').click();
  const pasted = [
    'customer_id\tname\temail\ttier\tnotes',
    '1001\tAna\tana@example.com\tgold\tx',
    '1002\tBruno\tbruno@example.com\tsilver\ty',
    '1003\tCarla\tcarla@example.com\tgold\tz',
  ].join('\n');
  await page.getByTestId('import-paste').fill(pasted);
  await page.getByTestId('import-preview-paste').click();
  await page.getByTestId('import-preview').waitFor();
  // The preview suggests a field for each column named like one; the rest are ignored.
  for (const col of ['customer_id', 'name', 'email', 'tier']) {
    assert.equal(await page.locator(`[data-testid="mapping-select"][data-column="${col}"]`).inputValue(), col, `column ${col} is mapped`);
  }
  await page.locator('[data-testid="mapping-select"][data-column="notes"]').selectOption('');
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-result').waitFor();
  await textIs('import-inserted', '3');
  await textIs('import-rejected', '0');
});

step('the grid shows the contacts, sorts by a column and filters', async () => {
  await page.getByTestId('import-view-contacts').click();
  await rowCount('contact-row', 3);
  await textIs('grid-count', '3 contacts');
  await page.getByTestId('sort-name').click();
  await page.getByTestId('sort-name').click();
  await eventually('first row after sorting by name, descending', async () => (await page.getByTestId('contact-row').first().textContent())?.includes('Carla'), true);
  // Filter: tier is gold.
  await page.getByTestId('grid-filter-toggle').click();
  await page.getByTestId('filter-add-condition').click();
  const row = page.getByTestId('filter-row').first();
  await row.getByTestId('filter-field').selectOption('tier');
  await row.getByTestId('filter-op').selectOption('eq');
  await row.getByTestId('filter-value').selectOption('gold');
  await rowCount('contact-row', 2);
  await textIs('grid-count', '2 contacts match');
});

step('builds a segment with a live count and saves it', async () => {
  await page.getByTestId('tab-segments').click();
  await page.getByTestId('new-segment-button').click();
  await page.getByTestId('segment-name').fill('Gold customers');
  await textIs('segment-count', '3');
  const row = page.getByTestId('filter-row').first();
  await row.getByTestId('filter-field').selectOption('tier');
  await row.getByTestId('filter-op').selectOption('eq');
  await row.getByTestId('filter-value').selectOption('gold');
  await textIs('segment-count', '2');
  await page.getByTestId('segment-save').click();
  await rowCount('segment-row', 1);
  await textIs('segment-row-count', '2');
});

step('imports a CSV file: updates by key, rejects a bad row and offers the rejected rows', async () => {
  await page.getByTestId('tab-import').click();
  await page.getByTestId('import-file').setInputFiles({
    name: 'update.csv', mimeType: 'text/csv',
    buffer: Buffer.from('customer_id;name;tier\n1001;Ana María;gold\n1004;Dario;platinum\n'),
  });
  await page.getByTestId('import-preview-file').click();
  await page.getByTestId('import-preview').waitFor();
  assert.equal(await page.locator('[data-testid="mapping-select"][data-column="tier"]').inputValue(), 'tier');
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-result').waitFor();
  await textIs('import-inserted', '0');
  await textIs('import-updated', '1');
  await textIs('import-rejected', '1');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors-link').click()]);
  const path = await download.path();
  const csv = await readFile(path, 'utf8');
  assert.match(csv, /^line,field,value,reason/);
  assert.match(csv, /tier.*platinum/);
  await rowCount('import-history-row', 2);
  await page.getByTestId('import-view-contacts').click();
  await eventually('the updated name in the grid', async () => (await page.getByTestId('contact-row').allTextContents()).some((t) => t.includes('Ana María')), true);
});

step('exports the list as CSV with the session cookie', async () => {
  const listId = new URL(listUrl).pathname.split('/')[2];
  const res = await page.request.get(`${baseUrl}/v1/lists/${listId}/export`);
  assert.equal(res.status(), 200);
  const lines = (await res.text()).trim().split(/\r?\n/);
  assert.equal(lines.length, 4, 'a header and three contacts');
  assert.match(lines[0] ?? '', /customer_id/);
});

step('the page raised no script errors', async () => {
  assert.deepEqual(pageErrors, []);
});
