// What the console's end-to-end tests share: a real server on a fresh database, the console it
// serves (built into dist/web when missing), Chromium driven by Playwright, and the helpers the
// steps use. Each test file calls `setupConsoleE2E()` once at its top: it registers the
// before/after hooks; `page` and `baseUrl` are live bindings, set when `before` has run.
//
// Needs Chromium at /usr/bin/chromium (`apt-get install chromium`). Without Chromium the tests
// fail, unless CONVERSA_SKIP_BROWSER=1 says to skip them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startConversa, type Running } from '../../src/runtime/start.js';
import { loadConfig } from '../../src/core/config.js';
import { createTestDatabase, type TestDatabase } from '../../src/test-support/db.js';

const CHROMIUM = '/usr/bin/chromium';
const WEB_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));

/** The account's owner the server bootstraps; the tests log in as them. */
export const OWNER = { email: 'owner@example.com', password: 'a-test-password-123' };

export const skip: string | false = !existsSync(CHROMIUM) && process.env.CONVERSA_SKIP_BROWSER === '1'
  ? `Chromium is not installed at ${CHROMIUM} (CONVERSA_SKIP_BROWSER=1)`
  : false;

export interface ConsoleE2EOptions {
  /** Names the screenshots of failed steps: `conversa-e2e-<name>-<step>.png`. */
  name: string;
  /** The owner's bootstrap API key, for `callApi`. */
  apiKey?: string;
  /** Run the sandbox sinks (a local SMTP server and SMSC) so email and SMS travel the real path. */
  sandbox?: boolean;
  acceptDownloads?: boolean;
}

let options: ConsoleE2EOptions = { name: 'console' };
let db: TestDatabase | undefined;
let server: Running | undefined;
let browser: Browser | undefined;

// Live bindings: importers see them once `before` has set them.
export let page: Page;
export let baseUrl = '';
export const pageErrors: string[] = [];

export function setupConsoleE2E(opts: ConsoleE2EOptions): void {
  options = opts;
  before(async () => {
    if (skip) return;
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\`, or set CONVERSA_SKIP_BROWSER=1 to skip the console test.`);
    }
    if (!existsSync(WEB_INDEX)) {
      // The server decides at start whether it has a console to serve, so build before starting.
      const { build } = await import('vite');
      await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
    }
    db = await createTestDatabase();
    const base = loadConfig({});
    server = await startConversa({
      mode: 'start',
      config: {
        ...base, port: 0, databaseUrl: db.url, logLevel: 'warn',
        bootstrap: { ...OWNER, ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) },
        ...(opts.sandbox ? { sandbox: true, sandboxPorts: { smtp: 0, smsc: 0 } } : {}),
        // Imports, the outbox and flows run as polled jobs: poll often so tests do not wait out the default second.
        workers: { ...base.workers, pollMs: 100 },
      },
    });
    assert.ok(server.url, 'the server listens');
    baseUrl = server.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
    });
    page = await browser.newPage({ acceptDownloads: opts.acceptDownloads ?? false });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await db?.drop();
  });
}

/** Runs a step; on failure saves a screenshot and names it in the error. */
export function step(name: string, fn: () => Promise<void>): void {
  test(name, { skip }, async () => {
    try {
      await fn();
    } catch (err) {
      const shot = join(tmpdir(), `conversa-e2e-${options.name}-${name.replace(/\W+/g, '-')}.png`);
      await page?.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
      if (err instanceof Error) err.message += `\n  screenshot: ${shot}\n  url: ${page?.url()}`;
      throw err;
    }
  });
}

/** Polls `read` until it returns `want` (the UI debounces, fetches and re-renders). */
export async function eventually<T>(what: string, read: () => Promise<T>, want: T, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let got: T | undefined;
  for (;;) {
    got = await read().catch(() => undefined);
    if (got === want) return;
    if (Date.now() > deadline) assert.fail(`${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const textOf = async (testId: string) => (await page.getByTestId(testId).first().textContent({ timeout: 1000 }))?.trim();
export const textIs = (testId: string, want: string) => eventually(`[data-testid=${testId}] text`, () => textOf(testId), want);
export const rowCount = (testId: string, want: number) =>
  eventually(`number of [data-testid=${testId}]`, () => page.getByTestId(testId).count(), want);

/** The API as a script uses it: the owner's bootstrap key (setupConsoleE2E's `apiKey`). */
export async function callApi<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  assert.ok(options.apiKey, 'callApi needs setupConsoleE2E({apiKey})');
  const res = await fetch(`${baseUrl}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${options.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Logs in through the login page, as the owner. */
export async function logIn(): Promise<void> {
  await page.goto(baseUrl + '/');
  await page.getByTestId('login-email').fill(OWNER.email);
  await page.getByTestId('login-password').fill(OWNER.password);
  await page.getByTestId('login-submit').click();
}

/** Opens a console page through its navigation link, as a user would. */
export async function openNav(label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
}
