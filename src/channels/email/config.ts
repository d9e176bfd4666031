import { createPrivateKey } from 'node:crypto';
import { Type, type Static } from 'typebox';
import addressparser from 'nodemailer/lib/addressparser';
import { invalid } from '../../core/errors.js';

/** `POST /v1/channels {type: 'smtp', config}` (API.md, "Messaging"). */
export const SmtpConfigSchema = Type.Object({
  host: Type.String({ minLength: 1, maxLength: 255 }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: Type.Optional(Type.Boolean()),
  auth: Type.Optional(Type.Object({
    user: Type.String({ minLength: 1, maxLength: 255 }),
    pass: Type.String({ maxLength: 1024 }),
  }, { additionalProperties: false })),
  /** `avisos@banco.example` or `Banco Ejemplo <avisos@banco.example>`. */
  from: Type.String({ minLength: 3, maxLength: 320 }),
  /** The domain (or an address at it) whose MX is our bounce receiver; enables VERP. */
  return_path: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  dkim: Type.Optional(Type.Object({
    domain: Type.String({ minLength: 1, maxLength: 255 }),
    selector: Type.String({ minLength: 1, maxLength: 63 }),
    private_key: Type.String({ minLength: 1, maxLength: 16384 }),
  }, { additionalProperties: false })),
  pool_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  mps: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
}, { additionalProperties: false });

export type SmtpConfig = Static<typeof SmtpConfigSchema>;

export const SMTP_SECRETS = ['auth.pass', 'dkim.private_key'] as const;
export const DEFAULT_POOL_SIZE = 5;

// A DNS name: labels of letters, digits and hyphens. Good enough to catch a pasted URL or address.
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SELECTOR = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62})$/;
/** One bare address, no display name, no list: what an envelope or a `to` must be. */
export const SINGLE_ADDRESS = /^[^\s@,;<>"()[\]\\]+@[A-Za-z0-9.-]+$/;

/** The bare address inside `from` (which may carry a display name), or null. */
export function fromAddress(from: string): string | null {
  const parsed = addressparser(from, { flatten: true });
  if (parsed.length !== 1) return null;
  const address = parsed[0]?.address ?? '';
  return SINGLE_ADDRESS.test(address) ? address : null;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** `bounces.banco.example` or `returns@bounces.banco.example` → `bounces.banco.example`. */
export function returnPathDomain(returnPath: string): string {
  return returnPath.includes('@') ? domainOf(returnPath) : returnPath.toLowerCase();
}

/**
 * Checks beyond the schema; throws AppError 422 naming the field. The key itself never appears
 * in a message: only whether it parsed.
 */
export function validateSmtpConfig(config: SmtpConfig): void {
  if (!HOSTNAME.test(config.host) && !isIpLiteral(config.host)) throw invalid('config.host', 'must be a host name or an IP address');
  if (!fromAddress(config.from)) throw invalid('config.from', 'must be one email address, optionally with a display name');
  if (config.return_path !== undefined) {
    const rp = config.return_path;
    const ok = rp.includes('@') ? SINGLE_ADDRESS.test(rp) && HOSTNAME.test(domainOf(rp)) : HOSTNAME.test(rp);
    if (!ok) throw invalid('config.return_path', 'must be a domain or an address at the bounce domain');
  }
  if (config.dkim) {
    if (!HOSTNAME.test(config.dkim.domain)) throw invalid('config.dkim.domain', 'must be a domain name');
    if (!SELECTOR.test(config.dkim.selector)) throw invalid('config.dkim.selector', 'must be a DNS label (letters, digits, ".", "-", "_")');
    checkDkimKey(config.dkim.private_key);
  }
}

function checkDkimKey(pem: string): void {
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw invalid('config.dkim.private_key', 'is not a PEM private key');
  }
  // nodemailer signs rsa-sha256 only; verifiers reject RSA keys under 1024 bits (RFC 8301).
  if (key.asymmetricKeyType !== 'rsa') throw invalid('config.dkim.private_key', 'must be an RSA key');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) throw invalid('config.dkim.private_key', 'must be at least 1024 bits (2048 recommended)');
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (/^[0-9A-Fa-f:]+$/.test(host) && host.includes(':'));
}
