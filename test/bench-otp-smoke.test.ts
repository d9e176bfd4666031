// The OTP benchmark in small (20 OTPs at 20/s, server target), run as the command line runs it,
// so that `npm test` keeps it working: it must exit 0 having created every OTP, received every
// submit_sm at its SMSC, verified every code read off the wire, and printed its latency figures
// and verdicts. The real figures come from `npx tsx bench/otp.ts` (docs/benchmarks.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBench } from '../bench/run-bench.js';
import { SERVER_URL } from '../src/test-support/db.js';

test('bench/otp.ts: 20 OTPs at 20/s through the SMPP channel, each verified with the code the SMSC received', { timeout: 90_000 }, async () => {
  const r = await runBench('otp.ts', ['--rate', '20', '--seconds', '1', '--warmup', '5', '--database-url', SERVER_URL]);
  assert.equal(r.code, 0, `exit code ${r.code}\n${r.stderr.slice(-4000)}`);
  assert.match(r.stdout, /created \(201\) \/ other answers\s+20 \/ none/);
  assert.match(r.stdout, /submit_sm received \/ missing \/ extra\s+20 \/ 0 \/ 0/);
  assert.match(r.stdout, /verified valid \/ other answers\s+20 \/ none/);
  for (const line of ['POST /v1/otp → 201', 'POST /v1/otp → submit_sm at the SMSC', 'POST /v1/otp/:id/verify → 200']) {
    assert.match(r.stdout, new RegExp(`${line.replace(/[/.:()]/g, '\\$&')}\\s+20\\s+[\\d.]+ m?s`), line);
  }
  assert.match(r.stdout, /target POST → submit_sm p99 < 25 ms: (MET|NOT MET)/);
  assert.match(r.stdout, /target verify p99 < 10 ms: (MET|NOT MET)/);
});
