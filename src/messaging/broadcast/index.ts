export { broadcastRoutes, broadcastView } from './routes.js';
export { broadcastJobHandler, BROADCAST_JOB, BROADCAST_BATCH } from './run.js';
