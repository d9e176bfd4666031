/**
 * The console's one door to the API: same-origin fetch with the session cookie, the CSRF token
 * on every state-changing call, and the API's error shape turned into an ApiError.
 */

export interface ErrorDetail {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message for one field (matches `fields[2].type` and `body.fields[2].type`). */
  detailFor(field: string): string | undefined {
    return this.details.find((d) => d.field === field || d.field === `body.${field}`)?.message;
  }
}

let csrfToken = '';
const unauthorizedListeners = new Set<() => void>();

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when any call answers 401: the session ended, the app shows the login page. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  query?: Query;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (CSV text, a File or a Blob) sent with `contentType`. */
  body?: BodyInit;
  contentType?: string;
  signal?: AbortSignal;
  /** Extra headers (`Idempotency-Key`…); they cannot replace the CSRF token or the body's content type. */
  headers?: Record<string, string>;
  /** Do not broadcast a 401 (the session probe and the login call handle it themselves). */
  quiet401?: boolean;
}

const SAFE = new Set(['GET', 'HEAD']);

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return `/v1${path}${qs ? `?${qs}` : ''}`;
}

/** Sends a request and returns the raw Response when it succeeded; throws ApiError otherwise. */
export async function request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  // The caller's headers first (lower-cased, as fetch would), then ours on top of them.
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value;
  if (!SAFE.has(method)) headers['x-csrf-token'] = csrfToken;
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.body !== undefined) {
    body = opts.body;
    if (opts.contentType) headers['content-type'] = opts.contentType;
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  if (res.ok) return res;
  const error = await readError(res);
  if (res.status === 401 && !opts.quiet401) unauthorizedListeners.forEach((l) => l());
  throw error;
}

async function readError(res: Response): Promise<ApiError> {
  try {
    const payload = (await res.json()) as { error?: { code?: string; message?: string; details?: ErrorDetail[] } };
    const e = payload.error;
    if (e) return new ApiError(res.status, e.code ?? 'error', e.message ?? res.statusText, Array.isArray(e.details) ? e.details : []);
  } catch {
    // Not JSON (a proxy's error page): fall through to the status line.
  }
  return new ApiError(res.status, 'http_error', `${res.status} ${res.statusText || 'request failed'}`);
}

async function json<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: async <T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> => json<T>(await request('GET', path, { query, signal })),
  post: async <T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> => json<T>(await request('POST', path, { ...opts, json: body })),
  put: async <T>(path: string, body: unknown): Promise<T> => json<T>(await request('PUT', path, { json: body })),
  patch: async <T>(path: string, body: unknown): Promise<T> => json<T>(await request('PATCH', path, { json: body })),
  delete: async (path: string): Promise<void> => {
    await request('DELETE', path);
  },
};

/** Fetches a file with the session cookie and hands it to the browser as a download. */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const res = await request('GET', path);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL is revoked.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
