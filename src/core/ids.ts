import { randomBytes } from 'node:crypto';

// Crockford base32: no I, L, O, U — ids survive being read aloud or copied from a screen.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A time-ordered opaque id (`ct_01JD…`): 48 bits of milliseconds then 80 random bits, ULID style.
 * Ordered ids keep b-tree inserts at the right edge and make keyset paging by id follow creation.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i]! & 31]!;
  return `${prefix}_${time}${rand}`;
}

/** A random secret of `bytes` bytes as URL-safe base64 (API keys, session tokens). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
