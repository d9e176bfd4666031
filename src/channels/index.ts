export type { ChannelKind, ChannelProvider, ChannelConnection, ChannelContext, OutgoingMessage, ProviderReport, SendOutcome, RenderedContent, Category, Attachment } from './port.js';
export { CHANNEL_KINDS } from './port.js';
export { channelRoutes } from './routes.js';
export { resolveChannel, loadChannel, channelView } from './service.js';
export { toChannelKind, isChannelKind } from './kinds.js';
export { SANDBOX_CHANNEL_IDS, type SandboxEndpoints } from './sandbox/channels.js';
