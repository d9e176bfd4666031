// The OTP benchmark in small (20 OTPs at 20/s, server target), run as the command line runs it,
// so that `npm test` keeps it working: it must exit 0 having created every OTP, received every
// submit_sm at its SMSC, verified every code read off the wire, and printed its latency figures
// and verdicts. The real figures come from `npx tsx bench/otp.ts` (docs/benchmarks.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../bench/lib.js';
import { SERVER_URL } from '../src/test-support/db.js';

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'otp.ts'), ...args, '--database-url', SERVER_URL], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('bench/otp.ts: 20 OTPs at 20/s through the SMPP channel, each verified with the code the SMSC received', { timeout: 90_000 }, async () => {
  const r = await runBench(['--rate', '20', '--seconds', '1', '--warmup', '5']);
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
