/** The pure flow engine: `advance` and what the worker and the simulator need around it. */
export { advance, DEFAULT_MAX_STEPS } from './advance.js';
export { newRun, startNode, nodeById, isEnded } from './run.js';
export { eventMatches, eventMatchesWait, goalMatches, waitIndex } from './match.js';
export { evaluateFilter, type EvalClock } from './filter-eval.js';
export { dateFieldInstant, nextLocalTime, parseHhmm } from './local-time.js';
export { readPath, readEventPath, resolveField, type Scope } from './paths.js';
export { channelOrder } from './nodes/send-fallback.js';
export { defaultCategory } from './nodes/send.js';
export { httpSucceeded } from './nodes/http.js';
export { scoreBand, splitPoint } from './nodes/routing.js';
export { contactChanges, literalValues } from './nodes/actions.js';
export { FlowRuntimeError } from './errors.js';
export type {
  AdvanceInput, AdvanceResult, ChannelCost, Effect, EventData, FallbackState, MessageOutcome, RunState, RunStatus,
  RunVars, TraceEntry, WaitState, Wake,
} from './types.js';
