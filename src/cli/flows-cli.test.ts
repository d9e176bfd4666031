// `conversa flows validate|simulate|examples` as CI runs them: the built binary (bin/conversa.js,
// dist/ from `npm run build`) on files, judged by its output and exit code. No database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/conversa.js');
const EXAMPLES = join(ROOT, 'examples/flows');
const dir = mkdtempSync(join(tmpdir(), 'conversa-flows-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Ran { code: number; stdout: string; stderr: string }

function conversa(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A definition with a missing option, an edge to nowhere and a node nothing leads to. */
const broken = {
  entry: { type: 'event', event: 'compra' },
  nodes: [
    { id: 'send_1', type: 'send', channel_type: 'email', next: 'wait_1' },
    { id: 'wait_1', type: 'wait_event', event: 'pago', timeout_seconds: 60, next: { event: 'nowhere', timeout: 'done' } },
    { id: 'orphan', type: 'exit' },
    { id: 'done', type: 'exit' },
  ],
};

test('validate: an example is ok (exit 0), its fields checked against its list_fields', async () => {
  const r = await conversa('flows', 'validate', 'examples/flows/01-statement-payment-followup.json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^examples\/flows\/01-statement-payment-followup\.json: ok \(15 nodes; fields checked against list_fields\)\n$/);
});

test('validate: a broken definition exits 1 and names every problem with its node and edge', async () => {
  const path = file('broken.json', broken);
  const r = await conversa('flows', 'validate', path);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], `${path}: 3 problems`);
  assert.deepEqual(lines.slice(1).map((l) => l.trim()), [
    'nodes[0].template_id (node "send_1"): is required',
    'nodes[1].next.event (node "wait_1"): points to "nowhere", which is not a node of this flow',
    'nodes[2] (node "orphan"): is not reachable from the start node "send_1"',
  ]);
  // The machine-readable form carries the same problems.
  const json = await conversa('flows', 'validate', path, '--json');
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout) as { files: { valid: boolean; problems: { field: string; node_id?: string }[] }[] };
  assert.equal(report.files[0]?.valid, false);
  assert.deepEqual(report.files[0]?.problems.map((p) => p.node_id), ['send_1', 'wait_1', 'orphan']);
});

test('validate: {name, list_id, definition} — paths point into the file; field checks need --list; a loopback http URL is refused', async () => {
  const path = file('wrapped.json', {
    name: 'Pago', list_id: 'lst_server_side',
    definition: {
      entry: { type: 'event', event: 'pago' },
      nodes: [
        { id: 'mark', type: 'update_contact', set: { paid: true }, next: 'notify' },
        { id: 'notify', type: 'http', url: 'http://127.0.0.1:9/hook', method: 'POST', next: { success: 'end', failure: 'end' } },
        { id: 'end', type: 'exit' },
      ],
    },
  });
  const offline = await conversa('flows', 'validate', path);
  assert.equal(offline.code, 1);
  assert.match(offline.stdout, /definition\.nodes\[1\]\.url \(node "notify"\): points to a private or reserved address/);
  assert.doesNotMatch(offline.stdout, /paid/, 'without the list, fields are not checked');

  const list = file('list.json', { id: 'lst_server_side', fields: [{ key: 'doc', label: 'Doc', type: 'text' }] });
  const withList = await conversa('flows', 'validate', path, '--list', list);
  assert.equal(withList.code, 1);
  assert.match(withList.stdout, /definition\.nodes\[0\]\.set\.paid \(node "mark"\): "paid" is not a field of this list/);
});

test('validate: exit 2 with a clear message for a missing file, bad JSON or no file at all', async () => {
  const missing = await conversa('flows', 'validate', join(dir, 'nope.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read flow file .*nope\.json: no such file/);
  const bad = await conversa('flows', 'validate', file('bad.json', '{"entry": '));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.json is not valid JSON/);
  const none = await conversa('flows', 'validate');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /validate needs a flow file/);
  const unknown = await conversa('flows', 'validate', '--strict', 'x.json');
  assert.equal(unknown.code, 2);
});

test('simulate: the statement example, paid during the calls — a timeline line per step, then how it ended', async () => {
  const contact = file('contact.json', { id: 'ctc_1', due_date: '2026-03-20', paid: false, timezone: 'America/Bogota' });
  // Paid on 27 March 20:00 UTC: 25 days and 6 hours after the start.
  const events = file('events.json', [{ name: 'payment.received', after_seconds: 25 * 86_400 + 6 * 3600 }]);
  const r = await conversa('flows', 'simulate', join(EXAMPLES, '01-statement-payment-followup.json'),
    '--contact', contact, '--events', events, '--start-at', '2026-03-02T14:00:00Z');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /simulated from 2026-03-02T14:00:00.000Z in America\/Bogota; channels by cost: push 0, email 0.0004/);
  assert.match(lines[1]!, /^at\s+after\s+node\s+type\s+outcome\s+channel\s+template$/);
  const steps = lines.slice(2, -1).map((l) => l.split(/\s{2,}/));
  // Cheapest first is push, delivered at once; the reminders fall on the dates around due_date.
  assert.deepEqual(steps[0], ['2026-03-02T14:00:00.000Z', '+0s', 'statement', 'send_fallback', 'sent', 'push', 'tpl_statement_push']);
  assert.ok(steps.some((s) => s[0] === '2026-03-17T14:00:00.000Z' && s[2] === 'remind_before' && s[4] === 'sent'), r.stdout);
  assert.ok(steps.some((s) => s[2] === 'call' && s[3] === 'send' && s[5] === 'voice'), r.stdout);
  assert.deepEqual(steps.at(-1), ['2026-03-27T20:00:00.000Z', '+25d 6h', 'wait_3_days', 'goal', 'exited']);
  assert.equal(lines.at(-1), 'final: exited; 5 messages would be sent');
});

test('simulate: --outcomes walks a fallback channel by channel; --json answers like the API', async () => {
  const example = join(EXAMPLES, '02-otp-fallback.json');
  const args = ['flows', 'simulate', example, '--start-at', '2026-03-02T14:00:00Z', '--outcomes', 'push=no_address,email=timeout,sms=failed'];
  const r = await conversa(...args);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').slice(2, -1).map((l) => l.split(/\s{2,}/).slice(1, 6).join(' '));
  assert.deepEqual(rows, [
    '+0s deliver_code send_fallback sent push', '+0s deliver_code send_fallback no_address push',
    '+0s deliver_code send_fallback sent email', '+30s deliver_code send_fallback timeout email',
    '+30s deliver_code send_fallback sent sms', '+30s deliver_code send_fallback failed sms',
    '+30s deliver_code send_fallback sent voice', '+30s deliver_code send_fallback delivered voice',
    '+30s done exit exit',
  ]);
  const json = await conversa(...args, '--json');
  assert.equal(json.code, 0);
  const body = JSON.parse(json.stdout) as { timeline: { node_id: string }[]; sends: { channel_type: string }[]; final: { status: string; node: string | null } };
  assert.deepEqual(body.sends.map((s) => s.channel_type), ['push', 'email', 'sms', 'voice']);
  assert.deepEqual(body.final, { status: 'done', node: null });
});

test('simulate: an invalid definition is not simulated (exit 1); a bad option value is a usage error (exit 2)', async () => {
  const r = await conversa('flows', 'simulate', file('broken-sim.json', broken));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /3 problems, nothing simulated/);
  assert.match(r.stdout, /nodes\[2\] \(node "orphan"\)/);
  const at = await conversa('flows', 'simulate', join(EXAMPLES, '02-otp-fallback.json'), '--start-at', 'tomorrow');
  assert.equal(at.code, 2);
  assert.match(at.stderr, /--start-at "tomorrow" is not an ISO 8601 instant/);
  const events = await conversa('flows', 'simulate', join(EXAMPLES, '02-otp-fallback.json'), '--events', file('bad-events.json', [{ name: 'x' }]));
  assert.equal(events.code, 2);
  assert.match(events.stderr, /events\[0\]\.after_seconds/);
});

test('examples: the nine ready-made flows with their titles', async () => {
  const r = await conversa('flows', 'examples');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 9);
  assert.match(lines[0]!, /^examples\/flows\/01-statement-payment-followup\.json\s+Estado de cuenta con seguimiento de pago$/);
  assert.match(lines[8]!, /^examples\/flows\/09-collections-cheapest-first\.json\s+\S/);
});

test('the usage names the flows commands', async () => {
  const r = await conversa('help');
  assert.match(r.stdout, /flows validate <file\.json>/);
  const unknown = await conversa('flows', 'lint');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "flows lint"/);
});
