// The flow designer end to end, in a real browser against the real server: create a blank flow,
// set its entry event, drag a send, a wait-for-event and a branch from the palette onto the
// canvas, see the server's validation problems on the nodes, fill their options and connect
// their outcomes with the mouse, save, publish; then an event sent through the API starts a run
// and the send node's live count becomes 1; the Runs tab finds that contact's run and lists its
// path. The simulation draws a sample contact's path, and a
// published version opens read-only. A broadcast held for approval is released from its tab.
//
// The server, the browser and the shared helpers are harness.ts's.
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { callApi, eventually, logIn, openNav, page, pageErrors, rowCount, setupConsoleE2E, step, textOf } from './harness.js';

setupConsoleE2E({ name: 'flows', apiKey: 'cv_test_flows_console_e2e_key', sandbox: true });

let listId = '';
let templateId = '';

async function centerOf(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  assert.ok(box, 'the element is on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags from one handle to another with the mouse, as a user connects an outcome to a node. */
async function connect(fromTestId: string, toTestId: string): Promise<void> {
  const from = await centerOf(page.getByTestId(fromTestId));
  const to = await centerOf(page.getByTestId(toTestId));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

/** Drags a palette item onto the canvas, dropping it at (x, y) from the canvas's top left corner. */
async function dropFromPalette(type: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('flow-canvas'), { targetPosition: { x, y } });
}

const nodeErrors = () => page.locator('[data-testid^="node-error-"]').count();

step('logs in; a list and an email template exist (created through the API)', async () => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  const list = await callApi<{ id: string }>('POST', '/lists', {
    name: 'Clientes', key_field: 'customer_id',
    fields: [{ key: 'customer_id', label: 'Customer ID', type: 'text' }, { key: 'name', label: 'Name', type: 'text' }],
  });
  listId = list.id;
  const template = await callApi<{ id: string }>('POST', '/templates', {
    name: 'Gracias por su compra', channel_type: 'email', subject: 'Gracias {{ contact.name }}', body: '<p>Hola {{ contact.name }}, gracias.</p>',
  });
  templateId = template.id;
  await logIn();
  await page.getByTestId('new-list-button').waitFor();
});

step('creates a blank flow on the list', async () => {
  await openNav('Flows');
  await page.getByTestId('new-flow-button').click();
  await page.getByTestId('new-flow-name').fill('Después de la compra');
  await page.getByTestId('new-flow-list').selectOption(listId);
  await page.getByTestId('new-flow-blank').check();
  await page.getByTestId('new-flow-event').fill('alta');
  await page.getByTestId('new-flow-submit').click();
  await page.waitForURL(/\/flows\/[^/]+$/);
  await page.getByTestId('flow-entry').waitFor();
  // The blank flow: the entry, connected to its one exit node.
  await page.getByTestId('rf__edge-__entry:start').waitFor({ state: 'attached' });
  assert.equal(await page.getByTestId('flow-node').count(), 1);
});

step('the entry event is edited in the side panel', async () => {
  await page.getByTestId('flow-entry').click();
  await page.getByTestId('entry-event').fill('compra');
  assert.equal(await textOf('flow-entry-summary'), 'when event compra arrives');
});

step('drags a send, a wait for event and a branch from the palette; saving shows the problems on the nodes', async () => {
  await dropFromPalette('send', 130, 60);
  await page.getByTestId('rf__node-send_1').waitFor();
  await dropFromPalette('wait_event', 130, 260);
  await page.getByTestId('rf__node-wait_event_1').waitFor();
  await dropFromPalette('branch', 130, 460);
  await page.getByTestId('rf__node-branch_1').waitFor();
  // A dropped node lands where it was dropped: the three are stacked in that order.
  const ys = await Promise.all(['send_1', 'wait_event_1', 'branch_1'].map(async (id) => (await centerOf(page.getByTestId(`rf__node-${id}`))).y));
  assert.ok(ys[0]! < ys[1]! && ys[1]! < ys[2]!, `nodes stacked as dropped: ${ys.join(', ')}`);

  await page.getByTestId('flow-save').click();
  await page.getByTestId('flow-error').waitFor();
  // Nothing chosen or connected yet: the server names the nodes, the canvas marks them.
  await page.getByTestId('node-error-send_1').waitFor();
  await page.getByTestId('node-error-wait_event_1').waitFor();
  assert.match(await page.getByTestId('rf__node-send_1').locator('.flow-node').getAttribute('class') ?? '', /flow-node-invalid/);
});

step('fills the options in the side panel and connects the outcomes with the mouse', async () => {
  await page.getByTestId('rf__node-send_1').click();
  assert.equal(await page.getByTestId('opt-channel_type').inputValue(), 'email');
  await page.getByTestId('opt-template_id').selectOption(templateId);
  await eventually('the send node summary', async () => (await page.getByTestId('rf__node-send_1').textContent())?.includes('Gracias por su compra'), true);
  assert.equal(await page.getByTestId('node-error-send_1').count(), 0, 'an edited node is no longer marked');

  await page.getByTestId('rf__node-wait_event_1').click();
  await page.getByTestId('opt-event').fill('pago');
  assert.equal(await page.getByTestId('opt-timeout-days').inputValue(), '1', 'a wait for an event times out after a day by default');
  assert.equal(await page.getByTestId('opt-timeout-hours').inputValue(), '0');

  await connect('handle-entry-start', 'handle-send_1-in');
  await page.getByTestId('rf__edge-__entry:start').waitFor({ state: 'attached' });
  await connect('handle-send_1-next', 'handle-wait_event_1-in');
  await page.getByTestId('rf__edge-send_1:next').waitFor({ state: 'attached' });
  await connect('handle-wait_event_1-event', 'handle-branch_1-in');
  await page.getByTestId('rf__edge-wait_event_1:event').waitFor({ state: 'attached' });
  await connect('handle-branch_1-branch-0', 'handle-end-in');
  await page.getByTestId('rf__edge-branch_1:branch-0').waitFor({ state: 'attached' });
  await connect('handle-branch_1-default', 'handle-end-in');
  await page.getByTestId('rf__edge-branch_1:default').waitFor({ state: 'attached' });
  // Connecting the entry elsewhere moved the start: one entry edge, now into the send.
  assert.equal(await page.locator('[data-testid="rf__edge-__entry:start"]').count(), 1);
  // A connection is selected by a click and removed with Delete.
  await page.getByTestId('rf__edge-branch_1:default').locator('.react-flow__edge-textwrapper').click();
  await page.keyboard.press('Delete');
  await eventually('the removed edge', () => page.getByTestId('rf__edge-branch_1:default').count(), 0);
});

step('saves the draft (the problems clear) and publishes it', async () => {
  // Moving a node keeps its new position in the definition.
  const end = await centerOf(page.getByTestId('rf__node-end'));
  await page.mouse.move(end.x, end.y - 10);
  await page.mouse.down();
  await page.mouse.move(end.x + 60, end.y + 30, { steps: 8 });
  await page.mouse.move(end.x + 120, end.y + 50, { steps: 8 });
  await page.mouse.up();
  await page.getByTestId('flow-save').click();
  await eventually('the save notice', () => textOf('flow-notice'), 'Draft saved.');
  assert.equal(await nodeErrors(), 0, 'no node is marked any more');
  const flowId = new URL(page.url()).pathname.split('/').pop() ?? '';
  const flow = await callApi<{ draft: { entry: { event: string }; start: string; nodes: { id: string; next?: unknown; position?: { x: number; y: number } }[] } }>('GET', `/flows/${flowId}`);
  assert.equal(flow.draft.entry.event, 'compra');
  const moved = flow.draft.nodes.find((n) => n.id === 'end')?.position;
  assert.ok(moved && moved.x >= 100 && moved.y >= 40, `the end node was moved: ${JSON.stringify(moved)}`);
  assert.equal(flow.draft.start, 'send_1');
  assert.deepEqual(flow.draft.nodes.find((n) => n.id === 'wait_event_1')?.next, { event: 'branch_1' });
  const branch = flow.draft.nodes.find((n) => n.id === 'branch_1') as { branches?: { next: string }[]; default?: string } | undefined;
  assert.equal(branch?.branches?.[0]?.next, 'end');
  assert.equal(branch?.default, undefined, 'the deleted connection is gone from the definition');

  await page.getByTestId('flow-publish').click();
  await eventually('the publish notice', async () => /^Published version 1\b/.test((await textOf('flow-notice')) ?? ''), true);
  await eventually('version 1 in the versions menu', async () => (await page.getByTestId('version-select').locator('option').allTextContents()).some((t) => t.startsWith('Version 1')), true);
});

step('an event through the API starts a run: the send node counts 1', async () => {
  const res = await fetch(`${new URL(page.url()).origin}/v1/events`, {
    method: 'POST',
    headers: { authorization: 'Bearer cv_test_flows_console_e2e_key', 'content-type': 'application/json', 'idempotency-key': 'compra-1001-1' },
    body: JSON.stringify({ name: 'compra', list_id: listId, contact: { customer_id: '1001', name: 'Ana', email: 'ana@example.com' }, data: { amount: 120 } }),
  });
  assert.equal(res.status, 202, await res.text());
  await eventually('the send node\'s count', () => textOf('node-count-send_1'), '1', 30_000);
  await eventually('the wait node\'s count', () => textOf('node-count-wait_event_1'), '1');
});

step('the Runs tab lists the run; searching the contact shows its path through the send node', async () => {
  await page.getByTestId('side-tab-runs').click();
  // Without a search: the latest runs, here the one the event started, waiting for "pago".
  const row = page.getByTestId('run-row');
  await eventually('the latest runs', () => row.count(), 1);
  assert.equal(await row.getAttribute('data-status'), 'waiting');
  assert.equal(await row.getByTestId('run-node').textContent(), 'wait_event_1');

  // The contact as the operator knows it: the list's key (customer_id 1001).
  await page.getByTestId('runs-contact').fill('1001');
  await page.getByTestId('runs-search').click();
  await eventually('the contact\'s runs', async () => /customer_id 1001/.test(await textOf('runs-showing') ?? ''), true);
  await eventually('the contact\'s run', () => row.count(), 1);
  const flowId = new URL(page.url()).pathname.split('/').pop() ?? '';
  const [apiRun] = (await callApi<{ runs: { id: string; contact_id: string }[] }>('GET', `/flows/${flowId}/runs`)).runs;
  assert.ok(apiRun, 'the API lists the run');
  assert.equal(await row.getAttribute('data-run-id'), apiRun.id);

  await row.click();
  await page.getByTestId('run-detail').waitFor();
  assert.equal(await textOf('run-contact'), apiRun.contact_id);
  const steps = await page.getByTestId('run-step').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-node-id')}:${e.getAttribute('data-outcome')}`));
  assert.deepEqual(steps, ['send_1:sent', 'wait_event_1:waiting'], 'the path: sent by the send node, then waiting for the event');
  // The canvas marks the run's path.
  assert.equal(await textOf('node-visit-send_1'), '#1');
  assert.equal(await textOf('node-visit-wait_event_1'), '#2');
  assert.equal(await page.getByTestId('node-visit-branch_1').count(), 0, 'the run has not reached the branch');

  // By contact id too; a key nobody has finds nothing.
  await page.getByTestId('runs-contact').fill(apiRun.contact_id);
  await page.getByTestId('runs-search').click();
  await eventually('the run by contact id', () => row.getAttribute('data-run-id', { timeout: 1000 }), apiRun.id);
  await page.getByTestId('runs-contact').fill('9999');
  await page.getByTestId('runs-search').click();
  await eventually('no such contact', async () => /^No contact has the id or customer_id “9999”/.test(await textOf('runs-showing') ?? ''), true);
  assert.equal(await row.count(), 0);
  await page.getByTestId('runs-clear').click();
  await eventually('the latest runs again', () => row.count(), 1);
});

step('the simulation draws a sample contact\'s path', async () => {
  await page.getByTestId('side-tab-simulate').click();
  await page.getByTestId('sim-add-event').click();
  await page.getByTestId('sim-event-name').fill('pago');
  await page.getByTestId('sim-event-after-hours').fill('2');
  await page.getByTestId('sim-event-after-minutes').fill('0');
  await page.getByTestId('sim-run').click();
  await page.getByTestId('sim-timeline').or(page.getByTestId('sim-error')).waitFor();
  if (await page.getByTestId('sim-error').count()) assert.fail(`the simulation failed: ${await textOf('sim-error')}`);
  const path = await page.getByTestId('sim-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')));
  for (const id of ['send_1', 'wait_event_1', 'branch_1', 'end']) assert.ok(path.includes(id), `the path passes ${id}: ${path.join(' → ')}`);
  assert.ok(path.indexOf('send_1') < path.indexOf('branch_1'), 'in order');
  // The canvas marks the nodes the path passes.
  await page.getByTestId('node-visit-send_1').waitFor();
});

step('a published version opens read-only from the versions menu', async () => {
  await page.getByTestId('version-select').selectOption('1');
  await page.getByTestId('version-readonly').waitFor();
  assert.equal(await page.getByTestId('palette').count(), 0, 'no palette on a published version');
  await page.getByTestId('rf__node-send_1').click();
  assert.ok(await page.getByTestId('opt-template_id').isDisabled(), 'its options cannot be edited');
  await page.getByTestId('version-select').selectOption('draft');
  await page.getByTestId('palette').waitFor();
});

step('the flows list shows the flow, its list, status and version', async () => {
  await openNav('Flows');
  await rowCount('flow-row', 1);
  const row = page.getByTestId('flow-row').first();
  // The list's name replaces its id once the lists have loaded.
  await eventually('the flow row with its list name', async () => /Después de la compra.*Clientes.*active.*v1/.test(await row.textContent() ?? ''), true);
});

step('a broadcast needing approval waits after its sample; releasing it in the console starts the rest and is audited', async () => {
  const list = await callApi<{ id: string }>('POST', '/lists', {
    name: 'Campaña', key_field: 'doc', fields: [{ key: 'doc', label: 'Documento', type: 'text' }, { key: 'city', label: 'City', type: 'text' }],
  });
  const contacts = ['1', '2', '3'].map((doc) => ({ doc, city: 'Cali', email: `c${doc}@example.com`, consent_marketing: true }));
  await callApi('PUT', `/lists/${list.id}/contacts`, { contacts });
  const segment = await callApi<{ id: string }>('POST', `/lists/${list.id}/segments`, { name: 'Cali', filter: { field: 'city', op: 'eq', value: 'Cali' } });
  const template = await callApi<{ id: string }>('POST', '/templates', { name: 'Oferta', channel_type: 'email', subject: 'Oferta', body: '<p>Hola</p>' });
  const flow = await callApi<{ id: string }>('POST', '/flows', {
    name: 'Oferta aprobada', list_id: list.id,
    definition: {
      entry: { type: 'broadcast', segment_id: segment.id, at: new Date().toISOString(), approval: { sample: 1 } },
      nodes: [{ id: 'offer', type: 'send', channel_type: 'email', template_id: template.id, next: 'end' }, { id: 'end', type: 'exit' }],
    },
  });
  await callApi('POST', `/flows/${flow.id}/publish`);

  // The flows list is already open (the step before): load it again to see the new flow.
  await page.reload();
  await page.getByTestId('flow-row').filter({ hasText: 'Oferta aprobada' }).click();
  await page.waitForURL(new RegExp(`/flows/${flow.id}$`));
  await page.getByTestId('side-tab-approvals').click();
  // The schedule fires within a second: the sample of 1 goes out and the rest waits, polled in.
  const approval = page.getByTestId('approval');
  await eventually('the pending approval', () => approval.getAttribute('data-status', { timeout: 1000 }), 'pending', 20_000);
  assert.equal((await approval.getByTestId('approval-sample').textContent())?.trim(), '1 of 3');
  assert.equal(await textOf('approvals-pending'), '1', 'the tab counts what waits');

  await approval.getByTestId('approval-release').click();
  await eventually('the release outcome', () => textOf('approval-outcome'), 'Released: 2 runs started.');
  await eventually('the released status', () => approval.getAttribute('data-status', { timeout: 1000 }), 'released');
  assert.match(await textOf('approval-released') ?? '', /^Released by \S+ · .+/);
  assert.equal(await page.getByTestId('approval-release').count(), 0, 'a released broadcast has no Release button');
  assert.equal(await page.getByTestId('approvals-pending').count(), 0);

  const audit = await callApi<{ entries: { action: string; target: string | null; detail: { started?: number } }[] }>('GET', '/audit');
  const released = audit.entries.find((e) => e.action === 'flow.broadcast_released');
  assert.ok(released, 'the audit log records the release');
  assert.equal(released.target, flow.id);
  assert.equal(released.detail.started, 2);
});

step('the page raised no script errors', async () => {
  assert.deepEqual(pageErrors, []);
});
