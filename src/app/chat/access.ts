import { evaluateRequest } from '../../domain/approvals/evaluate';
import type { Actor } from '../../domain/identity/actor';
import { NO_GROUPS, type GroupResolver, type PolicySource } from '../approvals/ports';
import type { AccessPort } from './core-ports';

/** Read-only checks follow the policy's `read` rule (operators by default), checked per click. */
export function createAccess(deps: {
  policy: PolicySource;
  groups?: GroupResolver;
  siteOf?: (server: string) => string | null;
}): AccessPort {
  const groups = deps.groups ?? NO_GROUPS;
  return {
    async mayRunRead(actor: Actor, server: string) {
      const decision = evaluateRequest(deps.policy.current(), {
        principal: { ...actor, groups: await groups.groupsOf(actor) },
        risk: 'read',
        target: { server, site: deps.siteOf?.(server) ?? null },
      });
      return { allowed: decision.allowed, reason: decision.reason };
    },
    async mayRequestChange(actor: Actor, server: string) {
      const decision = evaluateRequest(deps.policy.current(), {
        principal: { ...actor, groups: await groups.groupsOf(actor) },
        risk: 'change',
        target: { server, site: deps.siteOf?.(server) ?? null },
      });
      return { allowed: decision.allowed, reason: decision.reason };
    },
  };
}
