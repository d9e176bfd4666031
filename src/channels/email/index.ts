export { smtpProvider, connectSmtp, providerId } from './smtp.js';
export { SmtpConfigSchema, validateSmtpConfig, type SmtpConfig } from './config.js';
export { composeMail, unsubscribeHeaders, DKIM_SIGNED_HEADERS, MESSAGE_ID_HEADER } from './compose.js';
export { classifySmtpError } from './smtp-errors.js';
export { startBounceReceiver, parseInbound, type BounceReceiverOptions } from './bounces.js';
export { classifyReport, type ClassifiedReport, type BounceDetail, type ComplaintDetail } from './classify.js';
export { verpAddress, parseVerp } from './verp.js';
