/** Link, open and unsubscribe tracking: content rewriting for the send path, and the public routes. */
export {
  trackContent, newTrackingToken, unsubscribeLinks, listUnsubscribeHeaders, addOpenPixel,
  type TrackingToken, type TrackingKind, type TrackOptions,
} from './track-content.js';
export { withUtm, type Utm } from './utm.js';
export { saveTokens, findToken, type TokenTarget } from './store.js';
export { recordClick, recordOpen, unsubscribe } from './record.js';
export { trackingRoutes } from './routes.js';
