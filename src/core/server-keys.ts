import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.js';

/** Keys derived from one master key, each for one purpose (a key never serves two). */
export interface ServerKeys {
  /** HMAC-SHA256 key of OTP code hashes. */
  otpHmac: Buffer;
  /** AES-256-GCM key of values kept sealed for a while (an OTP code until its last channel). */
  seal: Buffer;
  /** Where the master key came from: `env` (CONVERSA_SECRET_KEY) or `database` (generated). */
  source: 'env' | 'database';
}

const MASTER_NAME = 'master';

/** Parses CONVERSA_SECRET_KEY: base64 or hex, at least 32 bytes. */
export function parseMasterKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length < 32) throw new Error('CONVERSA_SECRET_KEY must be at least 32 bytes, base64 or hex (openssl rand -base64 32)');
  return key;
}

export function deriveKeys(master: Buffer, source: ServerKeys['source']): ServerKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, 'conversa', info, 32));
  return { otpHmac: derive('otp-hmac'), seal: derive('seal'), source };
}

const cache = new WeakMap<object, Promise<ServerKeys>>();

/**
 * The installation's keys, loaded once per pool. Without CONVERSA_SECRET_KEY a random master key
 * is generated and kept in `server_keys` (the first process to start wins the insert).
 */
export function serverKeys(db: Queryable & object, secretKey: string | undefined): Promise<ServerKeys> {
  let keys = cache.get(db);
  if (!keys) {
    keys = (async () => {
      const master = secretKey ? parseMasterKey(secretKey) : await storedMasterKey(db);
      await checkFingerprint(db, master);
      return deriveKeys(master, secretKey ? 'env' : 'database');
    })();
    keys.catch(() => cache.delete(db));
    cache.set(db, keys);
  }
  return keys;
}

const FINGERPRINT_NAME = 'fingerprint';

/**
 * The first master key a database is used with leaves its fingerprint (an HMAC of a constant, not
 * the key); a process started with another key refuses to run instead of failing every OTP.
 */
async function checkFingerprint(db: Queryable, master: Buffer): Promise<void> {
  const mine = createHmac('sha256', master).update('conversa key fingerprint').digest();
  await db.query('INSERT INTO server_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [FINGERPRINT_NAME, mine]);
  const r = await db.query<{ key: Buffer }>('SELECT key FROM server_keys WHERE name = $1', [FINGERPRINT_NAME]);
  const stored = r.rows[0]?.key;
  if (stored && !stored.equals(mine)) {
    throw new Error('CONVERSA_SECRET_KEY is not the key this database was first used with (its OTP hashes and sealed codes need that one); '
      + 'to adopt a new key on purpose, delete the row server_keys.name = \'fingerprint\' (OTPs alive at that moment stop verifying)');
  }
}

async function storedMasterKey(db: Queryable): Promise<Buffer> {
  await db.query('INSERT INTO server_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [MASTER_NAME, randomBytes(32)]);
  const r = await db.query<{ key: Buffer }>('SELECT key FROM server_keys WHERE name = $1', [MASTER_NAME]);
  const key = r.rows[0]?.key;
  if (!key) throw new Error('server_keys: the master key could not be read');
  return key;
}

/** HMAC-SHA256 of the given parts, each length-prefixed so no two part lists collide. */
export function keyedHash(key: Buffer, parts: string[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) {
    const b = Buffer.from(p, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len).update(b);
  }
  return h.digest();
}

/** AES-256-GCM: 12-byte nonce ‖ 16-byte tag ‖ ciphertext. `aad` binds the value to its row. */
export function seal(key: Buffer, plain: string, aad: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

/** Opens what `seal` made; throws when the key, the row (aad) or the bytes differ. */
export function unseal(key: Buffer, sealed: Buffer, aad: string): string {
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
}
