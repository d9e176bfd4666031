/**
 * Segments' public face: what other modules (flows: segment entries, broadcasts, branch filters;
 * exports) may call. Filters are validated against a list, then compiled to SQL fragments.
 */
export { validateFilter, filterFields, OPS, OPS_BY_TYPE, MAX_DEPTH, MAX_NODES, type FilterNode, type Condition, type Op, type Scalar } from './filter-schema.js';
export { compileFilter, relativeRange, localDate, type CompileContext } from './filter-to-sql.js';
export { SqlParams, TRUE_FRAGMENT, type SqlFragment } from './sql-fragment.js';
export { countContacts, type ContactScope } from './sql/count-contacts.js';
export {
  countMatching, countSegment, resolveFilter, requireList, requireSegment, whereFor, type SegmentDeps, type ContactView,
} from './service.js';
export { waitForIndexBuilds } from './index-builder.js';
export type { SegmentRow } from './sql/segment-row.js';
export { segmentRoutes } from './routes.js';
