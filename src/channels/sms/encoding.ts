/**
 * SMS text encoding and splitting (GSM 03.38 / 3GPP TS 23.038 and TS 23.040).
 *
 * A message is sent in GSM-7 (data_coding 0, one septet per byte, unpacked as SMPP carries it)
 * when every character is in the GSM default alphabet or its extension table; otherwise in UCS-2
 * (data_coding 8, UTF-16BE). A message that does not fit one SMS (160 septets / 70 UTF-16 units) is
 * split into parts of 153 septets / 67 units, each carrying a 6-byte UDH with the 8-bit
 * concatenation IE. A part never ends in the middle of an extension escape (ESC + char) or of a
 * surrogate pair, so each part decodes on its own.
 */

// The default alphabet in code order: index = septet value. 0x1B (ESC) is not a character.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// The extension table: character → the septet that follows ESC.
const GSM_EXTENSION: ReadonlyMap<string, number> = new Map([
  ['\f', 0x0a], ['^', 0x14], ['{', 0x28], ['}', 0x29], ['\\', 0x2f],
  ['[', 0x3c], ['~', 0x3d], [']', 0x3e], ['|', 0x40], ['€', 0x65],
]);
const ESC = 0x1b;

const BASIC_INDEX: ReadonlyMap<string, number> = new Map(
  [...GSM_BASIC].flatMap((ch, i) => (i === ESC ? [] : [[ch, i] as const])),
);

export const SINGLE_GSM7_SEPTETS = 160;
export const PART_GSM7_SEPTETS = 153;
export const SINGLE_UCS2_UNITS = 70;
export const PART_UCS2_UNITS = 67;
/** The 8-bit concatenation IE counts parts in one byte. */
export const MAX_PARTS = 255;

export type SmsEncoding = 'gsm7' | 'ucs2';

/** The septets of one character in GSM-7, or undefined when it has none. */
function gsm7Septets(ch: string): number[] | undefined {
  const basic = BASIC_INDEX.get(ch);
  if (basic !== undefined) return [basic];
  const ext = GSM_EXTENSION.get(ch);
  return ext === undefined ? undefined : [ESC, ext];
}

/** True when every character has a GSM-7 encoding (default alphabet or extension table). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!gsm7Septets(ch)) return false;
  return true;
}

export function encodingFor(text: string): SmsEncoding {
  return isGsm7(text) ? 'gsm7' : 'ucs2';
}

/** GSM-7 septets, one per byte (SMPP carries them unpacked). Throws on a character outside GSM-7. */
export function encodeGsm7(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const s = gsm7Septets(ch);
    if (!s) throw new Error(`character U+${ch.codePointAt(0)!.toString(16)} has no GSM-7 encoding`);
    out.push(...s);
  }
  return Buffer.from(out);
}

/** UCS-2 as SMSCs read it: UTF-16 big-endian (characters beyond the BMP as surrogate pairs). */
export function encodeUcs2(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return le.swap16();
}

/** How much of a part one character takes: septets in GSM-7, UTF-16 code units in UCS-2. */
function unitsOf(ch: string, encoding: SmsEncoding): number {
  return encoding === 'gsm7' ? (gsm7Septets(ch)?.length ?? 1) : ch.length;
}

/**
 * Splits text into the parts it is sent in. One part when it fits a single SMS; otherwise parts of
 * at most 153 septets / 67 units, cut only between whole characters (iterating by code point keeps
 * an escape pair or a surrogate pair together).
 */
export function splitSms(text: string, encoding: SmsEncoding = encodingFor(text)): string[] {
  const chars = [...text];
  const total = chars.reduce((n, ch) => n + unitsOf(ch, encoding), 0);
  const single = encoding === 'gsm7' ? SINGLE_GSM7_SEPTETS : SINGLE_UCS2_UNITS;
  if (total <= single) return [text];
  const max = encoding === 'gsm7' ? PART_GSM7_SEPTETS : PART_UCS2_UNITS;
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const ch of chars) {
    const n = unitsOf(ch, encoding);
    if (used + n > max) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += ch;
    used += n;
  }
  if (current) parts.push(current);
  return parts;
}

/** One submit_sm's worth: the bytes of `short_message` and the flags that go with them. */
export interface SmsPart {
  /** UDH (when concatenated) followed by the encoded text. */
  payload: Buffer;
  /** 0 GSM-7 (SMSC default alphabet) or 8 UCS-2. */
  dataCoding: 0 | 8;
  /** 0x40 (UDH indicator) when the payload starts with a UDH. */
  esmClass: number;
  text: string;
}

/** The 6-byte UDH with the 8-bit concatenated-SMS IE (IEI 0x00, length 3: ref, total, seq). */
export function concatUdh(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, seq]);
}

/**
 * Encodes a message into the submit_sm parts it is sent as. `ref` is the concatenation reference
 * (0–255) shared by the parts; deriving it from the message id keeps it stable across retries.
 * Throws when the message needs more than 255 parts.
 */
export function encodeSms(text: string, ref: number): SmsPart[] {
  const encoding = encodingFor(text);
  const texts = splitSms(text, encoding);
  if (texts.length > MAX_PARTS) throw new Error(`message too long: ${texts.length} parts (at most ${MAX_PARTS})`);
  const dataCoding = encoding === 'gsm7' ? 0 : 8;
  const encode = encoding === 'gsm7' ? encodeGsm7 : encodeUcs2;
  if (texts.length === 1) return [{ payload: encode(text), dataCoding, esmClass: 0, text }];
  return texts.map((t, i) => ({
    payload: Buffer.concat([concatUdh(ref, texts.length, i + 1), encode(t)]),
    dataCoding,
    esmClass: 0x40,
    text: t,
  }));
}

/** Parses the 8-bit (IEI 0x00) or 16-bit (IEI 0x08) concatenation IE out of UDH information elements. */
export function readConcatenation(ies: readonly Buffer[]): { ref: number; total: number; seq: number } | undefined {
  for (const ie of ies) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) return { ref: ie[2]!, total: ie[3]!, seq: ie[4]! };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) return { ref: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
  }
  return undefined;
}
