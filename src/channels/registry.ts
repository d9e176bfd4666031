import type { ChannelProvider } from './port.js';
import { smtpProvider } from './email/index.js';
import { smppProvider, httpSmsProvider } from './sms/index.js';
import { webPushProvider } from './push/index.js';
import { voiceProvider } from './voice/index.js';
import { webhookProvider } from './webhook/index.js';
import { dbUpdateProvider } from './db-update/index.js';

/**
 * Every channel provider, by its `type`. Adding a provider is one file implementing
 * ChannelProvider (src/channels/port.ts) and one line here.
 */
// Each provider narrows its own config type; the registry only hands a provider configs that
// were validated against that provider's own schema.
type AnyProvider = ChannelProvider<any>; // any: each provider narrows its own config type
const PROVIDERS: AnyProvider[] = [
  smtpProvider,
  smppProvider,
  httpSmsProvider,
  webPushProvider,
  voiceProvider,
  webhookProvider,
  dbUpdateProvider,
];

const BY_TYPE = new Map(PROVIDERS.map((p) => [p.type, p]));

export function providerFor(type: string): ChannelProvider | undefined {
  return BY_TYPE.get(type);
}

export function providerTypes(): string[] {
  return [...BY_TYPE.keys()];
}
