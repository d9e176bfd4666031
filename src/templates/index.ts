/**
 * Templates: Liquid (sandboxed) for every channel kind, MJML for email, SMS segment counting,
 * and the `/v1/templates` routes. Messaging renders through `renderTemplate` at send time.
 */
export { templateRoutes, templateView } from './routes.js';
export {
  renderTemplate, compileTemplate, checkTemplate, bodyFormat, textFromHtml,
  type RenderContext, type TemplateSource, type RenderTemplateOptions, type CompiledTemplate, type BodyFormat, type OtpVariables,
} from './render.js';
export { buildRenderContext, renderLocale } from './context.js';
export { previewTemplate, type PreviewSample, type TemplatePreview } from './preview.js';
export { smsInfo, type SmsInfo, type SmsEncoding } from './sms.js';
export { templateKind } from './kinds.js';
export { getTemplate, accountPartials, defaultChannelCost, type TemplateRow } from './sql.js';
export { resolveLocale, formatMoney, COUNTRY_DEFAULTS, type LocaleSettings } from './locale.js';
export { LIMITS as TEMPLATE_LIMITS } from './liquid.js';
