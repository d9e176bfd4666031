export { messageRoutes } from './routes.js';
export { sendMessage, OUTBOX_CHANNEL, type SendAnswer, type SendOptions } from './send.js';
export type { SendRequest } from './compose.js';
export { createReporter } from './report.js';
export { OutboxWorker, retryDelayMs } from './outbox/worker.js';
export { recordEvent, type MessageEvent } from './events.js';
export { MESSAGE_STATUSES, type MessageStatus } from './status.js';
export { broadcastRoutes, broadcastJobHandler, BROADCAST_JOB } from './broadcast/index.js';
