import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../http/deps.js';
import type { JobHandler } from '../jobs/index.js';
import { listAndContactRoutes } from './routes.js';
import { segmentRoutes } from './segments/routes.js';
import { importRoutes, importJobHandlers } from './import/routes.js';
import { exportRoutes } from './export/routes.js';

export { STANDARD_FIELDS, FIELD_TYPES, activeFields, type FieldDef, type FieldType, type ListSchema } from './fields.js';
export { getList } from './sql/lists.js';
export { getContact } from './sql/contacts.js';

/** Contact Manager routes: lists, contacts, imports, exports, segments. */
export const contactRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, opts) => {
  await app.register(listAndContactRoutes, { deps: opts.deps });
  await app.register(segmentRoutes, { deps: opts.deps });
  await app.register(importRoutes, { deps: opts.deps });
  await app.register(exportRoutes, { deps: opts.deps });
};

/** Background jobs of the Contact Manager, by kind. */
export function contactJobHandlers(deps: AppDeps): Record<string, JobHandler> {
  return { ...importJobHandlers(deps) };
}
