export { ROLES, isRole, roleAtLeast, type Role } from './roles.js';
export { authenticateKey, authenticateSession, type AuthContext } from './auth-context.js';
export { bootstrapOwner, createAccount, createApiKey, login, type BootstrapResult } from './service.js';
export { getAccount, type AccountRow } from './sql/accounts.js';
export { accountRoutes } from './routes.js';
