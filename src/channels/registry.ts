import type { ChannelProvider } from './port.js';
import { parseAllowList } from '../core/ssrf.js';
import { smtpProvider } from './email/index.js';
import { smppProvider, createHttpSmsProvider } from './sms/index.js';
import { createWebPushProvider } from './push/index.js';
import { createVoiceProvider } from './voice/index.js';
import { createWebhookProvider } from './webhook/index.js';
import { dbUpdateProvider } from './db-update/index.js';

// Each provider narrows its own config type; the registry only hands a provider configs that
// were validated against that provider's own schema.
type AnyProvider = ChannelProvider<any>; // any: each provider narrows its own config type

/**
 * Every channel provider, by its `type`. Adding a provider is one file implementing
 * ChannelProvider (src/channels/port.ts) and one line here. Providers that reach user-configured
 * URLs are built with the operator's SSRF allow list (Config.ssrfAllow).
 */
function buildProviders(ssrfAllow: string[]): Map<string, AnyProvider> {
  const providers: AnyProvider[] = [
    smtpProvider,
    smppProvider,
    createHttpSmsProvider({ ssrfAllow }),
    createWebPushProvider({ ssrfAllow }),
    createVoiceProvider({ ssrfAllow }),
    createWebhookProvider({ ssrfAllow }),
    dbUpdateProvider,
  ];
  return new Map(providers.map((p) => [p.type, p]));
}

let byType = buildProviders(parseAllowList(process.env.CONVERSA_SSRF_ALLOW));

/** Rebuilds the providers with the process's configured allow list (called when the app starts). */
export function configureProviders(ssrfAllow: string[]): void {
  byType = buildProviders(ssrfAllow);
}

export function providerFor(type: string): ChannelProvider | undefined {
  return byType.get(type);
}

export function providerTypes(): string[] {
  return [...byType.keys()];
}
