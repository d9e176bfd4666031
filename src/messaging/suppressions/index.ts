/** Suppressions: addresses that must not be contacted, the account's own list and named (regulator) lists. */
export { suppressionRoutes } from './routes.js';
export { addSuppression, removeSuppression, findSuppressionHits, MAX_LIST_NAME, type AddSuppression } from './service.js';
export { importSuppressionList, type SuppressionImport, type SuppressionImportResult } from './import.js';
export { normaliseSuppressionValue, SUPPRESSION_TYPES, type SuppressionType } from './normalise.js';
export type { SuppressionRow } from './store.js';
