/**
 * How an SMS text travels: which alphabet it needs and how many segments (billed parts) it takes.
 *
 * GSM 03.38 (GSM-7) packs 160 septets into one SMS. A text with any character outside the GSM-7
 * basic set and its extension table must go as UCS-2 (UTF-16), 70 code units per SMS. A long
 * text is split into concatenated parts whose header (UDH) takes room: 153 septets or 67 code
 * units per part. Characters of the extension table (€, [, ], {, }, …) are sent as ESC + char,
 * so they count 2 and a part never splits one; nor does a part split a UTF-16 surrogate pair.
 */

// The 128 characters of the GSM-7 basic set, in code order. \x1b (ESC) is left out: it is the
// escape to the extension table, not a character a text can contain.
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// The extension table: each costs two septets (ESC + char).
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsInfo {
  encoding: SmsEncoding;
  /** What counts against the limits: septets for GSM-7, UTF-16 code units for UCS-2. */
  characters: number;
  segments: number;
  /** Room in each segment of this text: 160/153 (GSM-7) or 70/67 (UCS-2). */
  per_segment: number;
}

const LIMITS: Record<SmsEncoding, { single: number; multi: number }> = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
};

/** The units each character takes, in order (1 or 2); undefined when the text is not GSM-7. */
function gsm7Units(text: string): number[] | undefined {
  const units: number[] = [];
  for (const ch of text) {
    if (BASIC.has(ch)) units.push(1);
    else if (EXTENSION.has(ch)) units.push(2);
    else return undefined;
  }
  return units;
}

/** UTF-16 code units per character: 2 for a surrogate pair (emoji and other astral characters). */
function ucs2Units(text: string): number[] {
  const units: number[] = [];
  for (const ch of text) units.push(ch.length);
  return units;
}

/** Fills parts of `room` units in order; a character never straddles two parts. */
function countParts(units: readonly number[], room: number): number {
  let parts = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > room) {
      parts++;
      used = 0;
    }
    used += u;
  }
  return parts;
}

export function smsInfo(text: string): SmsInfo {
  const gsm = gsm7Units(text);
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const units = gsm ?? ucs2Units(text);
  const characters = units.reduce((a, b) => a + b, 0);
  const { single, multi } = LIMITS[encoding];
  if (characters <= single) return { encoding, characters, segments: 1, per_segment: single };
  return { encoding, characters, segments: countParts(units, multi), per_segment: multi };
}
