import type { ChannelRow } from '../sql.js';

/** Where this process's sandbox sinks listen (`conversa start` with CONVERSA_SANDBOX=1). */
export interface SandboxEndpoints {
  host: string;
  smtpPort: number;
  smscPort: number;
}

export const SANDBOX_CHANNEL_IDS = { email: 'sandbox_email', sms: 'sandbox_sms' } as const;

/**
 * The sandbox channels are not rows: they exist for every account while the sandbox runs and
 * point at the local sinks, authenticating as the account so the sink files what it receives
 * under that account. They speak the real protocols (SMTP, SMPP) through the real providers.
 */
export function sandboxChannel(accountId: string, id: string, sandbox: SandboxEndpoints): ChannelRow | undefined {
  const base = { account_id: accountId, id, cost_per_message: '0', sandbox: true, created_at: new Date(0), updated_at: new Date(0) };
  if (id === SANDBOX_CHANNEL_IDS.email) {
    return {
      ...base, name: 'Sandbox email', type: 'smtp', kind: 'email',
      config: { host: sandbox.host, port: sandbox.smtpPort, secure: false, auth: { user: accountId, pass: 'sandbox' }, from: 'Conversa Sandbox <sandbox@conversa.invalid>' },
    };
  }
  if (id === SANDBOX_CHANNEL_IDS.sms) {
    return {
      ...base, name: 'Sandbox SMS', type: 'smpp', kind: 'sms',
      config: { host: sandbox.host, port: sandbox.smscPort, system_id: accountId, password: 'sandbox', source_addr: 'Conversa', window: 50 },
    };
  }
  return undefined;
}
