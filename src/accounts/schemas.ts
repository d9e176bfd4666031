import { Type } from 'typebox';
import { ROLES } from './roles.js';

export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'owner, admin, approver, editor or viewer' });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const ApiKeyOut = Type.Object({
  id: Type.String(), name: Type.String(), role: Type.String(), prefix: Type.String(),
  created_at: Type.String(), last_used_at: Type.Union([Type.String(), Type.Null()]),
});
export const UserOut = Type.Object({
  id: Type.String(), email: Type.String(), name: Type.String(), role: Type.String(), created_at: Type.String(),
});
export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' });
