import nodemailer from 'nodemailer';
import type { ChannelConnection, ChannelContext, ChannelProvider, OutgoingMessage, SendOutcome } from '../port.js';
import {
  DEFAULT_POOL_SIZE, SMTP_SECRETS, SmtpConfigSchema, domainOf, fromAddress, returnPathDomain, validateSmtpConfig,
  type SmtpConfig,
} from './config.js';
import { DKIM_SIGNED_HEADERS, InvalidRecipient, composeMail, type ComposeSettings } from './compose.js';
import { classifySmtpError } from './smtp-errors.js';

/** Messages per send() call: all go out concurrently, at most pool_size at a time. */
const MAX_BATCH = 50;

/**
 * The `smtp` provider (kind `email`): one pooled nodemailer transport per connection, DKIM
 * signed, VERP envelope sender when `return_path` is set (bounces come back to bounces.ts).
 */
export const smtpProvider: ChannelProvider<SmtpConfig> = {
  type: 'smtp',
  kind: 'email',
  configSchema: SmtpConfigSchema,
  secrets: SMTP_SECRETS,
  maxBatch: MAX_BATCH,
  validateConfig: validateSmtpConfig,
  rateLimit: (config) => config.mps,
  connect: async (config, ctx) => connectSmtp(config, ctx),
};

type SmtpTransport = ReturnType<typeof createPooledTransport>;

function createPooledTransport(config: SmtpConfig) {
  return nodemailer.createTransport({
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
    maxConnections: config.pool_size ?? DEFAULT_POOL_SIZE,
    // Fail a dead server in seconds, not nodemailer's minutes: the message is retried anyway.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    // Only our composed content goes out: never a file path or URL nodemailer would fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
    // nodemailer's own logger would print addresses and server replies: ours logs ids only.
    logger: false,
    ...(config.dkim
      ? {
          dkim: {
            domainName: config.dkim.domain,
            keySelector: config.dkim.selector,
            privateKey: config.dkim.private_key,
            headerFieldNames: DKIM_SIGNED_HEADERS,
          },
        }
      : {}),
  });
}

export async function connectSmtp(config: SmtpConfig, ctx: Pick<ChannelContext, 'log' | 'channelId'>): Promise<ChannelConnection> {
  const from = fromAddress(config.from);
  if (!from) throw new Error('smtp channel: config.from is not an address'); // validateConfig ran on save
  const settings: ComposeSettings = {
    from: config.from,
    fromDomain: domainOf(from),
    ...(config.return_path ? { bounceDomain: returnPathDomain(config.return_path) } : {}),
  };
  const transport = createPooledTransport(config);
  const log = ctx.log.child({ channel_id: ctx.channelId, provider: 'smtp' });
  // An 'error' event with no listener would crash the process; a broken pooled connection is
  // already reported per message by sendMail, so this only logs.
  transport.on('error', (err: { code?: string }) => log.warn({ code: err.code }, 'smtp transport error'));

  return {
    async send(batch, signal) {
      // Once a message is handed to the pool it cannot be recalled, so the signal is only
      // honoured before anything went out: the whole batch is then retried.
      if (signal.aborted) return batch.map((m) => ({ id: m.id, status: 'failed', transient: true, error: 'aborted before sending' }));
      return Promise.all(batch.map((m) => sendOne(transport, settings, m, log)));
    },
    async close() {
      transport.close();
    },
  };
}

async function sendOne(transport: SmtpTransport, settings: ComposeSettings, msg: OutgoingMessage, log: ChannelContext['log']): Promise<SendOutcome> {
  let mail;
  try {
    mail = composeMail(msg, settings);
  } catch (err) {
    if (err instanceof InvalidRecipient) return { id: msg.id, status: 'failed', transient: false, error: err.message };
    throw err;
  }
  try {
    const info = await transport.sendMail(mail);
    return { id: msg.id, status: 'sent', providerIds: [providerId(info.response, info.messageId)] };
  } catch (err) {
    const { transient, error } = classifySmtpError(err);
    const e = err as { code?: string; responseCode?: number };
    // Ids and codes only: the server's reply may quote the address.
    log.warn({ message_id: msg.id, code: e.code, response_code: e.responseCode, transient }, 'smtp send failed');
    return { id: msg.id, status: 'failed', transient, error };
  }
}

/**
 * The server's queue id (`250 2.0.0 Ok: queued as 4F8X1A2B3C`) names the message in its logs and
 * in some bounces; without one the Message-ID (no angle brackets) does.
 */
export function providerId(response: string | undefined, messageId: string): string {
  const queued = /queued as ([A-Za-z0-9._-]+)/i.exec(response ?? '');
  return queued?.[1] ?? messageId.replace(/^<|>$/g, '');
}
