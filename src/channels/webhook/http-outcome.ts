import { isSsrfError } from '../../core/ssrf.js';
import type { SendOutcome } from '../port.js';

/**
 * The send outcome of an HTTP answer, shared by the providers that POST to a customer's or a
 * provider's URL (webhook, voice). 2xx: sent. 408, 429 and 5xx are the receiver saying "not now":
 * retried. Any other status (4xx, a 3xx we do not follow) will not change by retrying: permanent.
 */
export function outcomeFromStatus(id: string, status: number, bodyStart: string): SendOutcome {
  if (status >= 200 && status < 300) return { id, status: 'sent', detail: { http_status: status } };
  const transient = status === 408 || status === 429 || status >= 500;
  const why = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  return { id, status: 'failed', transient, error: `HTTP ${status}${why}`, detail: { http_status: status, body: bodyStart } };
}

/**
 * The send outcome of a request that got no answer. A refused destination (SSRF) is permanent:
 * the config points inside and retrying will not change that. Timeouts, refused or reset
 * connections and DNS failures are retried.
 */
export function outcomeFromError(id: string, err: unknown): SendOutcome {
  if (isSsrfError(err)) return { id, status: 'failed', transient: false, error: `refused destination: ${err.message}` };
  const code = typeof err === 'object' && err !== null ? String((err as { code?: unknown }).code ?? '') : '';
  const message = err instanceof Error ? err.message : String(err);
  return { id, status: 'failed', transient: true, error: code ? `${code}: ${message}` : message };
}

/** The first bytes of an answer, for the message's events (never the whole thing). */
export async function bodyStart(res: Response, max = 500): Promise<string> {
  const text = await res.text().catch(() => '');
  return text.length > max ? text.slice(0, max) + '…' : text;
}

/** Runs `fn` over `items` with at most `limit` at once, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
