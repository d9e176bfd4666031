/**
 * Roles in increasing power. A route names the least role that may call it; approver sits above
 * editor so an approver can do an editor's work and also release held broadcasts.
 */
export const ROLES = ['viewer', 'editor', 'approver', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}
