import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMessage } from '../port.js';
import { SINGLE_ADDRESS } from './config.js';
import { verpAddress } from './verp.js';

/** What compose needs from the channel config, worked out once per connection. */
export interface ComposeSettings {
  /** config.from as given (may carry a display name). */
  from: string;
  /** The domain of the From address: the right side of our Message-IDs. */
  fromDomain: string;
  /** The return-path domain; set → VERP envelope sender. */
  bounceDomain?: string;
}

/** The header that carries our message id to the provider (the sandbox sink dedupes on it). */
export const MESSAGE_ID_HEADER = 'X-Conversa-Message-Id';

/**
 * Headers the DKIM signature covers: nodemailer's default list (RFC 6376 §5.4.1) plus the RFC 8058
 * one-click header, which mailbox providers only honour when it is signed, and our id header.
 */
export const DKIM_SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'Content-ID', 'Content-Description', 'Resent-Date', 'Resent-From', 'Resent-Sender',
  'Resent-To', 'Resent-Cc', 'Resent-Message-ID', 'In-Reply-To', 'References', 'List-Id', 'List-Help',
  'List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Subscribe', 'List-Post', 'List-Owner', 'List-Archive',
  MESSAGE_ID_HEADER,
].join(':');

// Headers a caller's `msg.headers` may not set: they are ours to write, or nodemailer's.
const RESERVED = new Set([
  'from', 'to', 'cc', 'bcc', 'subject', 'message-id', 'date', 'sender', 'return-path', 'mime-version',
  'content-type', 'content-transfer-encoding', 'dkim-signature', MESSAGE_ID_HEADER.toLowerCase(),
]);
const LIST_UNSUBSCRIBE = new Set(['list-unsubscribe', 'list-unsubscribe-post']);
// RFC 5322 field name: printable ASCII except ":".
const FIELD_NAME = /^[!-9;-~]{1,76}$/;

export class InvalidRecipient extends Error {}

/**
 * One OutgoingMessage → nodemailer's message options. Pure: no I/O, so the tests can read what
 * would be sent. Throws InvalidRecipient when `msg.to` is not one bare address.
 */
export function composeMail(msg: OutgoingMessage, s: ComposeSettings): SendMailOptions {
  // A bare string would let nodemailer read "a@x, b@y" as two recipients: one message, one address.
  if (!SINGLE_ADDRESS.test(msg.to)) throw new InvalidRecipient('to is not one email address');
  const headers: Record<string, string> = {};
  const oneClick = msg.category === 'marketing' && msg.links.unsubscribe !== undefined;
  for (const [name, value] of Object.entries(msg.headers)) {
    const key = name.toLowerCase();
    if (!FIELD_NAME.test(name) || RESERVED.has(key)) continue;
    if (oneClick && LIST_UNSUBSCRIBE.has(key)) continue;
    headers[name] = oneLine(value);
  }
  headers[MESSAGE_ID_HEADER] = msg.idempotencyKey ?? msg.id;
  if (oneClick) Object.assign(headers, unsubscribeHeaders(msg.links));

  const mail: SendMailOptions = {
    from: s.from,
    to: { name: '', address: msg.to },
    subject: msg.content.subject ?? '',
    text: msg.content.text,
    messageId: `<${msg.idempotencyKey ?? msg.id}@${s.fromDomain}>`,
    headers,
    attachments: msg.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.content_type,
      content: a.content,
      encoding: 'base64',
    })),
  };
  if (msg.content.html !== undefined) mail.html = msg.content.html;
  if (s.bounceDomain) mail.envelope = { from: verpAddress(msg.accountId, msg.id, s.bounceDomain), to: [msg.to] };
  return mail;
}

/** RFC 2369 `List-Unsubscribe` (URL, then mailto when there is one) and RFC 8058 one-click. */
export function unsubscribeHeaders(links: OutgoingMessage['links']): Record<string, string> {
  if (!links.unsubscribe) return {};
  const targets = [`<${oneLine(links.unsubscribe)}>`];
  if (links.unsubscribeMailto) targets.push(`<mailto:${oneLine(links.unsubscribeMailto).replace(/^mailto:/i, '')}>`);
  return {
    'List-Unsubscribe': targets.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** A header value may not break out into a header of its own. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
