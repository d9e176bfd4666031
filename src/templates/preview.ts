import type { RenderedContent } from '../channels/port.js';
import type { Queryable } from '../db/index.js';
import { buildRenderContext } from './context.js';
import { renderTemplate, type TemplateSource } from './render.js';
import { smsInfo, type SmsInfo } from './sms.js';
import { accountPartials, defaultChannelCost } from './sql.js';

/** Who a preview renders for: a contact of the account, sample `data`, or both. */
export interface PreviewSample {
  contact_id?: string;
  data?: Record<string, unknown>;
}

/** The parts as one recipient would get them; an SMS adds its encoding, segments and cost. */
export type TemplatePreview = RenderedContent & { sms?: SmsInfo & { cost?: number } };

/**
 * Renders a template — saved, or a draft the editor has not saved — for a sample, as the send
 * would: the contact's fields, language and time zone (else the account's), the account's
 * partials. Both preview routes call this, so a draft previews exactly as it will once saved.
 * Errors are the render's: AppError 422 naming the part and line, 404 for an unknown contact
 * (details name `contact_id`).
 */
export async function previewTemplate(
  db: Queryable,
  accountId: string,
  t: TemplateSource,
  sample: PreviewSample,
  opts: { publicUrl: string },
): Promise<TemplatePreview> {
  const ctx = await buildRenderContext(db, accountId, {
    ...(sample.contact_id ? { contactId: sample.contact_id } : {}),
    data: sample.data ?? {},
    // Placeholders so OTP and marketing templates show what the real send will put there.
    otp: { code: '123456' },
    unsubscribeUrl: `${opts.publicUrl}/u/preview`,
  });
  const out = await renderTemplate(t, ctx, { loadPartial: accountPartials(db, accountId) });
  if (t.channel_type !== 'sms') return out;
  const info = smsInfo(out.text);
  // What the account's default SMS channel charges per segment, when it says.
  const perMessage = await defaultChannelCost(db, accountId, 'sms');
  const cost = perMessage === undefined ? undefined : Math.round(perMessage * info.segments * 1e6) / 1e6;
  return { ...out, sms: { ...info, ...(cost === undefined ? {} : { cost }) } };
}
