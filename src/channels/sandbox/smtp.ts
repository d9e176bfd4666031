import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { Pool } from '../../db/index.js';
import type { Logger } from '../../core/logger.js';
import { recordSandboxMessage } from './store.js';
import { listenSmtp, readMessage, smtpError, type RunningSmtpServer } from '../email/smtp-listen.js';
import { MESSAGE_ID_HEADER } from '../email/compose.js';

/** What `GET /v1/sandbox/messages` shows of `raw`: enough for any test or demo mail. */
const RAW_CAP = 1024 * 1024;
const MAX_BYTES = 25 * 1024 * 1024;
const ACCOUNT_ID = /^[A-Za-z0-9_]{1,64}$/;

export interface SandboxSmtpOptions {
  pool: Pool;
  log: Logger;
  /** 0 or unset: a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: the sink takes any password, so it must not face a network. */
  host?: string;
}

/**
 * The sandbox's stand-in for a mail provider: a real SMTP server that records what it receives
 * in sandbox_messages instead of delivering it. The sandbox smtp channel logs in with
 * user = its account id (any password); a second delivery of the same X-Conversa-Message-Id
 * counts as a duplicate, as a provider with idempotency keys would drop it.
 */
export async function startSandboxSmtp(opts: SandboxSmtpOptions): Promise<RunningSmtpServer> {
  const log = opts.log.child({ component: 'sandbox-smtp' });
  const server = new SMTPServer({
    name: 'sandbox.conversa.local',
    size: MAX_BYTES,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 5_000,
    onAuth(auth, _session, callback) {
      const user = auth.username ?? '';
      if (!ACCOUNT_ID.test(user)) return callback(smtpError(535, '5.7.8 The user name must be an account id'));
      callback(null, { user });
    },
    onData(stream, session, callback) {
      const accountId = session.user;
      const recipients = session.envelope.rcptTo.map((r) => r.address);
      store(stream, accountId, recipients).then(
        () => callback(null, `OK: queued as ${session.id}`),
        (err: unknown) => {
          if ((err as { responseCode?: number }).responseCode === 552) return callback(err as Error);
          log.error({ err, session_id: session.id }, 'sandbox smtp could not record a message');
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
  });

  async function store(stream: SMTPServerDataStream, accountId: string | undefined, recipients: string[]): Promise<void> {
    const { raw, tooBig } = await readMessage(stream, MAX_BYTES);
    if (tooBig || stream.sizeExceeded) throw smtpError(552, '5.3.4 Message too big');
    // authOptional is off, so smtp-server refused MAIL FROM before AUTH: this is defence in depth.
    if (!accountId) throw smtpError(530, '5.7.0 Authentication required');
    const mail = await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    const header = mail.headers.get(MESSAGE_ID_HEADER.toLowerCase());
    const messageId = typeof header === 'string' && header.trim() !== '' ? header.trim() : null;
    await recordSandboxMessage(opts.pool, {
      accountId,
      messageId,
      channelType: 'email',
      // One row per message: the store dedupes on the message id, so a row per recipient of the
      // same message would read as duplicates. Our provider sends one recipient per message.
      to: recipients.join(', '),
      subject: mail.subject ?? null,
      text: noNul(mail.text ?? ''),
      raw: noNul(raw.subarray(0, RAW_CAP).toString('utf8')),
    });
    log.debug({ account_id: accountId, message_id: messageId }, 'sandbox smtp recorded a message');
  }

  server.on('error', (err) => log.warn({ err }, 'sandbox smtp connection error'));
  return listenSmtp(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
}

/** PostgreSQL text cannot hold NUL; a binary part sent 8bit could carry one. */
function noNul(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}
