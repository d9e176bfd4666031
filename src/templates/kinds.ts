import { CHANNEL_KINDS, type ChannelKind } from '../channels/port.js';
import { invalid } from '../core/errors.js';

/**
 * Templates are written for a channel *kind*. Callers who think in providers may name the
 * provider type instead; it is stored as its kind, so one SMS template serves SMPP and HTTP SMS.
 */
const PROVIDER_ALIASES: Readonly<Record<string, ChannelKind>> = {
  smtp: 'email',
  smpp: 'sms',
  http_sms: 'sms',
  web_push: 'push',
};

export function templateKind(value: string, field = 'channel_type'): ChannelKind {
  const v = value.trim().toLowerCase();
  const kind = (CHANNEL_KINDS as readonly string[]).includes(v) ? (v as ChannelKind) : PROVIDER_ALIASES[v];
  if (!kind) throw invalid(field, `"${value}" is not a channel type (${CHANNEL_KINDS.join(', ')}; or smtp, smpp, http_sms, web_push)`);
  return kind;
}
