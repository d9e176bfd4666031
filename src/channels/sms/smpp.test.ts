import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import { createLogger } from '../../core/logger.js';
import { systemClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Pool } from '../../db/index.js';
import type { ChannelConnection, ChannelContext, OutgoingMessage, ProviderReport, SendOutcome } from '../port.js';
import { createSmppProvider, type SmppConfig } from './smpp.js';
import { formatReceiptText } from './receipts.js';
import { registerConversaTlv } from './smpp-tlv.js';

// The SMPP provider against small SMSCs written here, each misbehaving in one way a real one can:
// receipts out of order and replayed, slow responses, throttling, dropped sessions.

registerConversaTlv();
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const ACCOUNT = 'acc_SMPPTEST';
const servers: FakeSmsc[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

interface FakeSmsc {
  port: number;
  binds: number;
  unbinds: number;
  submits: smpp.PDU[];
  sessions(): smpp.Session[];
  close(): Promise<void>;
}

type SubmitHandler = (session: smpp.Session, pdu: smpp.PDU, n: number) => void;

const answer: SubmitHandler = (session, pdu, n) => session.send(pdu.response({ message_id: `smsc-${n}` }));

async function fakeSmsc(onSubmit: SubmitHandler = answer, opts: { bindStatus?: number } = {}): Promise<FakeSmsc> {
  const state = { binds: 0, unbinds: 0, submits: [] as smpp.PDU[] };
  const server = smpp.createServer((session) => {
    session.on('error', () => {});
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      state.binds++;
      session.send(pdu.response(opts.bindStatus ? { command_status: opts.bindStatus } : {}));
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      pdu.receivedAt = Date.now();
      state.submits.push(pdu);
      onSubmit(session, pdu, state.submits.length);
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      state.unbinds++;
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const fake: FakeSmsc = {
    port: (server.address() as AddressInfo).port,
    get binds() { return state.binds; },
    get unbinds() { return state.unbinds; },
    submits: state.submits,
    sessions: () => [...server.sessions],
    close: () => new Promise<void>((r) => {
      for (const s of [...server.sessions]) s.destroy();
      server.close(() => r());
    }),
  };
  servers.push(fake);
  return fake;
}

function context(report: (r: ProviderReport) => Promise<void> = async () => {}): ChannelContext {
  // The provider never touches the pool; receipts go through `report`.
  return { pool: undefined as unknown as Pool, log, clock: systemClock, accountId: ACCOUNT, channelId: 'chn_SMPP', publicUrl: 'http://127.0.0.1', report };
}

async function connect(fake: FakeSmsc, ctx: ChannelContext, extra: Partial<SmppConfig> = {}): Promise<ChannelConnection> {
  const provider = createSmppProvider({ backoff: { baseMs: 20, maxMs: 200 }, sessionWaitMs: 3000, responseTimeoutMs: 3000 });
  return provider.connect({ host: '127.0.0.1', port: fake.port, system_id: 'bank', password: 'secret', source_addr: 'BANCO', ...extra }, ctx);
}

function message(text = 'Hola', to = '+573001112233'): OutgoingMessage {
  return { id: newId('msg'), accountId: ACCOUNT, contactId: null, to, category: 'transactional', content: { text }, attachments: [], headers: {}, data: {}, links: {} };
}

const send = (conn: ChannelConnection, batch: OutgoingMessage[]): Promise<SendOutcome[]> => conn.send(batch, new AbortController().signal);

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function deliverReceipt(session: smpp.Session, opts: { id: string; stat: string; tlvs: boolean }): Promise<number> {
  const text = formatReceiptText({ id: opts.id, stat: opts.stat, submitted: new Date(), done: new Date(), text: 'Hola' });
  const states: Record<string, number> = { DELIVRD: 2, UNDELIV: 5 };
  return new Promise((resolve) => {
    session.deliver_sm({
      source_addr: '573001112233', destination_addr: 'BANCO', esm_class: 0x04, data_coding: 0,
      short_message: Buffer.from(text, 'ascii'),
      ...(opts.tlvs ? { receipted_message_id: opts.id, message_state: states[opts.stat] } : {}),
    }, (resp) => resolve(resp.command_status));
  });
}

test('submit_sm carries the message id TLV on every part, registered_delivery 1, and E.164 without +', async () => {
  const fake = await fakeSmsc();
  const conn = await connect(fake, context());
  const m = message('x'.repeat(200));
  const [out] = await send(conn, [m]);
  assert.ok(out?.status === 'sent');
  assert.deepEqual(out.providerIds, ['smsc-1', 'smsc-2']);
  assert.equal(out.segments, 2);
  for (const pdu of fake.submits) {
    assert.equal(pdu.conversa_message_id, m.id);
    assert.equal(pdu.registered_delivery, 1);
    assert.equal(pdu.destination_addr, '573001112233');
    assert.equal(pdu.source_addr, 'BANCO');
    assert.equal(pdu.source_addr_ton, 5, 'an alphanumeric sender');
    assert.equal((pdu.esm_class ?? 0) & 0x40, 0x40);
    assert.equal(pdu.data_coding, 0);
  }
  await conn.close();
  assert.equal(fake.unbinds, 1, 'close() unbinds');
});

test('receipts out of order and replayed are all reported with their provider ids', async () => {
  const fake = await fakeSmsc();
  const reports: ProviderReport[] = [];
  const conn = await connect(fake, context(async (r) => { reports.push(r); }));
  const outs = await send(conn, [message('uno'), message('dos'), message('tres'), message('cuatro')]);
  const ids = outs.map((o) => (o.status === 'sent' ? o.providerIds![0]! : assert.fail(JSON.stringify(o))));
  const session = fake.sessions()[0]!;
  const statuses: number[] = [];
  // Reverse order; first round with TLVs, the replay with the text only. The third one failed.
  for (const tlvs of [true, false]) {
    for (const id of [...ids].reverse()) statuses.push(await deliverReceipt(session, { id, stat: id === ids[2] ? 'UNDELIV' : 'DELIVRD', tlvs }));
  }
  assert.deepEqual(statuses, Array(8).fill(0), 'every deliver_sm answered OK');
  await until('eight reports', () => reports.length === 8);
  const expected = [...[...ids].reverse(), ...[...ids].reverse()].map((id) => [id, id === ids[2] ? 'failed' : 'delivered']);
  assert.deepEqual(reports.map((r) => [r.providerId, r.type]), expected);
  for (const r of reports) {
    assert.equal(r.accountId, ACCOUNT);
    assert.equal(r.channelId, 'chn_SMPP');
    assert.ok(r.at instanceof Date);
  }
  assert.equal(reports.find((r) => r.type === 'failed')?.detail?.stat, 'UNDELIV');
  await conn.close();
});

test('a receipt that cannot be recorded is answered with a temporary error; a mobile-originated SMS is acknowledged, not reported', async () => {
  const fake = await fakeSmsc();
  const reports: ProviderReport[] = [];
  const conn = await connect(fake, context(async (r) => {
    if (r.providerId === 'broken') throw new Error('database down');
    reports.push(r);
  }));
  await send(conn, [message()]);
  const session = fake.sessions()[0]!;
  assert.equal(await deliverReceipt(session, { id: 'broken', stat: 'DELIVRD', tlvs: true }), 0x64, 'ESME_RX_T_APPN: redeliver later');
  const mo = await new Promise<number>((resolve) => {
    session.deliver_sm({ source_addr: '573001112233', destination_addr: 'BANCO', esm_class: 0, short_message: 'STOP' }, (resp) => resolve(resp.command_status));
  });
  assert.equal(mo, 0);
  assert.equal(reports.length, 0);
  await conn.close();
});

test('the window caps submit_sm awaiting a response', async () => {
  let outstanding = 0;
  let most = 0;
  const fake = await fakeSmsc((session, pdu, n) => {
    outstanding++;
    most = Math.max(most, outstanding);
    setTimeout(() => {
      outstanding--;
      session.send(pdu.response({ message_id: `w${n}` }));
    }, 30);
  });
  const conn = await connect(fake, context(), { window: 4 });
  const outs = await send(conn, Array.from({ length: 20 }, (_, i) => message(`m${i}`)));
  assert.ok(outs.every((o) => o.status === 'sent'));
  assert.equal(most, 4, 'the window is used fully and never exceeded');
  await conn.close();
});

test('mps paces submits: 20 messages at 10 per second take about two seconds', async () => {
  const fake = await fakeSmsc();
  const conn = await connect(fake, context(), { mps: 10, window: 50 });
  const started = Date.now();
  const outs = await send(conn, Array.from({ length: 20 }, (_, i) => message(`m${i}`)));
  const took = Date.now() - started;
  assert.ok(outs.every((o) => o.status === 'sent'));
  assert.ok(took >= 1800, `took ${took} ms`);
  // No one-second span saw more than 10 submits.
  const times = fake.submits.map((p) => p.receivedAt as number);
  for (let i = 10; i < times.length; i++) assert.ok(times[i]! - times[i - 10]! >= 900, `submit ${i}`);
  await conn.close();
});

test('submit errors: throttling and a full queue are transient, a bad destination is permanent', async () => {
  const statuses: Record<string, number> = { throttled: 0x58, full: 0x14, syserr: 0x08, baddest: 0x0b };
  const fake = await fakeSmsc((session, pdu, n) => {
    const text = (pdu.short_message as { message: string }).message;
    const status = statuses[text];
    session.send(pdu.response(status ? { command_status: status } : { message_id: `ok${n}` }));
  });
  const conn = await connect(fake, context());
  const outs = await send(conn, ['throttled', 'full', 'syserr', 'baddest', 'fine'].map((t) => message(t)));
  assert.deepEqual(outs.map((o) => (o.status === 'failed' ? `failed:${o.transient ? 'transient' : 'permanent'}` : o.status)), [
    'failed:transient', 'failed:transient', 'failed:transient', 'failed:permanent', 'sent',
  ]);
  assert.match(outs[0]!.status === 'failed' ? outs[0]!.error : '', /ESME_RTHROTTLED/);
  await conn.close();
});

test('a dropped session fails what was in flight as transient and reconnects with backoff', async () => {
  const fake = await fakeSmsc((session, pdu, n) => {
    const text = (pdu.short_message as { message: string }).message;
    if (text === 'drop') session.destroy();
    else session.send(pdu.response({ message_id: `r${n}` }));
  });
  const conn = await connect(fake, context());
  assert.equal((await send(conn, [message('before')]))[0]?.status, 'sent');

  const [dropped] = await send(conn, [message('drop')]);
  assert.ok(dropped?.status === 'failed');
  assert.equal(dropped.transient, true);

  // Sent while reconnecting: waits for the new session.
  const [after] = await send(conn, [message('after')]);
  assert.equal(after?.status, 'sent', JSON.stringify(after));
  assert.equal(fake.binds, 2);

  // The server side drops it again, idle this time.
  for (const s of fake.sessions()) s.destroy();
  await until('a third bind', () => fake.binds === 3);
  assert.equal((await send(conn, [message('again')]))[0]?.status, 'sent');
  await conn.close();
});

test('a submit without a response times out transient; a submit waiting for the window is aborted transient', async () => {
  const fake = await fakeSmsc(() => {}); // never answers
  const provider = createSmppProvider({ responseTimeoutMs: 300 });
  const conn = await provider.connect({ host: '127.0.0.1', port: fake.port, system_id: 'bank', password: 'secret', source_addr: '+15551234', window: 1 }, context());
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 100);
  const outs = await conn.send([message('first'), message('second')], abort.signal);
  assert.deepEqual(outs.map((o) => (o.status === 'failed' ? o.transient : o.status)), [true, true]);
  assert.match(outs[0]!.status === 'failed' ? outs[0]!.error : '', /no submit_sm_resp within 300 ms/);
  assert.match(outs[1]!.status === 'failed' ? outs[1]!.error : '', /aborted/);
  assert.equal(fake.submits.length, 1, 'the second never went out');
  assert.equal(fake.submits[0]?.source_addr, '15551234');
  assert.equal(fake.submits[0]?.source_addr_ton, 1, 'an international sender');
  await conn.close();
});

test('a refused bind makes connect() fail', async () => {
  const fake = await fakeSmsc(answer, { bindStatus: 0x0e });
  await assert.rejects(connect(fake, context()), /ESME_RINVPASWD/);
});
