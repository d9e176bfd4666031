import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, Stripe style, so customers can reuse what they know:
 * `Conversa-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the MAC, so a captured request cannot be replayed later than the
 * receiver's tolerance.
 */
export const SIGNATURE_HEADER = 'Conversa-Signature';

/** A new signing secret: `whsec_` + 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64url');
}

function mac(secret: string, t: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** The header value for `body` sent at `now`. */
export function signPayload(body: string | Buffer, secret: string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${mac(secret, t, body)}`;
}

/**
 * For receivers (and our tests): true when `header` carries a v1 signature of the raw `body` under
 * `secret` made within `toleranceSec` of `now`. Several `v1=` entries are accepted (a sender
 * rotating secrets signs with both). The comparison is constant-time.
 */
export function verifySignature(header: string | undefined | null, body: string | Buffer, secret: string, toleranceSec = 300, now: Date = new Date()): boolean {
  if (!header) return false;
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) candidates.push(v.toLowerCase());
  }
  if (t === undefined || candidates.length === 0) return false;
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSec) return false;
  const expected = Buffer.from(mac(secret, t, body), 'hex');
  let ok = false;
  // Every candidate is compared (no early exit), so timing does not say which one matched.
  for (const c of candidates) ok = timingSafeEqual(expected, Buffer.from(c, 'hex')) || ok;
  return ok;
}
