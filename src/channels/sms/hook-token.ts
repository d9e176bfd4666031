import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in an HTTP SMS channel's receipt callback URL: HMAC-SHA256 under the channel's
 * `hook_secret` over `<accountId>:<channelId>`, base64url. It names nothing secret and cannot be
 * forged without the secret; rotating the secret invalidates the URL.
 */
export function hookToken(secret: string, accountId: string, channelId: string): string {
  return createHmac('sha256', secret).update(`${accountId}:${channelId}`).digest('base64url');
}

/** Constant-time comparison of a presented token with the expected one. */
export function hookTokenMatches(secret: string, accountId: string, channelId: string, presented: string): boolean {
  const expected = Buffer.from(hookToken(secret, accountId, channelId));
  const got = Buffer.from(presented);
  // Lengths are public (a base64url SHA-256 is always 43 characters); only the bytes are secret.
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** `${publicUrl}/hooks/sms/{channelId}/{token}`: where an HTTP SMS provider posts receipts. */
export function hookUrl(publicUrl: string, secret: string, accountId: string, channelId: string): string {
  return `${publicUrl.replace(/\/$/, '')}/hooks/sms/${encodeURIComponent(channelId)}/${hookToken(secret, accountId, channelId)}`;
}
