// Shared pieces of the sending benchmarks (bench/send-email.ts, bench/send-sms.ts): the sinks
// (a local SMTP server and a local SMSC that count what arrives), the raw baselines (pooled
// nodemailer, one bound `smpp` session) and the Conversa run (contacts loaded through the
// upsert API, a segment, a channel pointing at the sink, a template, `POST /v1/broadcasts`).
//
// The sink runs in its own process (`node --import tsx bench/send-lib.ts sink smtp|smpp`), not
// in the bench's: the raw client would otherwise share one thread with the server it sends to
// and be measured at half its speed, while Conversa sends from its own process. Both paths now
// send from one process to the same sink in another. (A worker thread would do, but Node 20 does
// not apply tsx's loader to worker threads.)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import smpp from 'smpp';
import { registerConversaTlv } from '../src/channels/sms/smpp-tlv.js';
import { profilesIn } from './cpu-profile.js';
import {
  dropUnlessKept, withConversaOutput,
  CpuMeter, DEFAULT_SERVER_URL, ROOT, apiClient, checkBuild, checkpoint, cleanupOnSignal, conversaPids, createBenchDatabase, fmtInt, load1,
  mb, perSec, postgresPids, secs, sleep, stderrLog, table, withClient,
  type Api, type BenchDatabase, type ConversaChild, type Log, type Target, startConversaChild,
} from './lib.js';

export const TARGET_RATIO = 0.7;
const now = (): number => performance.timeOrigin + performance.now();

// ---- the sinks -------------------------------------------------------------------------------

export type SinkKind = 'smtp' | 'smpp';

/** What a sink has received since its last reset. Times are epoch milliseconds (sub-ms). */
export interface SinkStats {
  count: number;
  /** Bytes of the messages (SMTP: the whole DATA; SMPP: the short_message octets). */
  bytes: number;
  firstAt: number;
  lastAt: number;
}

export interface Sink {
  kind: SinkKind;
  port: number;
  pid: number;
  stats(): Promise<SinkStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

type SinkRequest = { op: 'stats' | 'reset'; seq: number };
type SinkReply = { seq: number; stats: SinkStats } | { port: number } | { error: string };

/**
 * Starts a sink in a child process; resolves once it listens on 127.0.0.1. `latencyMs` delays
 * every answer (the 250 after DATA, the submit_sm_resp), as a provider across a network would.
 */
export async function startSink(kind: SinkKind, latencyMs = 0): Promise<Sink> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'sink', kind, String(latencyMs)], {
    cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const forget = cleanupOnSignal(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  const pending = new Map<number, (s: SinkStats) => void>();
  let seq = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${kind} sink exited (${code}) before listening`)));
    child.on('message', (m: SinkReply) => {
      if ('port' in m) resolve(m.port);
      else if ('error' in m) reject(new Error(`${kind} sink: ${m.error}`));
      else pending.get(m.seq)?.(m.stats);
    });
  });
  const ask = (op: SinkRequest['op']) => new Promise<SinkStats>((resolve, reject) => {
    if (!child.connected) return reject(new Error(`the ${kind} sink is gone`));
    const id = ++seq;
    pending.set(id, (s) => {
      pending.delete(id);
      resolve(s);
    });
    child.send({ op, seq: id } satisfies SinkRequest);
  });
  return {
    kind, port, pid: child.pid!,
    stats: () => ask('stats'),
    reset: async () => void (await ask('reset')),
    async close() {
      forget();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The sink process: a server that counts messages and answers at once. */
async function runSink(kind: SinkKind, latencyMs: number): Promise<void> {
  const answer = (fn: () => void) => (latencyMs > 0 ? void setTimeout(fn, latencyMs) : fn());
  let stats: SinkStats = { count: 0, bytes: 0, firstAt: 0, lastAt: 0 };
  const arrived = (bytes: number) => {
    const t = now();
    if (stats.count === 0) stats.firstAt = t;
    stats.count++;
    stats.bytes += bytes;
    stats.lastAt = t;
  };
  let close: () => Promise<void>;
  let port: number;
  if (kind === 'smtp') {
    const server = new SMTPServer({
      name: 'sink.bench.local',
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      disableReverseLookup: true,
      logger: false,
      size: 25 * 1024 * 1024,
      onData(stream, _session, callback) {
        let n = 0;
        stream.on('data', (chunk: Buffer) => (n += chunk.length));
        stream.on('end', () => {
          arrived(n);
          const id = stats.count;
          answer(() => callback(null, `OK: queued as s${id}`));
        });
      },
    });
    server.on('error', () => undefined); // a client dropping its connection is not the sink's problem
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  } else {
    registerConversaTlv();
    let ids = 0;
    const server = smpp.createServer((session) => {
      session.on('error', () => undefined);
      const bind = (pdu: smpp.PDU) => session.send(pdu.response({ system_id: 'bench-sink' }));
      session.on('bind_transceiver', bind);
      session.on('bind_transmitter', bind);
      session.on('submit_sm', (pdu: smpp.PDU) => {
        arrived(shortMessageBytes(pdu.short_message));
        const resp = pdu.response({ message_id: (++ids).toString(16) });
        answer(() => session.send(resp));
      });
      session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
      session.on('unbind', (pdu: smpp.PDU) => {
        session.send(pdu.response());
        session.close();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    close = () => new Promise<void>((resolve) => {
      for (const s of server.sessions) s.destroy();
      server.close(() => resolve());
    });
  }
  process.on('message', (m: SinkRequest) => {
    if (m.op === 'reset') stats = { count: 0, bytes: 0, firstAt: 0, lastAt: 0 };
    process.send!({ seq: m.seq, stats } satisfies SinkReply);
  });
  const stop = () => void close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  process.send!({ port } satisfies SinkReply);
}

function shortMessageBytes(v: smpp.PDU['short_message']): number {
  if (v === undefined) return 0;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Buffer.isBuffer(v)) return v.length;
  return typeof v.message === 'string' ? Buffer.byteLength(v.message) : v.message.length;
}

// ---- the raw baselines -----------------------------------------------------------------------

export interface RawRun {
  sent: number;
  failed: number;
  /** Start → the sink's last message. */
  ms: number;
  /** CPU seconds of the bench process (the raw client) and of the sink. */
  cpu: { client: number; sink: number };
}

/** Runs `send(i)` for i < n with at most `inFlight` unresolved at once. */
async function bounded(n: number, inFlight: number, send: (i: number) => Promise<boolean>): Promise<{ sent: number; failed: number }> {
  let next = 0;
  let sent = 0;
  let failed = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      if (await send(i)) sent++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
  return { sent, failed };
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** Times `run` against a freshly reset sink: start → the sink's last message. */
async function timedRaw(sink: Sink, run: () => Promise<{ sent: number; failed: number }>): Promise<RawRun> {
  await sink.reset();
  const sinkCpu = new CpuMeter(() => [sink.pid]);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const r = await run();
  const client = cpuSeconds(process.cpuUsage(cpu0));
  let s = await sink.stats();
  // Every sendMail / submit_sm resolved after the sink answered, so it has them all by now.
  for (let i = 0; s.count < r.sent && i < 50; i++) {
    await sleep(20);
    s = await sink.stats();
  }
  sinkCpu.sample();
  return { ...r, ms: s.lastAt - t0, cpu: { client, sink: sinkCpu.seconds() } };
}

/**
 * The email floor: nodemailer's pooled transport (as the smtp channel opens it, same pool size)
 * sending `n` already-rendered messages to the sink, `inFlight` sendMail calls at a time.
 */
export function rawSmtp(sink: Sink, opts: { n: number; poolSize: number; inFlight: number; message: (i: number) => SendMailOptions }): Promise<RawRun> {
  return timedRaw(sink, async () => {
    const transport = nodemailer.createTransport({
      pool: true, host: '127.0.0.1', port: sink.port, secure: false, maxConnections: opts.poolSize, logger: false,
      disableFileAccess: true, disableUrlAccess: true,
    });
    try {
      return await bounded(opts.n, opts.inFlight, (i) => transport.sendMail(opts.message(i)).then(() => true, () => false));
    } finally {
      transport.close();
    }
  });
}

export interface RawSms { source_addr: string; destination_addr: string; short_message: string }

/**
 * The SMS floor: one `smpp` session bound as transceiver, `n` submit_sm with at most `window`
 * awaiting their response (the channel's window), registered_delivery on as the channel sends.
 */
export function rawSmpp(sink: Sink, opts: { n: number; window: number; systemId: string; password: string; message: (i: number) => RawSms }): Promise<RawRun> {
  return timedRaw(sink, async () => {
    const session = smpp.connect({ host: '127.0.0.1', port: sink.port });
    session.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        session.bind_transceiver({ system_id: opts.systemId, password: opts.password }, (pdu) =>
          (pdu.command_status === 0 ? resolve() : reject(new Error(`bind refused: ${pdu.command_status}`))));
      });
      return await bounded(opts.n, opts.window, (i) => new Promise<boolean>((resolve) => {
        const m = opts.message(i);
        const ok = session.submit_sm({
          source_addr_ton: 5, source_addr_npi: 0, source_addr: m.source_addr,
          dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: m.destination_addr,
          registered_delivery: 1, short_message: m.short_message,
        }, (resp) => resolve(resp.command_status === 0));
        if (!ok) resolve(false);
      }));
    } finally {
      session.destroy();
    }
  });
}

// ---- the audience: contacts, list, segment ---------------------------------------------------

// Accents that GSM-7 has (é, ñ): a name must not turn an SMS into UCS-2 (70 characters a part).
export const BENCH_NAMES = ['Andrés Felipe', 'Begoña', 'Juan José', 'Luisa Fernanda', 'Valentina', 'Santiago', 'Camila', 'Mateo'];
export const benchName = (i: number): string => `${BENCH_NAMES[i % BENCH_NAMES.length]!} ${i}`;
export const benchEmail = (i: number): string => `cliente${i}@correo.bench.example`;
/** Colombian mobile numbers (310 …), valid for libphonenumber, distinct up to 10M contacts. */
export const benchPhone = (i: number): string => `+57${3_100_000_000 + i}`;

/** Creates the list and upserts `n` consenting contacts, 10,000 per call; returns the list id. */
export async function loadAudience(api: Api, n: number, log: Log): Promise<string> {
  const list = await api.call<{ id: string }>('POST', '/v1/lists', {
    name: 'Send bench', key_field: 'customer_id', default_country: 'CO',
    fields: [{ key: 'customer_id', type: 'text' }, { key: 'name', type: 'text' }],
  });
  const BATCH = 10_000;
  for (let from = 0; from < n; from += BATCH) {
    const contacts = [];
    for (let i = from; i < Math.min(n, from + BATCH); i++) {
      contacts.push({ customer_id: `C${String(i).padStart(8, '0')}`, name: benchName(i), email: benchEmail(i), phone: benchPhone(i), consent_marketing: true });
    }
    const r = await api.call<{ inserted: number; updated: number; rejected: unknown[] }>('PUT', `/v1/lists/${list.id}/contacts`, { contacts });
    if (r.rejected.length) throw new Error(`upsert rejected ${r.rejected.length} contacts, e.g. ${JSON.stringify(r.rejected[0])}`);
    if ((from / BATCH) % 5 === 4) log(`  … ${fmtInt(from + contacts.length)} contacts`);
  }
  return list.id;
}

export const SEGMENT_FILTER = { field: 'consent_marketing', op: 'eq', value: true } as const;

/**
 * Saves the segment, then VACUUM ANALYZE contacts: the broadcast should read a table at rest, as
 * contacts loaded well before a campaign are, not race autovacuum over the freshly loaded rows.
 * A boolean flag gets no `cx_` index (index-builder.ts), so no build runs in the background.
 */
export async function createSegment(api: Api, databaseUrl: string, listId: string): Promise<string> {
  const seg = await api.call<{ id: string }>('POST', `/v1/lists/${listId}/segments`, { name: 'Consienten marketing', filter: SEGMENT_FILTER });
  await withClient(databaseUrl, (c) => c.query('VACUUM ANALYZE contacts'));
  return seg.id;
}

// ---- the broadcast ---------------------------------------------------------------------------

/** `GET /v1/broadcasts/:id` as the bench reads it (timestamps when the API gives them). */
export interface BroadcastView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  total?: number;
  queued?: number;
  suppressed?: number;
  deferred?: number;
  /** Contacts without an address on the channel, or whose message did not render. */
  skipped?: number;
  error?: string | null;
  created_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
}

export interface ConversaRun {
  broadcast: BroadcastView;
  /** How many messages the sink was expected to get (the broadcast's `queued`, else all contacts). */
  expected: number;
  /** POST → the sink's first and last message. */
  firstMs: number;
  lastMs: number;
  /** POST → the broadcast `done` (seen by polling) — the enqueue phase. */
  enqueuedMs?: number;
  /** started_at → finished_at of the broadcast job, when the API reports them. */
  jobMs?: number;
  /** POST → every message `sent`/`delivered` in the database. */
  allSentMs: number;
  received: SinkStats;
  statuses: Record<string, number>;
  cpu: { conversa: number; postgres: number; sink: number };
  idleRss: number;
  peakRss: number;
}

/** Counts the account's messages by status (one account in the bench database). */
async function messageStatuses(databaseUrl: string, accountId: string): Promise<Record<string, number>> {
  return withClient(databaseUrl, async (c) => {
    const { rows } = await c.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM messages WHERE account_id = $1 GROUP BY status', [accountId]);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  });
}

const sentOf = (s: Record<string, number>) => (s.sent ?? 0) + (s.delivered ?? 0);

/**
 * Posts the broadcast and waits until the sink has every message and the database says they
 * are sent. Fails when nothing moves for `stallMs` (sink count, broadcast status and counts).
 */
export async function runBroadcast(ctx: {
  api: Api; child: ConversaChild; sink: Sink; target: Target; dbName?: string; accountId: string;
  body: Record<string, unknown>; contacts: number; log: Log; stallMs?: number;
}): Promise<ConversaRun> {
  const { api, child, sink, log } = ctx;
  const stallMs = ctx.stallMs ?? 120_000;
  await sink.reset();
  const idleRss = child.memory().rss;
  const cpuConversa = new CpuMeter(conversaPids(child));
  const cpuPostgres = new CpuMeter(postgresPids(ctx.target, child, ctx.dbName));
  const cpuSink = new CpuMeter(() => [sink.pid]);
  let peakSeen = 0;
  const sample = () => {
    peakSeen = Math.max(peakSeen, child.memory().rss);
    cpuConversa.sample();
    cpuPostgres.sample();
    cpuSink.sample();
  };
  const t0 = now();
  const { id } = await api.call<{ id: string }>('POST', '/v1/broadcasts', ctx.body);
  let view: BroadcastView = { id, status: 'queued' };
  let enqueuedMs: number | undefined;
  let received: SinkStats = await sink.stats();
  let progressAt = now();
  let lastKey = '';
  let lastLog = now();
  const expectedNow = () => (view.status === 'done' && view.queued !== undefined ? view.queued : ctx.contacts);
  for (;;) {
    await sleep(100);
    sample();
    if (enqueuedMs === undefined || view.status !== 'done') {
      view = await api.call<BroadcastView>('GET', `/v1/broadcasts/${id}`);
      if (view.status === 'done' && enqueuedMs === undefined) enqueuedMs = now() - t0;
      if (view.status === 'failed') throw new Error(`broadcast ${id} failed: ${JSON.stringify(view)}`);
    }
    received = await sink.stats();
    if (view.status === 'done' && received.count >= expectedNow()) break;
    const key = `${view.status}|${view.queued}|${received.count}`;
    if (key !== lastKey) {
      lastKey = key;
      progressAt = now();
    } else if (now() - progressAt > stallMs) {
      throw new Error(`no progress for ${stallMs / 1000} s: sink ${received.count}/${expectedNow()}, broadcast ${JSON.stringify(view)}`);
    }
    if (now() - lastLog > 10_000) {
      log(`  … broadcast ${view.status} (queued ${view.queued ?? '?'}), sink ${fmtInt(received.count)}`);
      lastLog = now();
    }
  }
  const expected = expectedNow();
  // The sink answered before Conversa recorded the outcome: the tail is the last batches' UPDATE.
  let statuses = await messageStatuses(child.databaseUrl, ctx.accountId);
  while (sentOf(statuses) < expected) {
    if (now() - progressAt > stallMs) throw new Error(`sink has all ${expected} messages but the database says ${JSON.stringify(statuses)}`);
    await sleep(50);
    sample();
    statuses = await messageStatuses(child.databaseUrl, ctx.accountId);
  }
  const allSentMs = now() - t0;
  sample();
  const mem = child.memory();
  const jobMs = view.started_at && view.finished_at ? Date.parse(view.finished_at) - Date.parse(view.started_at) : undefined;
  return {
    broadcast: view, expected, firstMs: received.firstAt - t0, lastMs: received.lastAt - t0, enqueuedMs, jobMs, allSentMs, received,
    statuses, cpu: { conversa: cpuConversa.seconds(), postgres: cpuPostgres.seconds(), sink: cpuSink.seconds() },
    idleRss, peakRss: Math.max(mem.peak, peakSeen),
  };
}

// ---- one whole run ---------------------------------------------------------------------------

export interface SendFigures {
  kind: 'email' | 'sms';
  target: Target;
  contacts: number;
  /** pool_size (email) or window (sms), the same for the raw client and the channel. */
  concurrency: number;
  /** How long the sink waits before each answer. */
  sinkLatencyMs: number;
  loadMs: number;
  raw: RawRun;
  rawAvgBytes: number;
  conversa: ConversaRun;
  rawPerSec: number;
  conversaPerSec: number;
  /** Conversa (POST → last message at the sink) over raw rows/s. */
  ratio: number;
  load: { raw: [number, number]; conversa: [number, number] };
  profile?: string;
}

export interface SendScenario {
  kind: 'email' | 'sms';
  sink: SinkKind;
  concurrency: number;
  /** The channel to create, given the sink's port. */
  channel(port: number): Record<string, unknown>;
  template: Record<string, unknown>;
  /** Raw baseline of `n` messages to the sink. */
  raw(sink: Sink, n: number, ctx: { publicUrl: string }): Promise<RawRun>;
}

export interface SendBenchOptions {
  rows: number;
  target: Target;
  serverUrl?: string;
  cpuProfDir?: string;
  /** The sink's delay before each answer (default 0: the CPU cost of the path alone). */
  sinkLatencyMs?: number;
  keep?: boolean;
  log?: Log;
}

export async function runSendBench(scenario: SendScenario, opts: SendBenchOptions): Promise<SendFigures> {
  const log = opts.log ?? stderrLog;
  checkBuild(log);
  const sinkLatencyMs = opts.sinkLatencyMs ?? 0;
  const sink = await startSink(scenario.sink, sinkLatencyMs);
  let db: BenchDatabase | undefined;
  let child: ConversaChild | undefined;
  try {
    if (opts.target === 'server') db = await createBenchDatabase(opts.serverUrl ?? DEFAULT_SERVER_URL);
    child = await startConversaChild({
      target: opts.target, databaseUrl: db?.url, log,
      // The sink listens on loopback, which the SSRF guard of channel configs would refuse.
      env: { CONVERSA_SSRF_ALLOW: '127.0.0.0/8' },
      nodeArgs: opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [],
    });
    log(`[${opts.target}] Conversa pid ${child.pid} at ${child.url}; ${db ? `database ${db.name}` : 'embedded PostgreSQL'}; ${scenario.sink} sink on port ${sink.port}`);
    const api = apiClient(child.url, child.apiKey);
    log(`[${opts.target}] loading ${fmtInt(opts.rows)} contacts through PUT /v1/lists/:id/contacts …`);
    const tLoad = now();
    const listId = await loadAudience(api, opts.rows, log);
    const segmentId = await createSegment(api, child.databaseUrl, listId);
    const loadMs = now() - tLoad;
    const accountId = await withClient(child.databaseUrl, async (c) =>
      (await c.query<{ account_id: string }>('SELECT account_id FROM lists WHERE id = $1', [listId])).rows[0]!.account_id);
    const channel = await api.call<{ id: string }>('POST', '/v1/channels', scenario.channel(sink.port));
    const template = await api.call<{ id: string }>('POST', '/v1/templates', scenario.template);
    await checkpoint(child.databaseUrl);

    log(`[${opts.target}] raw baseline: ${fmtInt(opts.rows)} ${scenario.kind} to the sink …`);
    const rawLoad0 = load1();
    const raw = await scenario.raw(sink, opts.rows, { publicUrl: child.url });
    const rawReceived = await sink.stats();
    const rawLoad: [number, number] = [rawLoad0, load1()];
    if (raw.failed) throw new Error(`raw baseline: ${raw.failed} of ${opts.rows} messages failed`);

    log(`[${opts.target}] Conversa: POST /v1/broadcasts …`);
    const load0 = load1();
    const conversa = await runBroadcast({
      api, child, sink, target: opts.target, dbName: db?.name, accountId, contacts: opts.rows, log,
      body: { segment_id: segmentId, channel_id: channel.id, template_id: template.id, category: 'marketing' },
    });
    const figures: SendFigures = {
      kind: scenario.kind, target: opts.target, contacts: opts.rows, concurrency: scenario.concurrency, sinkLatencyMs, loadMs,
      raw, rawAvgBytes: rawReceived.count ? rawReceived.bytes / rawReceived.count : 0, conversa,
      rawPerSec: perSec(raw.sent, raw.ms), conversaPerSec: perSec(conversa.received.count, conversa.lastMs),
      ratio: 0, load: { raw: rawLoad, conversa: [load0, load1()] },
    };
    figures.ratio = figures.conversaPerSec / figures.rawPerSec;
    await child.stop();
    child = undefined;
    if (opts.cpuProfDir) {
      figures.profile = profilesIn(opts.cpuProfDir, { newestOnly: true });
      if (!figures.profile) log(`no .cpuprofile in ${opts.cpuProfDir}: did Conversa exit cleanly?`);
    }
    return figures;
  } catch (err) {
    throw withConversaOutput(err, child);
  } finally {
    await child?.stop().catch(() => null);
    await sink.close();
    await dropUnlessKept(db, opts.keep, log);
  }
}

// ---- figures ---------------------------------------------------------------------------------

export function formatSendFigures(all: readonly SendFigures[]): string {
  const col = (f: (x: SendFigures) => string) => all.map(f);
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const opt = (ms: number | undefined) => (ms === undefined ? 'n/a' : secs(ms));
  const kind = all[0]?.kind ?? 'email';
  const conc = kind === 'email' ? 'pool_size (channel = raw transport)' : 'window (channel = raw session)';
  const b = (x: SendFigures) => x.conversa.broadcast;
  const rows: string[][] = [
    ['', ...all.map((x) => x.target)],
    ['contacts (consenting, in the segment)', ...col((x) => fmtInt(x.contacts))],
    [conc, ...col((x) => String(x.concurrency))],
    ['sink answers each message after', ...col((x) => `${x.sinkLatencyMs} ms`)],
    ['loading contacts + segment (not measured)', ...col((x) => secs(x.loadMs))],
    ['raw: time to the last message at the sink', ...col((x) => secs(x.raw.ms))],
    ['raw: messages/s', ...col((x) => fmtInt(x.rawPerSec))],
    ['raw: CPU client / sink', ...col((x) => `${x.raw.cpu.client.toFixed(1)} s / ${x.raw.cpu.sink.toFixed(1)} s`)],
    ['broadcast: total / queued / suppressed / deferred / skipped', ...col((x) => [b(x).total, b(x).queued, b(x).suppressed, b(x).deferred, b(x).skipped].map((n) => (n === undefined ? '?' : fmtInt(n))).join(' / '))],
    ['Conversa: POST → broadcast done (enqueue phase)', ...col((x) => opt(x.conversa.enqueuedMs))],
    ['Conversa: broadcast job started → finished', ...col((x) => opt(x.conversa.jobMs))],
    ['Conversa: POST → first message at the sink', ...col((x) => secs(x.conversa.firstMs))],
    ['Conversa: POST → last message at the sink', ...col((x) => secs(x.conversa.lastMs))],
    ['Conversa: POST → all `sent` in the database', ...col((x) => secs(x.conversa.allSentMs))],
    ['Conversa: messages/s (POST → last at sink)', ...col((x) => fmtInt(x.conversaPerSec))],
    ['Conversa / raw', ...col((x) => pct(x.ratio))],
    ['message size at the sink: raw / Conversa', ...col((x) => `${fmtInt(Math.round(x.rawAvgBytes))} / ${fmtInt(Math.round(x.conversa.received.count ? x.conversa.received.bytes / x.conversa.received.count : 0))} B`)],
    ['CPU during the broadcast: Conversa', ...col((x) => `${x.conversa.cpu.conversa.toFixed(1)} s`)],
    ['CPU during the broadcast: PostgreSQL', ...col((x) => `${x.conversa.cpu.postgres.toFixed(1)} s${x.target === 'server' ? ' (backends)' : ' (cluster)'}`)],
    ['CPU during the broadcast: sink', ...col((x) => `${x.conversa.cpu.sink.toFixed(1)} s`)],
    ['Conversa CPU per message', ...col((x) => `${((x.conversa.cpu.conversa / Math.max(1, x.conversa.received.count)) * 1e6).toFixed(0)} µs`)],
    ['Conversa RSS before → peak (VmHWM)', ...col((x) => `${mb(x.conversa.idleRss)} → ${mb(x.conversa.peakRss)}`)],
    ['load average (1 min): raw start → end', ...col((x) => `${x.load.raw[0].toFixed(1)} → ${x.load.raw[1].toFixed(1)}`)],
    ['load average (1 min): Conversa start → end', ...col((x) => `${x.load.conversa[0].toFixed(1)} → ${x.load.conversa[1].toFixed(1)}`)],
  ];
  const verdicts = all.map((x) =>
    `[${x.target}] target Conversa ≥ ${pct(TARGET_RATIO)} of raw: ${x.ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'} (ratio ${pct(x.ratio)}; messages by status ${JSON.stringify(x.conversa.statuses)})`);
  return [table(rows), '', ...verdicts].join('\n');
}

export interface SendCli { rows: number; targets: Target[]; serverUrl: string; sinkLatencyMs: number; cpuProf: boolean; keep: boolean }

/** Runs the scenario for each target and prints the figures; each target's as soon as it exists. */
export async function sendMain(title: string, scenario: SendScenario, cli: SendCli): Promise<void> {
  const all: SendFigures[] = [];
  for (const target of cli.targets) {
    const cpuProfDir = cli.cpuProf ? mkdtempSync(join(tmpdir(), `conversa-prof-send-${scenario.kind}-${target}-`)) : undefined;
    const f = await runSendBench(scenario, { rows: cli.rows, target, serverUrl: cli.serverUrl, cpuProfDir, sinkLatencyMs: cli.sinkLatencyMs, keep: cli.keep });
    all.push(f);
    if (cli.targets.length > 1) stderrLog(`\n${formatSendFigures([f])}\n`);
  }
  console.log(`\n${title} — ${fmtInt(cli.rows)} contacts, ${new Date().toISOString()}\n`);
  console.log(formatSendFigures(all));
  for (const f of all) if (f.profile) console.log(`\nCPU profile of the Conversa process (${f.target}): ${f.profile}`);
}

/** `--target server|embedded|both` → the targets, in that order. */
export function targetsOf(value: string | undefined): Target[] {
  const targets: Target[] = value === 'both' ? ['server', 'embedded'] : value === 'server' || value === 'embedded' ? [value] : [];
  if (targets.length === 0) throw new Error(`--target must be server, embedded or both (got ${value})`);
  return targets;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'sink') {
  const kind = process.argv[3];
  if (kind !== 'smtp' && kind !== 'smpp') throw new Error(`sink: smtp or smpp (got ${kind})`);
  runSink(kind, Number(process.argv[4] ?? 0)).catch((err: unknown) => {
    process.send?.({ error: String(err) } satisfies SinkReply);
    process.exit(1);
  });
}
