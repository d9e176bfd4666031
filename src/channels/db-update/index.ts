export { createDbUpdateProvider, dbUpdateProvider, applyUpdate, DbUpdateConfig } from './provider.js';
