import smpp from 'smpp';

/**
 * Our message id travels on every submit_sm part in a vendor-specific TLV (0x1400–0x3FFF is the
 * vendor range of SMPP 3.4). Real SMSCs ignore TLVs they do not know; the sandbox SMSC dedupes on
 * it, as a provider with idempotency keys would.
 */
export const CONVERSA_MESSAGE_ID_TLV = 0x1401;
export const CONVERSA_MESSAGE_ID = 'conversa_message_id';

/** Registers the TLV with the smpp library (a process-wide table); safe to call more than once. */
export function registerConversaTlv(): void {
  if (smpp.tlvs[CONVERSA_MESSAGE_ID]) return;
  smpp.addTLV(CONVERSA_MESSAGE_ID, { id: CONVERSA_MESSAGE_ID_TLV, type: smpp.types.tlv.string });
}

/** SMPP command_status values the provider tells apart (SMPP 3.4 §5.1.3). */
export const SMPP_STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RMSGQFUL: 0x14,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RTHROTTLED: 0x58,
  ESME_RX_T_APPN: 0x64,
  ESME_RX_R_APPN: 0x66,
  ESME_RDELIVERYFAILURE: 0xfe,
  ESME_RUNKNOWNERR: 0xff,
} as const;

// Worth retrying: the SMSC is busy or broken right now, not refusing this message.
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([
  SMPP_STATUS.ESME_RSYSERR,
  SMPP_STATUS.ESME_RMSGQFUL,
  SMPP_STATUS.ESME_RTHROTTLED,
  SMPP_STATUS.ESME_RX_T_APPN,
  SMPP_STATUS.ESME_RSUBMITFAIL,
  SMPP_STATUS.ESME_RDELIVERYFAILURE,
  SMPP_STATUS.ESME_RUNKNOWNERR,
]);

/** Whether a failed submit_sm_resp status is worth retrying (throttling, full queue, system errors). */
export function isTransientSmppStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status);
}

/** `ESME_RTHROTTLED (0x58)`: names for the errors we log and store. */
export function smppStatusName(status: number): string {
  const name = Object.entries(smpp.errors).find(([, v]) => v === status)?.[0];
  return `${name ?? 'status'} (0x${status.toString(16).padStart(2, '0')})`;
}
