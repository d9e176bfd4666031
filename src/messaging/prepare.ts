import type { Category, ChannelKind, RenderedContent } from '../channels/port.js';
import type { AttachmentRef } from './attachments.js';
import type { ChannelRow } from '../channels/sql.js';
import { smsInfo } from '../templates/index.js';
import type { PolicyDecision } from './policy/decide.js';
import { newTrackingToken, trackContent, unsubscribeLinks } from './tracking/index.js';
import type { Recipient } from './compose.js';
import type { MessageStatus } from './status.js';
import type { NewMessage } from './sql/messages.js';

const TRACKED: ReadonlySet<ChannelKind> = new Set(['email', 'sms', 'push']);

export interface TokenRow {
  token: string;
  kind: 'link' | 'open' | 'unsubscribe';
  url: string | null;
}

/** A message ready to be written: its row, its tracking tokens, when it is due. */
export interface PreparedMessage {
  message: NewMessage;
  tokens: TokenRow[];
  dueAt: Date | null;
  /** The real content sealed for the provider when the row keeps a masked one (OTP codes). */
  sealed?: Buffer;
}

/** The unsubscribe token and links of a message to a contact (before rendering: templates show `unsubscribe_url`). */
export function unsubscribeFor(recipient: Recipient, publicUrl: string): { tokens: TokenRow[]; links: Record<string, string> } {
  if (!recipient.contactId) return { tokens: [], links: {} };
  const token = newTrackingToken();
  return { tokens: [{ token, kind: 'unsubscribe', url: null }], links: { ...unsubscribeLinks(publicUrl, token) } };
}

/**
 * Pure: after rendering and the policy gate, the message row — tracked links for a message that
 * will go out, its status from the decision (suppressed messages are kept, with their reason).
 */
export function prepareMessage(a: {
  accountId: string;
  id: string;
  channel: ChannelRow;
  recipient: Recipient;
  content: RenderedContent;
  templateId: string | null;
  templateName: string | null;
  decision: PolicyDecision;
  category: Category;
  data: Record<string, unknown>;
  attachments: AttachmentRef[];
  unsubscribe: { tokens: TokenRow[]; links: Record<string, string> };
  publicUrl: string;
  source: Record<string, unknown> | null;
  /** Rewrite links for click tracking (default true; OTP messages are never rewritten). */
  track?: boolean;
}): PreparedMessage {
  const kind = a.channel.kind as ChannelKind;
  // Email carries the unsubscribe link in its headers; other kinds only when the template showed
  // `unsubscribe_url` — an SMS without it needs no token row.
  const shown = (t: TokenRow) => kind === 'email' || a.content.text.includes(t.token) || !!a.content.html?.includes(t.token);
  const tokens = a.unsubscribe.tokens.filter(shown);
  const links = tokens.length ? a.unsubscribe.links : {};
  let content = a.content;
  if (a.decision.decision !== 'suppress' && a.track !== false && TRACKED.has(kind)) {
    const tracked = trackContent(content, kind, {
      publicUrl: a.publicUrl, newToken: newTrackingToken, track: true,
      utm: { source: 'conversa', medium: kind, campaign: a.templateName ?? 'message' },
    });
    content = tracked.content;
    tokens.push(...tracked.tokens);
  }
  const status: MessageStatus = a.decision.decision === 'suppress' ? 'suppressed' : a.decision.decision === 'defer' ? 'deferred' : 'queued';
  const dueAt = a.decision.decision === 'defer' ? a.decision.due_at : null;
  return {
    message: {
      accountId: a.accountId, id: a.id, contactId: a.recipient.contactId, channelId: a.channel.id, channelType: kind,
      to: a.recipient.address, category: a.category, templateId: a.templateId, content, data: a.data,
      attachments: a.attachments, links, status,
      policy: { ...a.decision, ...(dueAt ? { due_at: dueAt.toISOString() } : {}) },
      segments: kind === 'sms' ? smsInfo(content.text).segments : 1,
      source: a.source,
    },
    tokens,
    dueAt,
  };
}
