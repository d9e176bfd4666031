import Value from 'typebox/value';
import type { TSchema } from 'typebox';
import { AppError } from '../core/errors.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a channel config against its provider's schema; 422 naming `config.<path>`. */
export function checkConfig(schema: TSchema, config: unknown): void {
  const errors = [...Value.Errors(schema, config)];
  if (errors.length === 0) return;
  const details = errors
    .filter((e) => e.keyword !== 'boolean')
    .map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperties?: unknown }).additionalProperties ?? '')})` : '';
      return { field: 'config' + e.instancePath.replace(/\//g, '.'), message: e.message + extra };
    });
  const first = details[0] ?? { field: 'config', message: 'invalid' };
  throw new AppError(422, 'invalid_request', `${first.field}: ${first.message}`, details);
}

/** A copy of `config` with the secret paths masked (`auth.pass`; `headers.*` masks every header value). */
export function withoutSecrets(config: Obj, secrets: readonly string[]): Obj {
  const copy = structuredClone(config);
  for (const path of secrets) {
    const parts = path.split('.');
    let node: unknown = copy;
    for (const p of parts.slice(0, -1)) node = isObj(node) ? node[p] : undefined;
    if (!isObj(node)) continue;
    const last = parts[parts.length - 1]!;
    const keys = last === '*' ? Object.keys(node) : last in node ? [last] : [];
    for (const k of keys) node[k] = SECRET_MASK;
  }
  return copy;
}

export const SECRET_MASK = '********';

/**
 * PATCH semantics for a config: objects merge, other values replace. A secret sent back as the
 * mask `********` keeps its stored value, so a client can round-trip what GET returned.
 */
export function mergeConfig(stored: Obj, patch: Obj): Obj {
  const out: Obj = { ...stored };
  for (const [k, v] of Object.entries(patch)) {
    if (v === SECRET_MASK) continue;
    const prev = out[k];
    out[k] = isObj(v) && isObj(prev) ? mergeConfig(prev, v) : v;
  }
  return out;
}
