// Smoke suite on the embedded PostgreSQL, started exactly as `npm start` does (bin/conversa.js,
// no DATABASE_URL): first start creates the cluster, two instances run side by side with two
// data directories, SIGTERM shuts down cleanly, and a restart finds the data again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/db/embedded.js';

const BIN = fileURLToPath(new URL('../../bin/conversa.js', import.meta.url));
const dirs: string[] = [];
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Instance { url: string; key: string; child: ChildProcess; output: () => string }

async function start(dataDir: string, key: string): Promise<Instance> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), CONVERSA_DATA_DIR: dataDir, CONVERSA_BOOTSTRAP_API_KEY: key, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`conversa exited early:\n${out}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return { url, key, child, output: () => out };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`conversa did not become healthy in 60 s:\n${out}`);
}

async function stop(i: Instance): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => i.child.once('exit', (code) => resolve(code)));
  i.child.kill('SIGTERM');
  const code = await exited;
  children.delete(i.child);
  return code;
}

// Response bodies are whatever the API answered; the assertions below check their shape.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-side JSON
const json = async (r: Response): Promise<Json> => (await r.json()) as Json;
const api = (i: Instance, method: string, path: string, body?: unknown) =>
  fetch(`${i.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${i.key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

test('npm start on embedded PostgreSQL: two instances side by side, clean SIGTERM, data survives restart', { timeout: 180_000 }, async () => {
  const dirA = mkdtempSync(join(tmpdir(), 'conversa-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'conversa-b-'));
  dirs.push(dirA, dirB);
  const [a, b] = await Promise.all([start(dirA, 'cv_smoke_key_a_0123456789'), start(dirB, 'cv_smoke_key_b_0123456789')]);

  assert.match(a.output(), /created the owner account/);
  assert.equal(a.output().includes('cv_smoke_key_a_0123456789'), false, 'a key given by the environment is not printed');
  assert.match(a.output(), /password: \S+/, 'the generated console password is printed once');
  assert.equal((await fetch(`${a.url}/`)).status, 200, 'the console answers at /');

  const list = await json(await api(a, 'POST', '/v1/lists', { name: 'Smoke', key_field: 'email' }));
  const up = await json(await api(a, 'PUT', `/v1/lists/${list.id}/contacts`, { contacts: [{ email: 'uno@example.com' }, { email: 'dos@example.com' }] }));
  assert.equal(up.inserted, 2);
  // instance B has its own database: A's list does not exist there
  assert.equal((await api(b, 'GET', `/v1/lists/${list.id}`)).status, 404);

  assert.equal(await stop(a), 0);
  assert.equal(await stop(b), 0);

  const again = await start(dirA, 'cv_smoke_key_a_0123456789');
  assert.doesNotMatch(again.output(), /created the owner account/, 'bootstrap happens only once');
  const l = await json(await api(again, 'GET', `/v1/lists/${list.id}`));
  assert.equal(l.contact_count, 2);
  assert.equal(await stop(again), 0);
});
