export { createWebPushProvider, webPushProvider, pushPayload, checkVapid, WebPushConfig } from './provider.js';
export { pushRoutes } from './routes.js';
export { listSubscriptions, upsertSubscription, deleteSubscription, type PushSubscriptionRow, type PushKeys } from './subscriptions.js';
