import { invalid } from '../core/errors.js';
import { CHANNEL_KINDS, type ChannelKind } from './port.js';

/** Provider names accepted where a kind is expected (`channel_type: "smtp"` means email). */
const ALIASES: Record<string, ChannelKind> = {
  smtp: 'email', smpp: 'sms', http_sms: 'sms', web_push: 'push',
};

export function isChannelKind(s: string): s is ChannelKind {
  return (CHANNEL_KINDS as readonly string[]).includes(s);
}

/** A `channel_type` from the API as a kind; 422 naming `field` when it is neither a kind nor a provider. */
export function toChannelKind(value: string, field = 'channel_type'): ChannelKind {
  if (isChannelKind(value)) return value;
  const alias = ALIASES[value];
  if (alias) return alias;
  throw invalid(field, `unknown channel type "${value}"; one of ${CHANNEL_KINDS.join(', ')}`);
}
