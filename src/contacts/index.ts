import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/deps.js';
import type { JobHandler } from '../jobs/index.js';

/** Contact Manager routes: lists, contacts, imports, exports, segments. */
export const contactRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (_app, _opts) => {};

/** Background jobs of the Contact Manager, by kind. */
export function contactJobHandlers(_deps: AppDeps): Record<string, JobHandler> {
  return {};
}
