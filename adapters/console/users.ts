import { roleFor } from '../../src/domain/approvals/evaluate';
import type { Policy } from '../../src/domain/approvals/policy';
import type { ConsoleUser } from './index';

/** The console accounts the policy names (people and grants), each with its role anywhere. */
export function consoleUsers(policy: Policy): ConsoleUser[] {
  const ids = new Set<string>();
  for (const p of Object.values(policy.people)) p.console?.forEach((id) => ids.add(id));
  for (const g of policy.grants) g.accounts.console?.forEach((id) => ids.add(id));
  const users = [...ids].map((id) => ({
    id,
    role: roleFor(policy, { platform: 'console', id, groups: [] }, { server: null, site: null }),
  }));
  const rank = { admin: 0, approver: 1, operator: 2, viewer: 3 } as const;
  users.sort((a, b) => rank[a.role] - rank[b.role] || a.id.localeCompare(b.id));
  // Someone outside the policy, to show what a viewer sees.
  if (!ids.has('guest')) users.push({ id: 'guest', role: 'viewer' });
  return users;
}
