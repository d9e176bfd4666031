// OTP benchmark: OTPs created at a steady rate (default 200/s for 30 s) through `POST /v1/otp`
// with an SMPP channel pointing at an SMSC the bench runs in its own process; every OTP goes to
// its own phone number, so each submit_sm is matched to its request by destination. Measured per
// OTP: the 201 itself, and the time from just before the HTTP request to the submit_sm arriving
// at the SMSC. Then each OTP is verified with the code read from its submit_sm's short_message,
// at the same steady rate, each from its own source (as many end users would).
//
//   npm run build && npx tsx bench/otp.ts [--rate 200] [--seconds 30] [--warmup 100]
//     [--window 10] [--receipt-delay-ms 100] [--account-window-seconds 60] [--request-timeout-ms 30000]
//     [--database-url postgres://postgres@127.0.0.1:5432/test] [--cpu-prof] [--keep]
//
// Targets (issue): API call → submit_sm at the SMSC p99 < 25 ms, verify p99 < 10 ms, on the
// PostgreSQL server. The load is open-loop: a request starts on schedule whether or not earlier
// ones have answered, and its time counts from its actual start (the schedule's lag is reported).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import smpp from 'smpp';
import { formatReceiptText } from '../src/channels/sms/receipts.js';
import { registerConversaTlv } from '../src/channels/sms/smpp-tlv.js';
import { profilesIn } from './cpu-profile.js';
import {
  CpuMeter, DEFAULT_SERVER_URL, checkBuild, cleanupOnSignal, conversaPids, createBenchDatabase, dropUnlessKept, fmtInt, fmtMs, load1,
  mb, percentile, postgresPids, sleep, stderrLog, table, withClient, withConversaOutput, startConversaChild,
  type BenchDatabase, type ConversaChild, type Log,
} from './lib.js';

export const TARGET_SUBMIT_P99_MS = 25;
export const TARGET_VERIFY_P99_MS = 10;
const SYSTEM_ID = 'bench';
const PASSWORD = 'bench';
const SOURCE_ADDR = 'BANCOOTP';
const CODE_LENGTH = 6;

/** Epoch milliseconds with sub-ms precision; the SMSC process reads the same clock. */
const now = (): number => performance.timeOrigin + performance.now();

/** One phone number per OTP (Colombian mobiles, 311 …): the SMSC matches submits by it. */
export const otpPhone = (i: number): string => `+57${3_110_000_000 + i}`;
/** The digits as they travel in destination_addr (no '+'). */
const digitsOf = (phone: string): string => phone.replace(/^\+/, '');

// ---- the SMSC, in its own process ------------------------------------------------------------

/** What the SMSC saw of one submit_sm: to whom, when (epoch ms, sub-ms), and the text. */
interface Arrival { dest: string; at: number; text: string }
type SmscMessage = { port: number } | { arrivals: Arrival[] } | { error: string };

interface Smsc {
  port: number;
  pid: number;
  /** Every submit_sm so far by destination digits (the first one, if any repeats). */
  arrivals: Map<string, Arrival>;
  submits(): number;
  close(): Promise<void>;
}

/**
 * Starts the SMSC in a child process (it would otherwise share one event loop with the bench's
 * HTTP client, and a submit_sm's arrival would wait for the client's work): it answers every
 * submit_sm at once, sends a DELIVRD receipt after `receiptDelayMs` as an operator would, and
 * streams what arrived to the bench in batches (the times are taken at arrival, in the SMSC).
 */
async function startSmsc(receiptDelayMs: number): Promise<Smsc> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['smsc', String(receiptDelayMs)], {
    execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const forget = cleanupOnSignal(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  const arrivals = new Map<string, Arrival>();
  let submits = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SMSC exited (${code}) before listening`)));
    child.on('message', (m: SmscMessage) => {
      if ('port' in m) resolve(m.port);
      else if ('error' in m) reject(new Error(`SMSC: ${m.error}`));
      else {
        for (const a of m.arrivals) {
          submits++;
          if (!arrivals.has(a.dest)) arrivals.set(a.dest, a);
        }
      }
    });
  });
  return {
    port, pid: child.pid!, arrivals, submits: () => submits,
    async close() {
      forget();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function textOf(v: smpp.PDU['short_message']): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return typeof v.message === 'string' ? v.message : v.message.toString('latin1');
}

async function runSmsc(receiptDelayMs: number): Promise<void> {
  registerConversaTlv();
  let pending: Arrival[] = [];
  let ids = 0;
  const flush = setInterval(() => {
    if (pending.length === 0) return;
    process.send!({ arrivals: pending } satisfies SmscMessage);
    pending = [];
  }, 20);
  const server = smpp.createServer((session) => {
    session.socket.setNoDelay(true);
    session.on('error', () => undefined);
    const bind = (pdu: smpp.PDU) => session.send(pdu.response({ system_id: 'otp-bench-smsc' }));
    session.on('bind_transceiver', bind);
    session.on('bind_transmitter', bind);
    session.on('submit_sm', (pdu: smpp.PDU) => {
      const at = now();
      const text = textOf(pdu.message_payload ?? pdu.short_message);
      pending.push({ dest: digitsOf(pdu.destination_addr ?? ''), at, text });
      const smscId = (++ids).toString(16);
      session.send(pdu.response({ message_id: smscId }));
      if (receiptDelayMs < 0 || !((pdu.registered_delivery ?? 0) & 0x03)) return;
      const submitted = new Date();
      setTimeout(() => {
        if (session.socket.destroyed) return;
        session.deliver_sm({
          source_addr_ton: 1, source_addr_npi: 1, source_addr: pdu.destination_addr ?? '',
          dest_addr_ton: 5, dest_addr_npi: 0, destination_addr: pdu.source_addr ?? '',
          esm_class: 0x04, data_coding: 0,
          short_message: Buffer.from(formatReceiptText({ id: smscId, stat: 'DELIVRD', submitted, done: new Date(), text: '' }), 'ascii'),
          receipted_message_id: smscId, message_state: 2,
        });
      }, receiptDelayMs);
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = () => {
    clearInterval(flush);
    for (const s of server.sessions) s.destroy();
    server.close(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  process.send!({ port: (server.address() as AddressInfo).port } satisfies SmscMessage);
}

// ---- the HTTP client -------------------------------------------------------------------------

interface Answer { status: number; body: string; start: number; end: number }

/**
 * A lean JSON client on node:http with keep-alive sockets (fetch costs the client more per call,
 * which would be counted against Conversa). `start` is taken just before the request is written.
 */
function client(base: string, key: string, timeoutMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(base);
  return {
    agent,
    call(method: string, path: string, body?: unknown): Promise<Answer> {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const start = now();
        const req = request({
          host: url.hostname, port: url.port, path, method, agent,
          headers: {
            authorization: `Bearer ${key}`,
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, start, end: now() }));
          res.on('error', reject);
        });
        req.on('error', reject);
        // A request that never answers (a server stuck on its own pool) ends as an error, not a hung bench.
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
        req.end(payload);
      });
    },
  };
}

type Client = ReturnType<typeof client>;

async function ok<T>(c: Client, method: string, path: string, body?: unknown): Promise<T> {
  const a = await c.call(method, path, body);
  if (a.status < 200 || a.status >= 300) throw new Error(`${method} ${path} → ${a.status}: ${a.body.slice(0, 2000)}`);
  return (a.body ? JSON.parse(a.body) : undefined) as T;
}

/**
 * Runs `fire(i)` for i < n at `rate` per second from now, open-loop (never waiting for earlier
 * calls); resolves when every call has settled. Returns how late the worst start was.
 */
async function steady(n: number, rate: number, fire: (i: number) => Promise<void>): Promise<{ lagMaxMs: number; issuedPerSec: number }> {
  const interval = 1000 / rate;
  const t0 = now();
  const running: Promise<void>[] = [];
  let lagMaxMs = 0;
  for (let i = 0; i < n; i++) {
    const due = t0 + i * interval;
    const wait = due - now();
    // No spinning for the last fraction of a millisecond: the bench shares 2 cores with Conversa
    // and PostgreSQL, and timers' ~1 ms grain is small against the intervals (5 ms at 200/s).
    if (wait > 0) await sleep(wait);
    lagMaxMs = Math.max(lagMaxMs, now() - due);
    running.push(fire(i));
  }
  // The rate the starts kept: n starts span n - 1 intervals.
  const issuedPerSec = n > 1 ? ((n - 1) / (now() - t0)) * 1000 : rate;
  await Promise.all(running);
  return { lagMaxMs, issuedPerSec };
}

// ---- one run -----------------------------------------------------------------------------------

export interface OtpBenchOptions {
  rate: number;
  seconds: number;
  warmup: number;
  window: number;
  receiptDelayMs: number;
  /** A request without an answer after this long counts as failed (status 0). */
  requestTimeoutMs: number;
  /** The per-account limit's window; its max is set to let the whole run through. */
  accountWindowSeconds: number;
  serverUrl: string;
  /** Write a CPU profile of the Conversa process here (node --cpu-prof). */
  cpuProfDir?: string;
  keep?: boolean;
  log?: Log;
}

interface Dist { n: number; p50: number; p90: number; p99: number; max: number }

function dist(samples: readonly number[]): Dist {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export interface OtpFigures {
  opts: OtpBenchOptions;
  created: number;
  /** Non-2xx answers of the create phase, by status. */
  createErrors: Record<string, number>;
  createLagMaxMs: number;
  createPerSec: number;
  answered: Dist;
  submit: Dist;
  /** The submit_sm after (positive) or before (negative) the 201 reached the client. */
  afterAnswer: Dist;
  missing: number;
  extraSubmits: number;
  verify: Dist;
  verifyLagMaxMs: number;
  valid: number;
  verifyErrors: Record<string, number>;
  cpu: { create: { conversa: number; postgres: number; smsc: number }; verify: { conversa: number; postgres: number } };
  rss: { idle: number; peak: number };
  load: { create: [number, number]; verify: [number, number] };
  /** PostgreSQL transactions committed in the bench database per OTP (pg_stat_database.xact_commit). */
  commitsPer: { create: number; verify: number };
  profile?: string;
}

/** The database's sessions by state and statement: what a stuck server is waiting on. */
async function sessions(url: string, name: string): Promise<string> {
  return withClient(url, async (c) => {
    const r = await c.query<{ state: string; query: string; n: number }>(
      `SELECT coalesce(state, '') AS state, left(regexp_replace(query, '\\s+', ' ', 'g'), 80) AS query, count(*)::int AS n
       FROM pg_stat_activity WHERE datname = $1 GROUP BY 1, 2 ORDER BY 3 DESC`, [name]);
    return table([['sessions', 'state', 'statement'], ...r.rows.map((x) => [String(x.n), x.state, x.query])]);
  });
}

/** Transactions committed in one database so far (the statistics are flushed about once a second). */
async function commits(url: string, name: string): Promise<number> {
  await sleep(1200);
  return withClient(url, async (c) => {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const r = await c.query<{ n: string }>('SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1', [name]);
    return Number(r.rows[0]?.n ?? 0);
  });
}

interface Sent { phone: string; id: string; start: number; end: number }

export async function runOtpBench(opts: OtpBenchOptions): Promise<OtpFigures> {
  const log = opts.log ?? stderrLog;
  checkBuild(log);
  const n = Math.round(opts.rate * opts.seconds);
  const smsc = await startSmsc(opts.receiptDelayMs);
  let db: BenchDatabase | undefined;
  let child: ConversaChild | undefined;
  try {
    db = await createBenchDatabase(opts.serverUrl);
    child = await startConversaChild({
      target: 'server', databaseUrl: db.url, log,
      // The SMSC listens on loopback, which the SSRF guard of channel configs would refuse; no
      // sandbox sinks: every SMS goes to the bench's SMSC.
      env: { CONVERSA_SSRF_ALLOW: '127.0.0.0/8', CONVERSA_SANDBOX: '0' },
      nodeArgs: opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [],
    });
    log(`Conversa pid ${child.pid} at ${child.url}; database ${db.name}; SMSC on port ${smsc.port}`);
    const api = client(child.url, child.apiKey, opts.requestTimeoutMs);
    await ok(api, 'POST', '/v1/channels', {
      name: 'Bench SMSC', type: 'smpp', cost_per_message: 0,
      config: { host: '127.0.0.1', port: smsc.port, system_id: SYSTEM_ID, password: PASSWORD, source_addr: SOURCE_ADDR, window: opts.window },
    });
    // The defaults (1,000 OTPs a minute per account) are a production guard, not a bench's limit.
    const perWindow = Math.ceil(opts.rate * opts.accountWindowSeconds * 1.5) + opts.warmup;
    await ok(api, 'PATCH', '/v1/settings/otp', { per_account: { max: perWindow, window_seconds: opts.accountWindowSeconds } });

    const create = (i: number) => api.call('POST', '/v1/otp', { to: { phone: otpPhone(i) }, channels: ['sms'], length: CODE_LENGTH });
    if (opts.warmup > 0) {
      // JIT, pools, the SMPP bind: paid before the measurement, with numbers of their own.
      // At 20/s at most: a cold process answers slowly, and a burst of slow requests is not what is measured.
      const warmRate = Math.min(opts.rate, 20);
      log(`warm-up: ${opts.warmup} OTPs at ${warmRate}/s …`);
      await steady(opts.warmup, warmRate, async (i) => {
        const a = await create(n + i).catch((err: unknown) => ({ status: 0, body: String(err) }));
        if (a.status !== 201) throw new Error(`warm-up POST /v1/otp → ${a.status}: ${a.body}\n${await sessions(opts.serverUrl, db!.name)}`);
      });
      const deadline = now() + 30_000;
      while (smsc.submits() < opts.warmup && now() < deadline) await sleep(20);
      await sleep(1000);
    }

    log(`creating ${fmtInt(n)} OTPs at ${opts.rate}/s …`);
    const commits0 = await commits(opts.serverUrl, db.name);
    const idle = child.memory().rss;
    let peak = idle;
    const cpuConversa = new CpuMeter(conversaPids(child));
    const cpuPostgres = new CpuMeter(postgresPids('server', child, db.name));
    const cpuSmsc = new CpuMeter(() => [smsc.pid]);
    const sampler = setInterval(() => {
      peak = Math.max(peak, child?.memory().rss ?? 0);
      cpuConversa.sample();
      cpuPostgres.sample();
      cpuSmsc.sample();
    }, 200);
    const createLoad0 = load1();
    const sent: Sent[] = [];
    const createErrors: Record<string, number> = {};
    const created = await steady(n, opts.rate, async (i) => {
      const a = await create(i).catch((err: unknown) => ({ status: 0, body: String(err), start: 0, end: 0 }));
      if (a.status === 201) sent.push({ phone: otpPhone(i), id: (JSON.parse(a.body) as { id: string }).id, start: a.start, end: a.end });
      else createErrors[a.status] = (createErrors[a.status] ?? 0) + 1;
    });
    if (createErrors['0']) log(`${createErrors['0']} requests failed or got no answer; the bench database's sessions now:\n${await sessions(opts.serverUrl, db.name)}`);
    const waitUntil = now() + 30_000;
    const arrived = () => sent.filter((s) => smsc.arrivals.has(digitsOf(s.phone))).length;
    while (arrived() < sent.length && now() < waitUntil) await sleep(50);
    cpuConversa.sample();
    cpuPostgres.sample();
    cpuSmsc.sample();
    const createCpu = { conversa: cpuConversa.seconds(), postgres: cpuPostgres.seconds(), smsc: cpuSmsc.seconds() };
    const createLoad: [number, number] = [createLoad0, load1()];

    const submitMs: number[] = [];
    const afterMs: number[] = [];
    const toVerify: { id: string; code: string }[] = [];
    for (const s of sent) {
      const a = smsc.arrivals.get(digitsOf(s.phone));
      if (!a) continue;
      submitMs.push(a.at - s.start);
      afterMs.push(a.at - s.end);
      const code = new RegExp(`(?<!\\d)\\d{${CODE_LENGTH}}(?!\\d)`).exec(a.text)?.[0];
      if (!code) throw new Error(`no ${CODE_LENGTH}-digit code in the SMS to ${s.phone}: ${JSON.stringify(a.text)}`);
      toVerify.push({ id: s.id, code });
    }

    const commits1 = await commits(opts.serverUrl, db.name);
    log(`verifying ${fmtInt(toVerify.length)} OTPs at ${opts.rate}/s …`);
    const vConversa = new CpuMeter(conversaPids(child));
    const vPostgres = new CpuMeter(postgresPids('server', child, db.name));
    const verifyLoad0 = load1();
    const verifyMs: number[] = [];
    const verifyErrors: Record<string, number> = {};
    let valid = 0;
    const verified = await steady(toVerify.length, opts.rate, async (i) => {
      const v = toVerify[i]!;
      // Each end user verifies from their own address: the per-source limit is not what is measured.
      const source = `198.18.${(i >> 8) & 255}.${i & 255}`;
      const a = await api.call('POST', `/v1/otp/${encodeURIComponent(v.id)}/verify`, { code: v.code, source })
        .catch((err: unknown) => ({ status: 0, body: String(err), start: 0, end: 0 }));
      if (a.status !== 200) {
        verifyErrors[a.status] = (verifyErrors[a.status] ?? 0) + 1;
        return;
      }
      verifyMs.push(a.end - a.start);
      const r = JSON.parse(a.body) as { valid: boolean; reason?: string };
      if (r.valid) valid++;
      else verifyErrors[`valid:false ${r.reason ?? ''}`.trim()] = (verifyErrors[`valid:false ${r.reason ?? ''}`.trim()] ?? 0) + 1;
    });
    clearInterval(sampler);
    vConversa.sample();
    vPostgres.sample();
    const commits2 = await commits(opts.serverUrl, db.name);
    const figures: OtpFigures = {
      opts, created: sent.length, createErrors, createLagMaxMs: created.lagMaxMs, createPerSec: created.issuedPerSec,
      answered: dist(sent.map((s) => s.end - s.start)), submit: dist(submitMs), afterAnswer: dist(afterMs),
      missing: sent.length - submitMs.length, extraSubmits: smsc.submits() - opts.warmup - submitMs.length,
      verify: dist(verifyMs), verifyLagMaxMs: verified.lagMaxMs, valid, verifyErrors,
      cpu: { create: createCpu, verify: { conversa: vConversa.seconds(), postgres: vPostgres.seconds() } },
      rss: { idle, peak: Math.max(peak, child.memory().peak) },
      load: { create: createLoad, verify: [verifyLoad0, load1()] },
      commitsPer: { create: (commits1 - commits0) / Math.max(1, sent.length), verify: (commits2 - commits1) / Math.max(1, toVerify.length) },
    };
    api.agent.destroy();
    await child.stop();
    child = undefined;
    if (opts.cpuProfDir) figures.profile = profilesIn(opts.cpuProfDir, { newestOnly: true });
    return figures;
  } catch (err) {
    throw withConversaOutput(err, child);
  } finally {
    await child?.stop().catch(() => null);
    await smsc.close();
    await dropUnlessKept(db, opts.keep, log);
  }
}

// ---- figures ---------------------------------------------------------------------------------

const ms = (x: number) => (Number.isFinite(x) ? fmtMs(x) : '–');
const row = (label: string, d: Dist): string[] => [label, fmtInt(d.n), ms(d.p50), ms(d.p90), ms(d.p99), ms(d.max)];
const counts = (r: Record<string, number>) => (Object.keys(r).length ? Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(', ') : 'none');

export function formatOtpFigures(f: OtpFigures): string {
  const o = f.opts;
  const n = Math.round(o.rate * o.seconds);
  const latencies = table([
    ['latency', 'n', 'p50', 'p90', 'p99', 'max'],
    row('POST /v1/otp → 201', f.answered),
    row('POST /v1/otp → submit_sm at the SMSC', f.submit),
    row('201 → submit_sm (negative: before the 201)', f.afterAnswer),
    row('POST /v1/otp/:id/verify → 200', f.verify),
  ]);
  const facts = table([
    ['', ''],
    ['OTPs requested (rate × seconds)', `${fmtInt(n)} (${o.rate}/s × ${o.seconds} s, after ${o.warmup} warm-up)`],
    ['created (201) / other answers', `${fmtInt(f.created)} / ${counts(f.createErrors)}`],
    ['create phase: rate the starts kept; worst start lag', `${f.createPerSec.toFixed(1)}/s; ${fmtMs(f.createLagMaxMs)}`],
    ['submit_sm received / missing / extra', `${fmtInt(f.submit.n)} / ${fmtInt(f.missing)} / ${fmtInt(f.extraSubmits)}`],
    ['verified valid / other answers', `${fmtInt(f.valid)} / ${counts(f.verifyErrors)}`],
    ['verify phase: worst start lag', fmtMs(f.verifyLagMaxMs)],
    ['SMPP window; receipt after; per-account limit window', `${o.window}; ${o.receiptDelayMs < 0 ? 'none' : `${o.receiptDelayMs} ms`}; ${o.accountWindowSeconds} s`],
    ['CPU, create phase: Conversa / PostgreSQL backends / SMSC', `${f.cpu.create.conversa.toFixed(1)} s / ${f.cpu.create.postgres.toFixed(1)} s / ${f.cpu.create.smsc.toFixed(1)} s`],
    ['CPU, verify phase: Conversa / PostgreSQL backends', `${f.cpu.verify.conversa.toFixed(1)} s / ${f.cpu.verify.postgres.toFixed(1)} s`],
    ['Conversa CPU per OTP created / verified', `${fmtInt(Math.round((f.cpu.create.conversa / Math.max(1, f.created)) * 1e6))} µs / ${fmtInt(Math.round((f.cpu.verify.conversa / Math.max(1, f.verify.n)) * 1e6))} µs`],
    ['PostgreSQL commits per OTP created / verified (whole database)', `${f.commitsPer.create.toFixed(1)} / ${f.commitsPer.verify.toFixed(1)}`],
    ['Conversa RSS before → peak (VmHWM)', `${mb(f.rss.idle)} → ${mb(f.rss.peak)}`],
    ['load average (1 min): create start → end; verify start → end', `${f.load.create[0].toFixed(1)} → ${f.load.create[1].toFixed(1)}; ${f.load.verify[0].toFixed(1)} → ${f.load.verify[1].toFixed(1)}`],
  ]);
  const met = (x: number, t: number) => (Number.isFinite(x) && x < t ? 'MET' : 'NOT MET');
  const complete = f.missing === 0 && f.created === n;
  return [
    latencies, '', facts, '',
    `target POST → submit_sm p99 < ${TARGET_SUBMIT_P99_MS} ms: ${complete ? met(f.submit.p99, TARGET_SUBMIT_P99_MS) : 'NOT MET (not every OTP reached the SMSC)'} (p99 ${ms(f.submit.p99)})`,
    `target verify p99 < ${TARGET_VERIFY_P99_MS} ms: ${met(f.verify.p99, TARGET_VERIFY_P99_MS)} (p99 ${ms(f.verify.p99)})`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'smsc') {
    runSmsc(Number(process.argv[3] ?? 100)).catch((err: unknown) => {
      process.send?.({ error: String(err) } satisfies SmscMessage);
      process.exit(1);
    });
  } else {
    const { values } = parseArgs({
      options: {
        rate: { type: 'string', default: '200' },
        seconds: { type: 'string', default: '30' },
        warmup: { type: 'string', default: '100' },
        window: { type: 'string', default: '10' },
        'receipt-delay-ms': { type: 'string', default: '100' },
        'account-window-seconds': { type: 'string', default: '60' },
        'cpu-prof': { type: 'boolean', default: false },
        'request-timeout-ms': { type: 'string', default: '30000' },
        'database-url': { type: 'string', default: DEFAULT_SERVER_URL },
        keep: { type: 'boolean', default: false },
      },
    });
    const opts: OtpBenchOptions = {
      rate: Number(values.rate), seconds: Number(values.seconds), warmup: Number(values.warmup), window: Number(values.window),
      receiptDelayMs: Number(values['receipt-delay-ms']), requestTimeoutMs: Number(values['request-timeout-ms']), accountWindowSeconds: Number(values['account-window-seconds']),
      serverUrl: values['database-url'], keep: values.keep,
      ...(values['cpu-prof'] ? { cpuProfDir: mkdtempSync(join(tmpdir(), 'conversa-prof-otp-')) } : {}),
    };
    if (!(opts.rate > 0) || !(opts.seconds > 0)) throw new Error('--rate and --seconds must be > 0');
    const f = await runOtpBench(opts);
    console.log(`\nOTP benchmark (SMPP channel, PostgreSQL server) — ${new Date().toISOString()}\n`);
    console.log(formatOtpFigures(f));
    if (f.profile) console.log(`\nCPU profile of the Conversa process: ${f.profile}`);
  }
}
