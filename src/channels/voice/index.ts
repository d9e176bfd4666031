export { createVoiceProvider, voiceProvider, hookToken, callbackUrl, VoiceConfig } from './provider.js';
export { voiceHookRoutes } from './hook-routes.js';
