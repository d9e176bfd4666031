import type { AddressObject, Attachment, HeaderValue, ParsedMail, StructuredHeader } from 'mailparser';
import { parseFieldBlocks, parseHeaderSection, typedValue } from './report-fields.js';
import { isId, parseVerp } from './verp.js';

export type BounceDetail = {
  /** hard: the address is dead (suppress); soft: try again later. */
  class: 'hard' | 'soft';
  /** RFC 3463 enhanced status code, e.g. `5.1.1`. */
  status: string;
  diagnostic?: string;
  recipient?: string;
  reporting_mta?: string;
};

export type ComplaintDetail = {
  /** RFC 5965 Feedback-Type: abuse, fraud, virus, other. */
  feedback_type: string;
  recipient?: string;
  user_agent?: string;
};

export type ClassifiedReport =
  | { accountId: string; messageId: string; type: 'bounced'; detail: BounceDetail }
  | { accountId: string; messageId: string; type: 'complained'; detail: ComplaintDetail };

// Feedback types that mean "the recipient did not want this". `not-spam` is the opposite, and
// `auth-failure` (RFC 6591) is about our DKIM/SPF, not about the recipient.
const COMPLAINT_TYPES = new Set(['abuse', 'fraud', 'virus', 'other']);
const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ORIGINAL_TYPES = new Set(['text/rfc822-headers', 'message/rfc822', 'message/global', 'message/global-headers']);

/**
 * A parsed inbound mail → the bounce or complaint it reports, or null (not a report, a warning
 * that delivery is merely delayed, or no way to tell which of our messages it is about). Pure.
 *
 * `mail` must come from parseInbound() (mailparser with `keepDeliveryStatus`, which keeps the
 * report part as an attachment instead of folding it into the text). `envelopeRecipients` are
 * the RCPT TO addresses: the VERP address is most reliably there.
 *
 * The account always comes from a VERP address (ours, so it is trusted as much as the message id
 * in it); the message id from it too, else from the returned original's headers.
 */
export function classifyReport(mail: ParsedMail, envelopeRecipients: readonly string[] = []): ClassifiedReport | null {
  const reportType = multipartReportType(mail.headers.get('content-type'));
  if (!reportType) return null;
  const original = findPart(mail, ORIGINAL_TYPES);
  const originalHeaders = original ? parseHeaderSection(original.content.toString('utf8')) : undefined;

  if (reportType === 'delivery-status') {
    const part = findPart(mail, DELIVERY_STATUS_TYPES);
    if (!part) return null;
    const [perMessage = new Map<string, string>(), ...perRecipient] = parseFieldBlocks(part.content.toString('utf8'));
    const failed = perRecipient.find(isFailure);
    // `delayed` (the remote MTA is still trying), `delivered`, `relayed`, `expanded`: nothing failed.
    if (!failed) return null;
    const who = identify(mail, envelopeRecipients, [perMessage], originalHeaders);
    if (!who) return null;
    return { ...who, type: 'bounced', detail: bounceDetail(failed, perMessage) };
  }

  if (reportType === 'feedback-report') {
    const part = findPart(mail, new Set(['message/feedback-report']));
    if (!part) return null;
    const fields = parseFieldBlocks(part.content.toString('utf8'))[0] ?? new Map<string, string>();
    const feedbackType = (fields.get('feedback-type') ?? 'abuse').toLowerCase();
    if (!COMPLAINT_TYPES.has(feedbackType)) return null;
    const who = identify(mail, envelopeRecipients, [fields], originalHeaders);
    if (!who) return null;
    const detail: ComplaintDetail = { feedback_type: feedbackType };
    const recipient = bareAddress(fields.get('original-rcpt-to') ?? originalHeaders?.get('to'));
    if (recipient) detail.recipient = recipient;
    const agent = fields.get('user-agent');
    if (agent) detail.user_agent = agent;
    return { ...who, type: 'complained', detail };
  }
  return null;
}

function multipartReportType(value: HeaderValue | undefined): string | null {
  if (!value || typeof value !== 'object' || !('value' in value) || !('params' in value)) return null;
  const { value: type, params } = value as StructuredHeader;
  if (typeof type !== 'string' || type.toLowerCase() !== 'multipart/report') return null;
  return (params['report-type'] ?? '').toLowerCase() || null;
}

function findPart(mail: ParsedMail, types: ReadonlySet<string>): Attachment | undefined {
  return mail.attachments.find((a) => types.has(a.contentType.toLowerCase()));
}

function isFailure(fields: Map<string, string>): boolean {
  const action = fields.get('action')?.toLowerCase();
  if (action) return action === 'failed';
  // No Action field (a sloppy MTA): a 4.x.x or 5.x.x status still says it failed.
  return /^[45]\./.test(fields.get('status') ?? '');
}

function bounceDetail(fields: Map<string, string>, perMessage: Map<string, string>): BounceDetail {
  const diagnostic = typedValue(fields.get('diagnostic-code'));
  const status = /\b([245])\.\d{1,3}\.\d{1,3}\b/.exec(fields.get('status') ?? '');
  // Without an enhanced status, the SMTP reply in Diagnostic-Code (`550 …`, `452 …`) decides.
  const reply = /^([45])\d\d\b/.exec(diagnostic ?? '');
  const digit = status?.[1] ?? reply?.[1] ?? '5';
  const detail: BounceDetail = {
    class: digit === '4' ? 'soft' : 'hard',
    status: status?.[0] ?? `${digit === '4' ? '4' : '5'}.0.0`,
  };
  if (diagnostic) detail.diagnostic = diagnostic.slice(0, 1000);
  const recipient = bareAddress(typedValue(fields.get('final-recipient')) ?? typedValue(fields.get('original-recipient')));
  if (recipient) detail.recipient = recipient;
  const mta = typedValue(perMessage.get('reporting-mta'));
  if (mta) detail.reporting_mta = mta;
  return detail;
}

function identify(
  mail: ParsedMail, envelope: readonly string[], reportFields: Map<string, string>[], original: Map<string, string> | undefined,
): { accountId: string; messageId: string } | null {
  const candidates: (string | undefined)[] = [
    ...envelope,
    ...headerStrings(mail.headers.get('delivered-to')),
    ...headerStrings(mail.headers.get('x-original-to')),
    ...addresses(mail.to),
    ...reportFields.flatMap((f) => [f.get('original-mail-from'), f.get('x-postfix-sender')]),
    original?.get('return-path'),
  ];
  let verp: ReturnType<typeof parseVerp> = null;
  for (const c of candidates) {
    verp = c ? parseVerp(c) : null;
    if (verp) break;
  }
  if (!verp) return null;
  const messageId = verp.messageId ?? originalMessageId(original);
  return messageId ? { accountId: verp.accountId, messageId } : null;
}

/** Our id in the returned original: X-Conversa-Message-Id, else the local part of our Message-ID. */
function originalMessageId(headers: Map<string, string> | undefined): string | undefined {
  const direct = headers?.get('x-conversa-message-id')?.trim();
  if (direct && isId(direct)) return direct;
  const local = /^<?([^@>\s]+)@/.exec(headers?.get('message-id')?.trim() ?? '')?.[1];
  return local && isId(local) ? local : undefined;
}

function headerStrings(value: HeaderValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function addresses(to: AddressObject | AddressObject[] | undefined): string[] {
  if (!to) return [];
  return (Array.isArray(to) ? to : [to]).flatMap((o) => o.value.map((v) => v.address ?? ''));
}

function bareAddress(value: string | undefined): string | undefined {
  const m = /<?([^<>\s;]+@[^<>\s;]+)>?/.exec(value ?? '');
  return m?.[1]?.toLowerCase();
}
