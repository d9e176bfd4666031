import { resolveField, type Scope } from './paths.js';

/**
 * The part of Liquid the engine can do itself, purely: `{{ path }}` tags that name a value
 * (`event.data.date`, `contact.name`, `last.outcome`, `event.at`) with no filters or tags.
 *
 * Why here and not only in the worker: a flow that stores `{{ event.data.date }}` in a field and
 * then waits `until_field` on it must see the value in the same step, and the simulator too. A
 * string that is a single tag keeps the value's type (a score stays a number); tags inside text
 * are spliced as text. Anything else (filters, `{% %}`) is left untouched for the worker, which
 * renders it with the real template engine.
 */

const TAG = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;
const SINGLE_TAG = /^\s*\{\{\s*([A-Za-z_][\w.]*)\s*\}\}\s*$/;
const ANY_LIQUID = /\{\{|\{%/;

/** True when a string still holds Liquid the engine did not resolve. */
export const hasLiquid = (v: unknown): boolean => typeof v === 'string' && ANY_LIQUID.test(v);

export function interpolate(value: unknown, scope: Scope): unknown {
  if (typeof value !== 'string' || !ANY_LIQUID.test(value)) return value;
  const single = SINGLE_TAG.exec(value);
  if (single?.[1] !== undefined) return resolveField(single[1], scope) ?? null;
  const spliced = value.replace(TAG, (_tag, path: string) => asText(resolveField(path, scope)));
  // Something more than plain tags (a filter, a {% %} block): all of it is the worker's.
  return ANY_LIQUID.test(spliced) ? value : spliced;
}

export function interpolateAll(values: Record<string, unknown>, scope: Scope): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, interpolate(v, scope)]));
}

function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A URL with its `{{ path }}` tags filled in, each value percent-encoded (an id in a path stays one segment). */
export function interpolateUrl(url: string, scope: Scope): string {
  return url.replace(TAG, (_tag, path: string) => encodeURIComponent(asText(resolveField(path, scope))));
}

/** Tags filled in everywhere inside a JSON value (an HTTP node's body). */
export function interpolateDeep(value: unknown, scope: Scope): unknown {
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, interpolateDeep(v, scope)]));
  }
  return interpolate(value, scope);
}
