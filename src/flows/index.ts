import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/deps.js';
import { flowDefinitionRoutes } from './routes.js';
import { flowRunRoutes } from './run-routes.js';
import { eventRoutes } from './events/routes.js';

export { FlowWorker, RUNS_CHANNEL } from './runs/worker.js';
export { EventProcessor } from './events/process.js';
export { validateDefinition } from './definition/validate.js';
export type { FlowDefinition, FlowNode } from './definition/types.js';

/** Conversation Manager routes: flows, versions, runs, stats, simulation, events. */
export const flowRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, opts) => {
  await app.register(flowDefinitionRoutes, { deps: opts.deps });
  await app.register(flowRunRoutes, { deps: opts.deps });
  await app.register(eventRoutes, { deps: opts.deps });
};
