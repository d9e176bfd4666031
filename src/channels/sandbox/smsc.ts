import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import type { Pool } from '../../db/index.js';
import type { Logger } from '../../core/logger.js';
import { readConcatenation } from '../sms/encoding.js';
import { formatReceiptText } from '../sms/receipts.js';
import { SMPP_STATUS, registerConversaTlv } from '../sms/smpp-tlv.js';
import { recordSandboxMessage } from './store.js';

/**
 * The sandbox SMSC: a local SMPP 3.4 server the sandbox SMS channel binds to, so sandbox sends
 * travel the production path (the smpp provider, real PDUs over TCP). It accepts any bind — the
 * system_id is the account id, and what arrives is filed under it — answers every submit_sm with
 * a fresh message_id, reassembles concatenated parts (UDH 8- or 16-bit reference), decodes GSM-7
 * and UCS-2, records ONE sandbox message per Conversa message id (the 0x1401 TLV; a second
 * delivery counts as a duplicate), and when registered_delivery asks, sends a DELIVRD receipt
 * per part back on the same session (receipted_message_id + message_state TLVs and the standard
 * text).
 */
export interface SandboxSmscOptions {
  pool: Pool;
  log: Logger;
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  receiptDelayMs?: number;
}

export interface SandboxSmsc {
  port: number;
  close(): Promise<void>;
}

interface PartialMessage {
  parts: Map<number, string>;
  startedAt: number;
}

// Parts of a message whose other parts never come are dropped after this long.
const PARTIAL_TTL_MS = 10 * 60_000;
const ESME_RINVBNDSTS = 0x04;
const MESSAGE_STATE_DELIVERED = 2;

/** The text of a submit_sm as the library decoded it (GSM-7 by default, UCS-2 for data_coding 8). */
function decodedText(value: smpp.PDU['short_message']): { text: string; udh: Buffer[] } {
  if (value === undefined) return { text: '', udh: [] };
  if (typeof value === 'string') return { text: value, udh: [] };
  if (Buffer.isBuffer(value)) return { text: value.toString('latin1'), udh: [] };
  const text = typeof value.message === 'string' ? value.message : value.message.toString('latin1');
  return { text, udh: value.udh ?? [] };
}

export async function startSandboxSmsc(opts: SandboxSmscOptions): Promise<SandboxSmsc> {
  registerConversaTlv();
  const { pool, log } = opts;
  const receiptDelayMs = opts.receiptDelayMs ?? 50;
  const timers = new Set<NodeJS.Timeout>();
  const partials = new Map<string, PartialMessage>();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, p] of partials) if (now - p.startedAt > PARTIAL_TTL_MS) partials.delete(key);
  }, 60_000);
  sweep.unref();

  /** The whole text once every part is in; undefined while parts are missing. */
  function assemble(key: string, seq: number, total: number, text: string): string | undefined {
    const p = partials.get(key) ?? { parts: new Map<number, string>(), startedAt: Date.now() };
    partials.set(key, p);
    p.parts.set(seq, text);
    if (p.parts.size < total) return undefined;
    partials.delete(key);
    let whole = '';
    for (let i = 1; i <= total; i++) whole += p.parts.get(i) ?? '';
    return whole;
  }

  function sendReceipt(session: smpp.Session, submit: smpp.PDU, smscId: string, text: string, submittedAt: Date): void {
    later(receiptDelayMs, () => {
      if (session.socket.destroyed) return;
      // Only safe ASCII in the excerpt: the receipt text reads the same in GSM-7 and ASCII.
      const excerpt = text.replace(/[^A-Za-z0-9 .,]/g, '').slice(0, 20);
      const receipt = formatReceiptText({ id: smscId, stat: 'DELIVRD', submitted: submittedAt, done: new Date(), text: excerpt });
      session.deliver_sm({
        source_addr_ton: submit.dest_addr_ton ?? 1,
        source_addr_npi: submit.dest_addr_npi ?? 1,
        source_addr: submit.destination_addr ?? '',
        dest_addr_ton: submit.source_addr_ton ?? 0,
        dest_addr_npi: submit.source_addr_npi ?? 0,
        destination_addr: submit.source_addr ?? '',
        esm_class: 0x04,
        data_coding: 0,
        short_message: Buffer.from(receipt, 'ascii'),
        receipted_message_id: smscId,
        message_state: MESSAGE_STATE_DELIVERED,
      }, (resp) => {
        if (resp.command_status !== 0) log.warn({ status: resp.command_status }, 'sandbox SMSC: receipt refused by the ESME');
      });
    });
  }

  async function onSubmit(session: smpp.Session, accountId: string, pdu: smpp.PDU): Promise<void> {
    const smscId = randomBytes(8).toString('hex');
    const submittedAt = new Date();
    // Long texts may come in message_payload (one PDU, no UDH) instead of short_message.
    const { text, udh } = pdu.message_payload !== undefined ? decodedText(pdu.message_payload) : decodedText(pdu.short_message);
    const messageId = pdu.conversa_message_id || null;
    const dest = pdu.destination_addr ?? '';
    const to = dest.startsWith('+') ? dest : `+${dest}`;
    const concat = readConcatenation(udh);
    const whole = concat && concat.total > 1
      ? assemble([accountId, messageId ?? '', pdu.source_addr ?? '', dest, concat.ref, concat.total].join('|'), concat.seq, concat.total, text)
      : text;
    if (whole !== undefined) {
      try {
        await recordSandboxMessage(pool, { accountId, messageId, channelType: 'sms', to, text: whole });
      } catch (err) {
        log.error({ err }, 'sandbox SMSC: recording a message failed');
        session.send(pdu.response({ command_status: SMPP_STATUS.ESME_RSYSERR }));
        return;
      }
    }
    session.send(pdu.response({ message_id: smscId }));
    if ((pdu.registered_delivery ?? 0) & 0x03) sendReceipt(session, pdu, smscId, text, submittedAt);
  }

  const server = smpp.createServer((session) => {
    let accountId: string | undefined;
    session.socket.setNoDelay(true);
    session.on('error', (err: Error) => log.debug({ err: err.message }, 'sandbox SMSC: session error'));
    const onBind = (pdu: smpp.PDU) => {
      accountId = pdu.system_id || undefined;
      session.send(pdu.response(accountId ? { system_id: 'conversa-sandbox' } : { command_status: SMPP_STATUS.ESME_RBINDFAIL }));
    };
    session.on('bind_transceiver', onBind);
    session.on('bind_transmitter', onBind);
    session.on('bind_receiver', onBind);
    session.on('submit_sm', (pdu: smpp.PDU) => {
      if (!accountId) return void session.send(pdu.response({ command_status: ESME_RINVBNDSTS }));
      void onSubmit(session, accountId, pdu);
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'sandbox SMSC listening');

  return {
    port,
    async close() {
      clearInterval(sweep);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of [...server.sessions]) s.destroy();
      await closed;
    },
  };
}
