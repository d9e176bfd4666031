/** LISTEN/NOTIFY channels of the Conversation Manager. */
export const RUNS_CHANNEL = 'conversa_runs';
export const EVENTS_CHANNEL = 'conversa_events';
