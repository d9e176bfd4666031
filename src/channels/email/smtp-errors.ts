/** The fields nodemailer puts on its errors that decide whether a retry can help. */
interface SmtpErrorLike {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

// Errors about the channel, not the message: fixing the credentials or the key lets the same
// message through, so they stay retryable even when the server answered 535.
const CHANNEL_PROBLEMS = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EOAUTH2', 'ETLS', 'EREQUIRETLS']);

/**
 * A failed send → transient (retry) or permanent (give up), RFC 5321 §4.2.1: 5yz is permanent,
 * 4yz transient, except 503 (bad sequence: a new session may succeed). No reply code at all means
 * the connection failed (refused, timed out, reset), which is transient — except an envelope the
 * client itself rejected (no valid recipient), which no retry fixes.
 */
export function classifySmtpError(err: unknown): { transient: boolean; error: string } {
  const e: SmtpErrorLike = typeof err === 'object' && err !== null ? (err as SmtpErrorLike) : { message: String(err) };
  const error = describe(e);
  if (e.code && CHANNEL_PROBLEMS.has(e.code)) return { transient: true, error };
  if (typeof e.responseCode === 'number') {
    const permanent = e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503;
    return { transient: !permanent, error };
  }
  if (e.code === 'EENVELOPE') return { transient: false, error };
  return { transient: true, error };
}

function describe(e: SmtpErrorLike): string {
  const what = e.response ?? e.message ?? 'unknown error';
  const head = [e.code, e.responseCode].filter((x) => x !== undefined).join(' ');
  return (head ? `${head}: ${what}` : what).slice(0, 500);
}
