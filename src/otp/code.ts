import { randomInt, timingSafeEqual } from 'node:crypto';
import { keyedHash } from '../core/server-keys.js';

/** A code of `length` symbols drawn uniformly from `alphabet` with the CSPRNG (randomInt rejects bias). */
export function generateCode(length: number, alphabet: readonly string[], draw: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < length; i++) code += alphabet[draw(alphabet.length)]!;
  return code;
}

/** Canonical JSON of a context (keys sorted): the same context always hashes the same. */
export function canonicalContext(context: Record<string, string> | null | undefined): string {
  if (!context) return '';
  // NFC: "Éxito" typed on another keyboard (E + combining accent) is the same payee.
  return JSON.stringify(Object.keys(context).map((k) => [k.normalize('NFC'), String(context[k]).normalize('NFC')]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)));
}

/** HMAC-SHA256 over the OTP id, the code and its context: a code for one OTP or one payment matches no other. */
export function hashCode(key: Buffer, otpId: string, code: string, context: Record<string, string> | null | undefined): Buffer {
  return keyedHash(key, [otpId, code.normalize('NFC'), canonicalContext(context)]);
}

/** Constant-time comparison of two hashes. */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The code spelled for a voice call: one symbol at a time, so a speech engine reads digits, not a number. */
export function spokenCode(code: string): string {
  return [...code].join(', ');
}

/** What the message row, the API and the console show instead of the code. */
export function maskCode(code: string): { code: string; spoken: string } {
  const masked = '*'.repeat([...code].length);
  return { code: masked, spoken: spokenCode(masked) };
}
