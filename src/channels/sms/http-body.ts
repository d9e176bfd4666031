import { Liquid, type Template } from 'liquidjs';

/**
 * The request body of an HTTP SMS provider, rendered from the channel's Liquid template with the
 * variables `to` (E.164), `text`, `id` (our message id: the provider's idempotency key), `from`
 * (when configured) and `callback_url` (where the provider posts delivery receipts).
 *
 * Output is escaped for the body's format, so a message text cannot break the request:
 * - JSON bodies (a `Content-Type` header naming json, or a template starting with `{` or `[`):
 *   `{{ text }}` is escaped for use INSIDE a JSON string literal — write `"text": "{{ text }}"`.
 *   The `json` filter emits a complete JSON value, quotes included — `"text": {{ text | json }}`.
 * - Any other body with no Content-Type header, and every GET query: form-urlencoded, so
 *   `{{ x }}` is percent-encoded — write `to={{ to }}&text={{ text }}`.
 * - A Content-Type that is neither JSON nor form: no escaping.
 * `| raw` as the last filter turns the escaping off for one output.
 */
export type BodyFormat = 'json' | 'form' | 'other';

export interface BodyVariables {
  to: string;
  text: string;
  id: string;
  from?: string;
  callback_url: string;
}

const jsonStringEscape = (v: unknown): string => JSON.stringify(String(v ?? '')).slice(1, -1);
const formEscape = (v: unknown): string => encodeURIComponent(String(v ?? ''));

function engine(escape?: (v: unknown) => string): Liquid {
  // ownPropertyOnly: a template reads the variables it is given, never prototype properties.
  const liquid = new Liquid({ ownPropertyOnly: true, strictFilters: true, ...(escape ? { outputEscape: escape } : {}) });
  // raw: its output is already a JSON value and must not be escaped again.
  liquid.registerFilter('json', { handler: (v: unknown) => JSON.stringify(v ?? null), raw: true });
  return liquid;
}

const ENGINES: Record<BodyFormat, Liquid> = {
  json: engine(jsonStringEscape),
  form: engine(formEscape),
  other: engine(),
};

/** The value of a header, matched case-insensitively. */
export function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers![key];
}

/** Which escaping a body gets, from its Content-Type header, else from the template's shape. */
export function bodyFormat(template: string, method: string, headers?: Record<string, string>): BodyFormat {
  if (method === 'GET') return 'form';
  const type = headerValue(headers, 'content-type')?.toLowerCase();
  if (type) return type.includes('json') ? 'json' : type.includes('x-www-form-urlencoded') ? 'form' : 'other';
  return /^\s*[[{]/.test(template) ? 'json' : 'form';
}

export const CONTENT_TYPES: Record<BodyFormat, string | undefined> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  other: undefined,
};

/** Parses a body template; throws liquidjs's error (with line and column) when it is malformed. */
export function parseBody(template: string, format: BodyFormat): Template[] {
  return ENGINES[format].parse(template);
}

export async function renderBody(templates: Template[], format: BodyFormat, vars: BodyVariables): Promise<string> {
  return ENGINES[format].render(templates, { ...vars }) as Promise<string>;
}
