import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Logger } from '../../core/logger.js';
import type { ProviderReport } from '../port.js';
import { classifyReport } from './classify.js';
import { listenSmtp, readMessage, smtpError, type RunningSmtpServer } from './smtp-listen.js';
import { isBounceMailbox } from './verp.js';

export { classifyReport, type ClassifiedReport, type BounceDetail, type ComplaintDetail } from './classify.js';

/** A DSN quotes at most the original message; 10 MB leaves room for one with attachments. */
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export interface BounceReceiverOptions {
  /** 0 picks a free port (tests); production puts it behind the return-path domain's MX on 25. */
  port: number;
  host?: string;
  log: Logger;
  /** Records the event (the integrator: hard bounce/complaint → suppression; soft → retry). */
  report: (r: ProviderReport) => Promise<void>;
  maxBytes?: number;
  /** Offer STARTTLS with this certificate; without it STARTTLS is not offered. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** The name in the greeting; defaults to the host name. */
  name?: string;
}

/** mailparser as classifyReport needs it: the report part kept as an attachment, no HTML work. */
export function parseInbound(raw: Buffer | string): Promise<ParsedMail> {
  return simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
}

/**
 * The SMTP server the return-path domain's MX points at. It takes mail for `bounce` and
 * `bounce+…` only, reads DSNs (RFC 3464) and ARF complaints (RFC 5965), and reports each as an
 * event on the message it names. Anything else is accepted and dropped (rejecting it would only
 * make the remote MTA send a bounce of the bounce).
 */
export async function startBounceReceiver(opts: BounceReceiverOptions): Promise<RunningSmtpServer> {
  const log = opts.log.child({ component: 'bounce-receiver' });
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const server = new SMTPServer({
    ...(opts.name ? { name: opts.name } : {}),
    size: maxBytes,
    authOptional: true,
    disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 5_000,
    onRcptTo(address, _session, callback) {
      if (isBounceMailbox(address.address)) callback();
      else callback(smtpError(550, '5.1.1 No such mailbox here'));
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(),
        (err: unknown) => {
          if ((err as { responseCode?: number }).responseCode === 552) return callback(err as Error);
          log.error({ err, session_id: session.id }, 'bounce could not be recorded');
          // 451: the remote MTA keeps the report and tries again later; nothing is lost.
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
  });

  /** One inbound mail: parse, classify, report. Resolves when done or dropped; throws → 4xx/5xx. */
  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const { raw, tooBig } = await readMessage(stream, maxBytes);
    if (tooBig || stream.sizeExceeded) throw smtpError(552, '5.3.4 Message too big');
    let parsed: ParsedMail;
    try {
      parsed = await parseInbound(raw);
    } catch {
      log.warn({ session_id: session.id, bytes: raw.length }, 'unparsable mail to the bounce domain dropped');
      return;
    }
    const report = classifyReport(parsed, session.envelope.rcptTo.map((r) => r.address));
    if (!report) {
      log.info({ session_id: session.id }, 'mail to the bounce domain is not a final bounce or complaint; dropped');
      return;
    }
    await opts.report({ accountId: report.accountId, messageId: report.messageId, type: report.type, detail: report.detail, at: new Date() });
    log.info({ account_id: report.accountId, message_id: report.messageId, type: report.type }, 'bounce report recorded');
  }

  server.on('error', (err) => log.warn({ err }, 'bounce receiver connection error'));
  return listenSmtp(server, opts.port, opts.host ?? '0.0.0.0');
}
