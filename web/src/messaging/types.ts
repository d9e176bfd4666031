/** Messaging's shapes as the API sends them (API.md, "Messaging"). */

/** What a channel is for; templates and messages are of one kind. */
export const CHANNEL_KINDS = ['email', 'sms', 'push', 'voice', 'webhook', 'db_update'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** The providers behind the kinds: what `POST /v1/channels {type}` takes. */
export const PROVIDER_TYPES = ['smtp', 'smpp', 'http_sms', 'web_push', 'voice', 'webhook', 'db_update'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const CATEGORIES = ['transactional', 'marketing'] as const;
export type Category = (typeof CATEGORIES)[number];

export const MESSAGE_STATUSES = ['queued', 'deferred', 'sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'suppressed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface Channel {
  id: string;
  name: string;
  type: string;
  channel_type: ChannelKind;
  /** Secrets come back as "********"; sending the mask back keeps the stored value. */
  config: Record<string, unknown>;
  cost_per_message: number;
  /** The sandbox's own channels: not rows, cannot be edited or deleted. */
  sandbox: boolean;
  created_at: string;
}

export interface NewChannel {
  name: string;
  type: string;
  config: Record<string, unknown>;
  cost_per_message: number;
}

export interface Template {
  id: string;
  name: string;
  channel_type: ChannelKind;
  subject?: string | null;
  body: string;
  created_at?: string;
  updated_at?: string;
}

export interface TemplateDraft {
  name: string;
  channel_type: ChannelKind;
  subject?: string;
  body: string;
}

export interface SmsInfo {
  encoding: string;
  segments: number;
  characters: number;
  per_segment?: number;
  cost?: number;
}

/** `POST /v1/templates/{id}/preview`: the parts as one recipient would get them. */
export interface TemplatePreview {
  subject?: string | null;
  html?: string | null;
  text: string;
  sms?: SmsInfo;
}

export interface SendRequest {
  contact_id?: string;
  to?: string;
  channel_id?: string;
  channel_type?: string;
  template_id?: string;
  content?: { subject?: string; body?: string; text?: string; html?: string };
  category: Category;
  data?: Record<string, unknown>;
}

/** 202 from `POST /v1/messages`: `reason` says why a message was suppressed, `due_at` when a deferred one goes. */
export interface SendAnswer {
  id: string;
  status: MessageStatus;
  reason?: string;
  due_at?: string;
}

export interface MessageSummary {
  id: string;
  status: MessageStatus;
  channel_type: ChannelKind;
  channel_id?: string | null;
  to: string;
  contact_id: string | null;
  category: Category;
  template_id?: string | null;
  subject: string | null;
  segments: number | null;
  cost: number | null;
  error?: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface MessageEvent {
  type: string;
  at: string;
  detail: unknown;
}

export interface MessageDetail extends MessageSummary {
  content: Record<string, unknown>;
  /** The policy gate's decision (allow, defer until, suppress because), as the server stored it. */
  policy: unknown;
  events: MessageEvent[];
}

export interface MessageFilters {
  status?: string;
  channel_type?: string;
  contact_id?: string;
  /** RFC 3339. */
  from?: string;
  to?: string;
}

export interface MessagePage {
  messages: MessageSummary[];
  next_cursor: string | null;
}

export type SuppressionType = 'email' | 'phone';

export interface Suppression {
  id: string;
  type: SuppressionType;
  value: string;
  reason: string;
  category: Category | null;
  /** A named (regulator's) list; null for the account's own. */
  list: string | null;
  created_at: string;
}

export interface NewSuppression {
  type: SuppressionType;
  value: string;
  reason?: string;
  category?: Category;
  list?: string;
}

export interface SuppressionFilters {
  type?: SuppressionType;
  value?: string;
  list?: string;
}

export interface SuppressionPage {
  suppressions: Suppression[];
  next_cursor: string | null;
}

export interface SuppressionImportResult {
  list: string;
  imported: number;
  duplicates: number;
  /** All rejected lines; `rejected` holds only the first ones. */
  rejected_total?: number;
  rejected: { line: number; value: string; reason: string }[];
}

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

export interface SendingWindow {
  category: string;
  channel_type?: string;
  days: Day[];
  /** HH:MM in the contact's time zone. */
  from: string;
  to: string;
}

export interface FrequencyCaps {
  day?: number;
  week?: number;
  month?: number;
}

export interface Policy {
  timezone: string;
  country: string | null;
  sending_windows: SendingWindow[];
  holidays: { enabled: boolean; categories: string[] };
  frequency_caps: FrequencyCaps;
}

export type PolicyPreset = 'co_ley_2300' | 'tcpa';

export type PolicyPatch = Partial<Policy> & { preset?: PolicyPreset };

/** What a sandbox sink received. */
export interface SandboxMessage {
  id: string;
  message_id: string | null;
  channel_type: string;
  to: string;
  subject?: string | null;
  text: string;
  raw?: string | null;
  received_at: string;
}
