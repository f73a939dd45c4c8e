import type { Risk } from '../actions/registry';
import { t } from '../strings';
import { describeActor, sameAccount, type Actor, type Principal } from '../identity/actor';
import type { Grant, Policy } from './policy';
import { atLeast, higherRole, type Role } from './roles';

/**
 * Pure policy decisions. Each returns allowed or denied with a sentence a person at 3 a.m. can act
 * on; adapters show it privately to whoever clicked.
 */

/** What a step would touch; the site comes from the server inventory when one is configured. */
export interface Target {
  server: string | null;
  site: string | null;
}

export type Decision =
  | { allowed: true; role: Role; reason: string; breakGlass?: boolean }
  | {
      allowed: false;
      role: Role;
      reason: string;
      /** The requester may break glass here, with a reason they have not given yet. */
      breakGlassOpen?: true;
    };

/** The person behind an account: their name in `people`, else the account itself. */
export function personKey(policy: Policy, actor: Actor): string {
  const id = actor.id.toLowerCase();
  const upn = actor.upn?.toLowerCase();
  for (const [name, ids] of Object.entries(policy.people)) {
    const list = (ids[actor.platform] ?? []).map((v) => v.toLowerCase());
    if (list.includes(id) || (upn !== undefined && list.includes(upn))) return `person:${name}`;
  }
  return `${actor.platform}:${id}`;
}

/** An account with the directory identity resolved for it (null: could not be told). */
export type Identified = Actor & { identity?: string | null };

/**
 * Every name that says who is behind an account: its `people` entry, its directory identity
 * (case-insensitive) and the account itself. Two accounts are one person when any name is shared,
 * so `people:` links what the directory cannot, and the directory links what `people:` omits.
 */
export function personKeys(policy: Policy, actor: Identified): string[] {
  const keys = [personKey(policy, actor), `${actor.platform}:${actor.id.toLowerCase()}`];
  const identity = actor.identity?.trim().toLowerCase();
  if (identity) keys.push(`identity:${identity}`);
  return [...new Set(keys)];
}

export function samePerson(policy: Policy, a: Identified, b: Identified): boolean {
  if (sameAccount(a, b)) return true;
  const theirs = new Set(personKeys(policy, b));
  return personKeys(policy, a).some((k) => theirs.has(k));
}

function memberOf(policy: Policy, grant: Grant, p: Principal): boolean {
  const person = personKey(policy, p);
  if (grant.people.some((name) => person === `person:${name}`)) return true;
  // Accounts compare case-insensitively (Teams GUIDs and UPNs vary in case); a second name the
  // platform gives the account (the Teams UPN) counts as the account too.
  const names = [p.id, p.upn]
    .filter((n): n is string => n !== undefined)
    .map((n) => n.toLowerCase());
  if ((grant.accounts[p.platform] ?? []).some((a) => names.includes(a.toLowerCase()))) return true;
  return (grant.groups[p.platform] ?? []).some((g) => p.groups.includes(g));
}

/** `EX01` and `ex01.contoso.com` name the same server; two FQDNs must match whole. */
export function sameServer(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/\.$/, '');
  const y = b.toLowerCase().replace(/\.$/, '');
  if (x.includes('.') && y.includes('.')) return x === y;
  return x.split('.')[0] === y.split('.')[0];
}

function inScope(grant: Grant, target: Target): boolean {
  if (!grant.scope) return true;
  const { sites, servers } = grant.scope;
  if (target.site && sites.some((s) => s.toLowerCase() === target.site?.toLowerCase())) return true;
  if (target.server && servers.some((s) => sameServer(s, target.server ?? ''))) return true;
  return false;
}

/** The highest role the principal holds for this target; anyone unknown is a viewer. */
export function roleFor(policy: Policy, p: Principal, target: Target): Role {
  let role: Role = 'viewer';
  for (const grant of policy.grants) {
    if (memberOf(policy, grant, p) && inScope(grant, target)) role = higherRole(role, grant.role);
  }
  return role;
}

function where(target: Target): string {
  if (!target.server) return '';
  return target.site
    ? t('en', 'said.where.site', { server: target.server, site: target.site })
    : t('en', 'said.where.server', { server: target.server });
}

/** May this person ask for a step of this risk (or run it, when it needs no approval)? */
export function evaluateRequest(
  policy: Policy,
  input: { principal: Principal; risk: Risk; target: Target },
): Decision {
  const rule = policy.rules[input.risk];
  const role = roleFor(policy, input.principal, input.target);
  if (!atLeast(role, rule.request)) {
    return {
      allowed: false,
      role,
      reason: t('en', 'said.request.denied', {
        role: withArticle(role),
        where: where(input.target),
        risk: input.risk,
        needed: withArticle(rule.request),
      }),
    };
  }
  return {
    allowed: true,
    role,
    reason:
      rule.approval === 'none'
        ? t('en', 'said.request.noApproval', { risk: input.risk })
        : t('en', 'said.request.needsApproval', {
            risk: input.risk,
            needed: withArticle(rule.approval),
          }),
  };
}

export interface ApprovalInput {
  principal: Principal;
  risk: Risk;
  target: Target;
  /** With the identity resolved at the click, when it could be. */
  requester: Identified;
  /** Only for approving one's own request under the two-person rule. */
  breakGlassReason?: string;
}

/** May this person approve this request, now? Checked at the click, against the current policy. */
export function evaluateApproval(policy: Policy, input: ApprovalInput): Decision {
  const rule = policy.rules[input.risk];
  const role = roleFor(policy, input.principal, input.target);
  if (rule.approval === 'none') {
    return { allowed: true, role, reason: t('en', 'said.approve.none', { risk: input.risk }) };
  }
  if (!atLeast(role, rule.approval)) {
    return {
      allowed: false,
      role,
      reason: t('en', 'said.approve.denied', {
        role: withArticle(role),
        where: where(input.target),
        risk: input.risk,
        needed: withArticle(rule.approval),
      }),
    };
  }
  if (
    !rule.requesterMayApprove &&
    !input.principal.identity &&
    !listedInPeople(policy, input.principal)
  ) {
    // Without a directory identity this account could be the requester's other account.
    return {
      allowed: false,
      role,
      reason: t('en', 'said.approve.noIdentity', {
        platform: input.principal.platform,
        requester: describeActor(input.requester),
      }),
    };
  }
  const own = samePerson(policy, input.principal, input.requester);
  if (!own || rule.requesterMayApprove) {
    return { allowed: true, role, reason: t('en', 'said.approve.approved', { role }) };
  }
  const breakGlassRole = rule.breakGlass;
  if (breakGlassRole === 'none' || !atLeast(role, breakGlassRole)) {
    return {
      allowed: false,
      role,
      reason: t('en', 'said.approve.twoPerson', {
        risk: input.risk,
        requester: describeActor(input.requester),
      }),
    };
  }
  const reason = input.breakGlassReason?.trim() ?? '';
  if (reason.length < policy.breakGlassMinReasonLength) {
    return {
      allowed: false,
      role,
      breakGlassOpen: true,
      reason: t('en', 'said.approve.breakGlassNeedsReason', {
        risk: input.risk,
        role: withArticle(role),
        count: policy.breakGlassMinReasonLength,
      }),
    };
  }
  return {
    allowed: true,
    role,
    breakGlass: true,
    reason: t('en', 'said.approve.breakGlass', { role, risk: input.risk, reason }),
  };
}

function listedInPeople(policy: Policy, actor: Actor): boolean {
  return personKey(policy, actor).startsWith('person:');
}

/** Rejecting is open to whoever could approve (rejecting is always the safe direction). */
export function evaluateReject(
  policy: Policy,
  input: { principal: Principal; risk: Risk; target: Target; reason: string },
): Decision {
  const rule = policy.rules[input.risk];
  const role = roleFor(policy, input.principal, input.target);
  const needed: Role = rule.approval === 'none' ? rule.request : rule.approval;
  if (!atLeast(role, needed)) {
    return {
      allowed: false,
      role,
      reason: t('en', 'said.reject.denied', {
        role: withArticle(role),
        where: where(input.target),
        risk: input.risk,
        needed: withArticle(needed),
      }),
    };
  }
  if (input.reason.trim() === '') {
    return { allowed: false, role, reason: t('en', 'said.reject.reasonNeeded') };
  }
  return { allowed: true, role, reason: t('en', 'said.reject.rejected', { role }) };
}

/** Only the person who asked may withdraw a request. */
export function evaluateCancel(
  policy: Policy,
  input: { actor: Identified; requester: Identified },
): Decision {
  const own = samePerson(policy, input.actor, input.requester);
  return own
    ? { allowed: true, role: 'viewer', reason: t('en', 'said.cancel.cancelled') }
    : {
        allowed: false,
        role: 'viewer',
        reason: t('en', 'said.cancel.denied', { requester: describeActor(input.requester) }),
      };
}

/** "a viewer", "an operator": how the English refusals name a role. */
function withArticle(role: string): string {
  return `${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${role}`;
}
