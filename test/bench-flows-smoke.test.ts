// The flow and event benchmarks in small (200 contacts, 2 s of load, server target), run as the
// command line runs them, so that `npm test` keeps them working: each must exit 0 having printed
// its figures, its comparison with the raw baseline and its correctness checks. The real figures
// come from `npx tsx bench/flows.ts` and `bench/events.ts` (docs/benchmarks.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBench } from '../bench/run-bench.js';
import { SERVER_URL } from '../src/test-support/db.js';

test('bench/flows.ts: 200 runs of the five-step flow, each once through every step, against the raw loop', { timeout: 60_000 }, async () => {
  const r = await runBench('flows.ts', ['--rows', '200', '--target', 'server', '--database-url', SERVER_URL]);
  assert.equal(r.code, 0, `exit code ${r.code}\n${r.stderr.slice(-4000)}`);
  assert.match(r.stdout, /runs × steps per run \(from the simulator\)\s+200 × 5/);
  assert.match(r.stdout, /run-steps recorded \(flow_run_steps\)\s+1,000/);
  assert.match(r.stdout, /\*\*run-steps\/s\*\* \(steps \/ publish→ended\)\s+[\d,]+/);
  assert.match(r.stdout, /\*\*Conversa \/ raw\*\*\s+[\d.]+ %/);
  assert.match(r.stdout, /runs not exactly once through every step\s+0\b/);
  assert.match(r.stdout, /every run once through every step, one message each, none delivered twice: YES/);
  assert.match(r.stdout, /target ≥ 20,000 steps\/s: (MET|NOT MET)/);
});

test('bench/events.ts: 2 s of POST /v1/events against the bare route, every 202 durable', { timeout: 60_000 }, async () => {
  const r = await runBench('events.ts', ['--rows', '200', '--duration', '2', '--variants', 'ingest', '--target', 'server', '--database-url', SERVER_URL]);
  assert.equal(r.code, 0, `exit code ${r.code}\n${r.stderr.slice(-4000)}`);
  assert.match(r.stdout, /\*\*events\/s\*\* \(202s \/ duration\)\s+[\d,]+\s+[\d,]+/);
  assert.match(r.stdout, /\*\*Conversa \/ bare route\*\*\s+[\d.]+×/);
  assert.match(r.stdout, /every 202 durable: YES/);
  assert.match(r.stdout, /target ≥ 2× the bare route: (MET|NOT MET)/);
});
