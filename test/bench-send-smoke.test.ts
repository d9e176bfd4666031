// The sending benchmarks in small (200 contacts, server target), run as the command line runs
// them, so that `npm test` keeps them working: each must exit 0 having printed its figures with
// the Conversa / raw ratio. The real figures come from `npx tsx bench/send-email.ts` and
// `bench/send-sms.ts` (docs/benchmarks.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBench } from '../bench/run-bench.js';
import { SERVER_URL } from '../src/test-support/db.js';

for (const [file, unit] of [['send-email.ts', 'email'], ['send-sms.ts', 'SMS']] as const) {
  test(`bench/${file}: 200 ${unit} messages through a broadcast and raw, figures with the ratio`, { timeout: 60_000 }, async () => {
    const r = await runBench(file, ['--rows', '200', '--target', 'server', '--database-url', SERVER_URL]);
    assert.equal(r.code, 0, `exit code ${r.code}\n${r.stderr.slice(-4000)}`);
    assert.match(r.stdout, /Conversa \/ raw\s+\d+ %/);
    assert.match(r.stdout, /raw: messages\/s\s+[\d,]+/);
    // Every contact's message reached the sink and the database says sent.
    assert.match(r.stdout, /total \/ queued \/ suppressed \/ deferred \/ skipped\s+200 \/ 200 \/ 0 \/ 0 \/ 0/);
    assert.match(r.stdout, /target Conversa ≥ 70 % of raw: (MET|NOT MET)/);
  });
}
