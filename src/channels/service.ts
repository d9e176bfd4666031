import type { Queryable } from '../db/index.js';
import { AppError, invalid, notFound } from '../core/errors.js';
import { checkConfig, mergeConfig, withoutSecrets } from './config.js';
import { toChannelKind } from './kinds.js';
import { providerFor, providerTypes } from './registry.js';
import type { ChannelKind, ChannelProvider } from './port.js';
import { defaultChannel, getChannel, type ChannelRow } from './sql.js';
import { SANDBOX_CHANNEL_IDS, sandboxChannel, type SandboxEndpoints } from './sandbox/channels.js';

export function providerOf(type: string, field = 'type'): ChannelProvider {
  const p = providerFor(type);
  if (!p) throw invalid(field, `unknown channel type "${type}"; one of ${providerTypes().join(', ')}`);
  return p;
}

/** Checks a full config (schema, then the provider's own checks such as SSRF). */
export async function validateChannelConfig(provider: ChannelProvider, config: Record<string, unknown>): Promise<void> {
  checkConfig(provider.configSchema, config);
  await provider.validateConfig?.(config);
}

/** A new channel's config: the provider fills in generated parts (keys, hook secrets) first. */
export async function prepareNewConfig(provider: ChannelProvider, config: Record<string, unknown>): Promise<Record<string, unknown>> {
  const prepared = (await provider.prepareConfig?.(config)) ?? config;
  await validateChannelConfig(provider, prepared);
  return prepared;
}

export async function patchedConfig(provider: ChannelProvider, stored: Record<string, unknown>, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
  const merged = mergeConfig(stored, patch);
  await validateChannelConfig(provider, merged);
  return merged;
}

export function channelView(c: ChannelRow) {
  const provider = providerFor(c.type);
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    channel_type: c.kind,
    config: withoutSecrets(c.config, provider?.secrets ?? []),
    cost_per_message: Number(c.cost_per_message),
    sandbox: c.sandbox,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

export function parseCost(v: number | undefined, field = 'cost_per_message'): string | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v < 0 || v > 1_000_000) throw invalid(field, 'must be a number ≥ 0');
  return v.toFixed(6);
}

/**
 * The channel a send goes through: the one named, or the newest of the kind, or — when the
 * sandbox runs and the account configured none of that kind — the sandbox channel.
 */
export async function resolveChannel(
  db: Queryable,
  accountId: string,
  want: { channel_id?: string; channel_type?: string },
  sandbox: SandboxEndpoints | undefined,
): Promise<ChannelRow> {
  if (want.channel_id) {
    const c = await loadChannel(db, accountId, want.channel_id, sandbox);
    if (!c) throw new AppError(422, 'invalid_request', `channel_id: channel "${want.channel_id}" not found`, [{ field: 'channel_id', message: 'not found' }]);
    return c;
  }
  if (!want.channel_type) throw invalid('channel_id', 'give channel_id or channel_type');
  const kind: ChannelKind = toChannelKind(want.channel_type);
  const c = await defaultChannel(db, accountId, kind);
  if (c) return c;
  const sandboxId = kind === 'email' ? SANDBOX_CHANNEL_IDS.email : kind === 'sms' ? SANDBOX_CHANNEL_IDS.sms : undefined;
  if (sandbox && sandboxId) return sandboxChannel(accountId, sandboxId, sandbox)!;
  throw invalid('channel_type', `no ${kind} channel is configured (POST /v1/channels)`);
}

/** A channel by id, sandbox channels included; undefined when unknown to this account. */
export async function loadChannel(db: Queryable, accountId: string, id: string, sandbox: SandboxEndpoints | undefined): Promise<ChannelRow | undefined> {
  if (id.startsWith('sandbox_')) return sandbox ? sandboxChannel(accountId, id, sandbox) : undefined;
  return getChannel(db, accountId, id);
}

export async function requireChannel(db: Queryable, accountId: string, id: string): Promise<ChannelRow> {
  const c = await getChannel(db, accountId, id);
  if (!c) throw notFound('channel');
  return c;
}
