import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type smpp from 'smpp';
import type { ChannelConnection, ChannelContext, ChannelProvider, OutgoingMessage, SendOutcome } from '../port.js';
import { encodeSms } from './encoding.js';
import { parseReceiptText, receiptType, statOfMessageState } from './receipts.js';
import { SmppClient, SmppSubmitError } from './smpp-client.js';
import { withLinkedSignal } from './flow-control.js';
import { CONVERSA_MESSAGE_ID, SMPP_STATUS, isTransientSmppStatus, registerConversaTlv, smppStatusName } from './smpp-tlv.js';

export const SmppConfigSchema = Type.Object({
  host: Type.String({ minLength: 1, maxLength: 255 }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  // SMPP 3.4 caps system_id at 15 characters, but the sandbox binds with the account id.
  system_id: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ maxLength: 64 }),
  /** The sender: an alphanumeric sender id, a short code or an E.164 number. */
  source_addr: Type.String({ minLength: 1, maxLength: 20 }),
  system_type: Type.Optional(Type.String({ maxLength: 12 })),
  /** Outstanding submit_sm awaiting their response (default 10). */
  window: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  /** submit_sm per second (every part counts); unlimited when absent. */
  mps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000 })),
  source_addr_ton: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
  source_addr_npi: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
}, { additionalProperties: false });

export type SmppConfig = Static<typeof SmppConfigSchema>;

export const DEFAULT_WINDOW = 10;

/** Tuning a test may shorten; production uses the defaults. */
export interface SmppTimings {
  bindTimeoutMs?: number;
  responseTimeoutMs?: number;
  sessionWaitMs?: number;
  enquireLinkMs?: number;
  backoff?: { baseMs: number; maxMs: number };
}

/**
 * TON/NPI of the sender: letters → alphanumeric (5/0); `+` and digits → international (1/1);
 * other digits → unknown/ISDN (0/1), which SMSCs read as a short code or national number.
 */
export function sourceAddress(config: SmppConfig): { source_addr: string; source_addr_ton: number; source_addr_npi: number } {
  const raw = config.source_addr.trim();
  let addr = raw;
  let ton = 0;
  let npi = 1;
  if (/[^\d+]/.test(raw)) {
    ton = 5;
    npi = 0;
  } else if (raw.startsWith('+')) {
    addr = raw.slice(1);
    ton = 1;
  }
  return { source_addr: addr, source_addr_ton: config.source_addr_ton ?? ton, source_addr_npi: config.source_addr_npi ?? npi };
}

/** The concatenation reference of a message: derived from its id so a retry reuses it. */
export function concatRef(messageId: string): number {
  return createHash('sha256').update(messageId).digest()[0]!;
}

/** The text of a deliver_sm, however the library decoded it. */
function pduText(value: smpp.PDU['short_message']): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return typeof value.message === 'string' ? value.message : value.message.toString('latin1');
}

/**
 * Handles a deliver_sm: a delivery receipt (esm_class bit 0x04) is reported; a mobile-originated
 * SMS is acknowledged and logged (inbound SMS comes later). Resolves to the deliver_sm_resp status;
 * a failing `report` rejects, and the SMSC is answered with a temporary error so it redelivers.
 */
export async function handleDeliverSm(pdu: smpp.PDU, ctx: ChannelContext): Promise<number> {
  const esmClass = pdu.esm_class ?? 0;
  if ((esmClass & 0x04) === 0) {
    ctx.log.info({ channel_id: ctx.channelId }, 'mobile-originated SMS received; inbound SMS is not handled yet');
    return SMPP_STATUS.ESME_ROK;
  }
  const text = parseReceiptText(pduText(pdu.short_message) || pduText(pdu.message_payload));
  const providerId = pdu.receipted_message_id || text.id;
  const stat = (typeof pdu.message_state === 'number' ? statOfMessageState(pdu.message_state) : undefined) ?? text.stat;
  if (!providerId || !stat) {
    ctx.log.warn({ channel_id: ctx.channelId }, 'SMPP receipt without a message id or a state; ignored');
    return SMPP_STATUS.ESME_ROK;
  }
  const type = receiptType(stat);
  if (type === undefined) ctx.log.warn({ channel_id: ctx.channelId, stat }, 'SMPP receipt with an unknown state; ignored');
  if (!type) return SMPP_STATUS.ESME_ROK;
  await ctx.report({
    accountId: ctx.accountId,
    channelId: ctx.channelId,
    providerId,
    type,
    at: ctx.clock.now(),
    detail: { stat, err: text.err ?? null },
  });
  return SMPP_STATUS.ESME_ROK;
}

function failed(m: OutgoingMessage, transient: boolean, error: string, detail?: Record<string, unknown>): SendOutcome {
  return { id: m.id, status: 'failed', transient, error, ...(detail ? { detail } : {}) };
}

async function sendOne(client: SmppClient, config: SmppConfig, m: OutgoingMessage, signal: AbortSignal): Promise<SendOutcome> {
  const destination = m.to.trim().replace(/^\+/, '');
  if (!/^\d{3,20}$/.test(destination)) return failed(m, false, 'destination is not an E.164 phone number');
  let parts;
  try {
    parts = encodeSms(m.content.text, concatRef(m.id));
  } catch (err) {
    return failed(m, false, (err as Error).message);
  }
  const source = sourceAddress(config);
  const providerIds: string[] = [];
  for (const part of parts) {
    let resp: smpp.PDU;
    try {
      resp = await client.submit({
        ...source,
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: destination,
        esm_class: part.esmClass,
        registered_delivery: 1,
        data_coding: part.dataCoding,
        short_message: part.payload,
        [CONVERSA_MESSAGE_ID]: m.id,
      }, signal);
    } catch (err) {
      const transient = err instanceof SmppSubmitError ? err.transient : true;
      return failed(m, transient, (err as Error).message, { parts_sent: providerIds.length, provider_ids: providerIds });
    }
    if (resp.command_status !== SMPP_STATUS.ESME_ROK) {
      return failed(m, isTransientSmppStatus(resp.command_status), `submit_sm refused: ${smppStatusName(resp.command_status)}`, {
        command_status: resp.command_status, parts_sent: providerIds.length, provider_ids: providerIds,
      });
    }
    providerIds.push(resp.message_id ?? '');
  }
  return { id: m.id, status: 'sent', providerIds, segments: parts.length };
}

/** Builds the SMPP provider; `timings` exists for tests (short backoff and timeouts). */
export function createSmppProvider(timings: SmppTimings = {}): ChannelProvider<SmppConfig> {
  return {
    type: 'smpp',
    kind: 'sms',
    configSchema: SmppConfigSchema,
    secrets: ['password'],
    maxBatch: 50,
    rateLimit: (config) => config.mps,
    async connect(config, ctx): Promise<ChannelConnection> {
      registerConversaTlv();
      const client = new SmppClient({
        host: config.host,
        port: config.port,
        systemId: config.system_id,
        password: config.password,
        ...(config.system_type ? { systemType: config.system_type } : {}),
        window: config.window ?? DEFAULT_WINDOW,
        ...(config.mps ? { mps: config.mps } : {}),
        log: ctx.log,
        onDeliver: (pdu) => handleDeliverSm(pdu, ctx),
        ...timings,
      });
      await client.start();
      return {
        send: (batch, signal) => withLinkedSignal(signal, (inner) => Promise.all(batch.map((m) => sendOne(client, config, m, inner)))),
        close: () => client.close(),
      };
    },
  };
}

export const smppProvider: ChannelProvider<SmppConfig> = createSmppProvider();
