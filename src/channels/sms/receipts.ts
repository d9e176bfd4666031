/**
 * Delivery receipts: SMPP `deliver_sm` receipts (TLVs or the de-facto standard text of SMPP 3.4
 * Appendix B) and the statuses HTTP providers post back, mapped to our report types.
 */

export type ReceiptType = 'delivered' | 'failed';

/** SMPP `message_state` TLV values → the stat words of the receipt text. */
const MESSAGE_STATES: Record<number, string> = {
  0: 'SCHEDULED', 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED',
  5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD', 9: 'SKIPPED',
};

export function statOfMessageState(state: number): string | undefined {
  return MESSAGE_STATES[state];
}

const FINAL: Record<string, ReceiptType> = {
  DELIVRD: 'delivered', DELIVERED: 'delivered',
  UNDELIV: 'failed', UNDELIVERABLE: 'failed', UNDELIVERED: 'failed',
  REJECTD: 'failed', REJECTED: 'failed',
  EXPIRED: 'failed', DELETED: 'failed', UNKNOWN: 'failed', FAILED: 'failed', SKIPPED: 'failed',
};
// Intermediate states: the message is still on its way. Ignored, not an error.
const INTERMEDIATE = new Set(['ACCEPTD', 'ACCEPTED', 'ENROUTE', 'SCHEDULED', 'SENT', 'QUEUED', 'BUFFERED', 'SUBMITTED', 'PENDING']);

/**
 * Maps a receipt status word (SMPP stat or an HTTP provider's status, any case) to a report type.
 * `null` for intermediate states (ignore), `undefined` for a word we do not know.
 */
export function receiptType(status: string): ReceiptType | null | undefined {
  const s = status.trim().toUpperCase();
  if (s in FINAL) return FINAL[s];
  return INTERMEDIATE.has(s) ? null : undefined;
}

export interface ReceiptText {
  id?: string;
  sub?: string;
  dlvrd?: string;
  submitDate?: string;
  doneDate?: string;
  stat?: string;
  err?: string;
}

/**
 * Parses `id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:… text:…`. Fields are
 * read up to `text:` only (the message excerpt can contain anything); any field may be missing.
 */
export function parseReceiptText(raw: string): ReceiptText {
  const head = raw.split(/\btext:/i)[0] ?? '';
  const field = (name: string): string | undefined => {
    const m = new RegExp(`(?:^|\\s)${name}:(\\S*)`, 'i').exec(head);
    return m?.[1] || undefined;
  };
  return {
    id: field('id'),
    sub: field('sub'),
    dlvrd: field('dlvrd'),
    submitDate: field('submit date'),
    doneDate: field('done date'),
    stat: field('stat'),
    err: field('err'),
  };
}

/** YYMMDDhhmm[ss] in UTC, as the sandbox SMSC writes the receipt dates. */
export function receiptDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** The standard receipt text for one part. */
export function formatReceiptText(r: { id: string; stat: string; err?: string; submitted: Date; done: Date; text: string }): string {
  return `id:${r.id} sub:001 dlvrd:${r.stat === 'DELIVRD' ? '001' : '000'} submit date:${receiptDate(r.submitted)} ` +
    `done date:${receiptDate(r.done)} stat:${r.stat} err:${r.err ?? '000'} text:${r.text.slice(0, 20)}`;
}
