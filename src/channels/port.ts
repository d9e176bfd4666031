import type { TSchema } from 'typebox';
import type { Pool } from '../db/index.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';

/**
 * The one port every channel provider implements (DESIGN.md, "Channels are adapters behind one
 * port"). A provider is one file; adding it to `registry.ts` is one line.
 *
 * A channel *kind* is what the message is (email, sms, …): templates, policy windows and
 * `channel_type` in the API use kinds. A channel *type* is the provider behind it (smtp, smpp,
 * http_sms, …): `POST /v1/channels {type}` uses types.
 */
export type ChannelKind = 'email' | 'sms' | 'push' | 'voice' | 'webhook' | 'db_update';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['email', 'sms', 'push', 'voice', 'webhook', 'db_update'];

export type Category = 'transactional' | 'marketing';

/** What a template rendered into, per kind. Only `text` is always there. */
export interface RenderedContent {
  subject?: string;
  html?: string;
  text: string;
  /** voice: an audio file to play instead of speaking `text`. */
  audio_url?: string;
  /** db_update: the contact fields to set. */
  fields?: Record<string, unknown>;
}

export interface Attachment {
  filename: string;
  content_type: string;
  /** base64 */
  content: string;
}

/** One message handed to a provider. `id` is the idempotency key all the way to the provider. */
export interface OutgoingMessage {
  id: string;
  /**
   * The key a provider that deduplicates should see: `id`, except for a message sent again after
   * a soft bounce (`<id>.r<n>`), which the provider must not drop as a repeat.
   */
  idempotencyKey?: string;
  accountId: string;
  contactId: string | null;
  /** The address: an email, an E.164 phone, a push subscription endpoint, a URL, a contact id. */
  to: string;
  category: Category;
  content: RenderedContent;
  attachments: Attachment[];
  /** Extra headers for email (List-Unsubscribe …); providers of other kinds ignore them. */
  headers: Record<string, string>;
  /** The send call's `data`, for providers that post structured payloads (webhook, voice). */
  data: Record<string, unknown>;
  /** Public URLs for this message (unsubscribe page, one-click POST) when it has a contact. */
  links: { unsubscribe?: string; unsubscribeMailto?: string };
}

export type SendOutcome =
  | {
      id: string;
      status: 'sent';
      /** The provider's id(s) for this message: one per SMS part; receipts name any of them. */
      providerIds?: string[];
      segments?: number;
      detail?: Record<string, unknown>;
    }
  | { id: string; status: 'failed'; transient: boolean; error: string; detail?: Record<string, unknown> };

/** An open connection to a provider (pooled SMTP transport, bound SMPP session, …). */
export interface ChannelConnection {
  /** Sends up to `maxBatch` messages; one outcome per message, in any order. Never throws for a per-message failure. */
  send(batch: OutgoingMessage[], signal: AbortSignal): Promise<SendOutcome[]>;
  close(): Promise<void>;
}

/** A delivery event reported by a provider after the send (receipts, bounces, answers). */
export interface ProviderReport {
  accountId: string;
  /** Our message id when the provider echoes it, or the provider's id from the send outcome. */
  messageId?: string;
  providerId?: string;
  channelId?: string;
  type: 'delivered' | 'failed' | 'bounced' | 'complained' | 'answered' | 'opened' | 'clicked';
  at?: Date;
  detail?: Record<string, unknown>;
}

export interface ChannelContext {
  pool: Pool;
  log: Logger;
  clock: Clock;
  accountId: string;
  channelId: string;
  publicUrl: string;
  /** Records a delivery event (idempotent; a status never moves backwards). */
  report(event: ProviderReport): Promise<void>;
}

export interface ChannelProvider<C = Record<string, unknown>> {
  type: string;
  kind: ChannelKind;
  /** TypeBox schema of `config` (validated on create and update). */
  configSchema: TSchema;
  /** Dot paths inside config that are write-only: never returned by the API, never logged. */
  secrets: readonly string[];
  /** Fills in what the operator need not give, on create (e.g. generated VAPID keys, a hook secret). */
  prepareConfig?(config: C): C | Promise<C>;
  /** How long a transiently failing message keeps being retried (default 24 h; webhooks 72 h). */
  retryForMs?: number;
  /** Checks beyond the schema (an SSRF-safe URL, a parsable key). Throws AppError 422 naming the field. */
  validateConfig?(config: C): void | Promise<void>;
  /** Messages per send() call. */
  maxBatch: number;
  /** Messages per second for this channel's config (undefined: unlimited). */
  rateLimit?(config: C): number | undefined;
  connect(config: C, ctx: ChannelContext): Promise<ChannelConnection>;
}
