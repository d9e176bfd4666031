export { createWebhookProvider, webhookProvider, webhookBody, WebhookConfig, WEBHOOK_RETRY_MS } from './provider.js';
export { verifySignature, signPayload, newWebhookSecret, SIGNATURE_HEADER } from './signature.js';
