// Who may do what, and how far it reaches: the one table of milap's access rules. README carries the
// same table; test/access/matrix.test.ts walks every cell of it.
//
// Matching itself looks across all of India (a Jharkhand child is found in Kerala); people see only
// what touches their own jurisdiction.

export const roles = ['police', 'shelter', 'matching_officer', 'repatriation', 'admin'] as const;
export type Role = (typeof roles)[number];

export const actions = [
  'missing:read', 'missing:write', 'found:read', 'found:write',
  'candidate:read', 'candidate:decide',
  'restoration:read', 'restoration:advance',
  'users:manage', 'audit:read', 'stats:read',
] as const;
export type Action = (typeof actions)[number];

/**
 * - `jurisdiction`: allowed on what lies inside the user's jurisdiction (a record's own place; a
 *   pair or restoration when either of its records does).
 * - `confirmed`: candidate pairs in the jurisdiction, but only confirmed ones.
 * - `all`: everything.
 * - absent: refused.
 */
export type Reach = 'jurisdiction' | 'confirmed' | 'all';

export const accessRules: Record<Role, Partial<Record<Action, Reach>>> = {
  police: { 'missing:read': 'jurisdiction', 'missing:write': 'jurisdiction', 'stats:read': 'jurisdiction' },
  shelter: { 'found:read': 'jurisdiction', 'found:write': 'jurisdiction', 'stats:read': 'jurisdiction' },
  matching_officer: {
    'missing:read': 'jurisdiction', 'found:read': 'jurisdiction',
    'candidate:read': 'jurisdiction', 'candidate:decide': 'jurisdiction', 'stats:read': 'jurisdiction',
  },
  repatriation: {
    'candidate:read': 'confirmed',
    'restoration:read': 'jurisdiction', 'restoration:advance': 'jurisdiction', 'stats:read': 'jurisdiction',
  },
  // Numbers, not children's records: an admin sees the state's or the nation's figures.
  admin: { 'users:manage': 'all', 'audit:read': 'all', 'stats:read': 'jurisdiction' },
};

export function reachOf(role: Role, action: Action): Reach | null {
  return accessRules[role][action] ?? null;
}
