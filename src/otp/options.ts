import { Type, type Static } from 'typebox';
import { invalid } from '../core/errors.js';

export const OTP_CHANNELS = ['push', 'email', 'sms', 'voice'] as const;
export type OtpChannel = (typeof OTP_CHANNELS)[number];

const Channel = Type.Union([Type.Literal('push'), Type.Literal('email'), Type.Literal('sms'), Type.Literal('voice')]);
/** Seconds per channel without a delivery receipt before the next channel (a request's and the account's settings). */
export const ChannelTimeouts = Type.Object({
  push: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  email: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  sms: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  voice: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
}, { additionalProperties: false, description: 'seconds without a delivery receipt before the next channel' });

/**
 * POST /v1/otp. Ranges are checked by `resolveOptions` (not the schema) so the 422 names the
 * field and says the allowed range in words a caller can act on.
 */
export const CreateOtpBody = Type.Object({
  to: Type.Optional(Type.Object({
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    push_token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  }, { additionalProperties: false })),
  contact_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  channels: Type.Array(Channel, { minItems: 1, maxItems: 4, description: 'the fallback order' }),
  length: Type.Optional(Type.Integer()),
  alphabet: Type.Optional(Type.String({ maxLength: 200 })),
  ttl_seconds: Type.Optional(Type.Integer()),
  max_attempts: Type.Optional(Type.Integer()),
  template_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  templates: Type.Optional(Type.Object({
    push: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    sms: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    voice: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  }, { additionalProperties: false })),
  context: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }), { maxProperties: 20 })),
  require_context: Type.Optional(Type.Boolean({ description: 'verify must present the same context (PSD2 dynamic linking)' })),
  timeouts_seconds: Type.Optional(ChannelTimeouts),
  language: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' })),
}, { additionalProperties: false });
export type CreateOtpBody = Static<typeof CreateOtpBody>;

export interface OtpOptions {
  channels: OtpChannel[];
  length: number;
  alphabet: string[];
  ttlSeconds: number;
  maxAttempts: number;
  context: Record<string, string> | null;
  requireContext: boolean;
  timeouts: Partial<Record<OtpChannel, number>>;
}

export const DEFAULTS = { length: 6, alphabet: '0123456789', ttlSeconds: 600, maxAttempts: 5 } as const;

function inRange(field: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (v < min || v > max) throw invalid(field, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** Pure: defaults and the checks a schema cannot say well. Symbols are code points (an alphabet may hold Ñ or Ж). */
export function resolveOptions(body: CreateOtpBody): OtpOptions {
  if (new Set(body.channels).size !== body.channels.length) throw invalid('channels', 'names a channel twice');
  const alphabet = [...(body.alphabet ?? DEFAULTS.alphabet).normalize('NFC')];
  // Letters, marks-free digits and symbols only: a space, a control or an invisible character
  // (zero-width, combining) would make a code nobody can read back or type.
  if (alphabet.some((s) => /[\s\p{C}\p{M}]/u.test(s))) throw invalid('alphabet', 'must not contain white space, control, invisible or combining characters');
  const distinct = new Set(alphabet);
  if (distinct.size !== alphabet.length) throw invalid('alphabet', 'repeats a symbol (each symbol once)');
  if (distinct.size < 10) throw invalid('alphabet', `needs at least 10 distinct symbols, got ${distinct.size}`);
  if (body.require_context && (!body.context || Object.keys(body.context).length === 0)) throw invalid('require_context', 'needs a non-empty context to bind the code to');
  if (body.to?.push_token !== undefined) {
    throw invalid('to.push_token', 'web push goes to a contact\'s subscriptions: give contact_id (subscribe with POST /v1/contacts/{id}/push_subscriptions)');
  }
  if (!body.contact_id && !body.to?.phone && !body.to?.email) throw invalid('to', 'give contact_id, to.phone or to.email');
  return {
    channels: body.channels,
    length: inRange('length', body.length, DEFAULTS.length, 4, 10),
    alphabet,
    ttlSeconds: inRange('ttl_seconds', body.ttl_seconds, DEFAULTS.ttlSeconds, 60, 86_400),
    maxAttempts: inRange('max_attempts', body.max_attempts, DEFAULTS.maxAttempts, 1, 10),
    context: body.context ?? null,
    requireContext: body.require_context ?? false,
    timeouts: body.timeouts_seconds ?? {},
  };
}

/** The template for a channel: `templates[channel]`, else `template_id` when it is of that kind (checked when rendered). */
export function templateFor(body: Pick<CreateOtpBody, 'template_id' | 'templates'>, channel: OtpChannel, templateKind: (id: string) => string | undefined): string | undefined {
  const own = body.templates?.[channel];
  if (own) return own;
  if (body.template_id && templateKind(body.template_id) === channel) return body.template_id;
  return undefined;
}
