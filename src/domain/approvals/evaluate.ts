import type { Risk } from '../actions/registry';
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
  return target.site ? ` on ${target.server} (site ${target.site})` : ` on ${target.server}`;
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
      reason:
        `You are ${article(role)} ${role}${where(input.target)}; ${input.risk} steps need ` +
        `${article(rule.request)} ${rule.request} or higher to ask for them.`,
    };
  }
  return {
    allowed: true,
    role,
    reason:
      rule.approval === 'none'
        ? `${input.risk} steps run without approval.`
        : `${input.risk} steps need approval by ${article(rule.approval)} ${rule.approval}.`,
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
    return { allowed: true, role, reason: `${input.risk} steps need no approval.` };
  }
  if (!atLeast(role, rule.approval)) {
    return {
      allowed: false,
      role,
      reason:
        `You are ${article(role)} ${role}${where(input.target)}; approving a ${input.risk} step ` +
        `needs ${article(rule.approval)} ${rule.approval} or higher.`,
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
      reason:
        `Two-person rule: I cannot tell who is behind your ${input.principal.platform} account ` +
        `(no verified email or user principal name), so I cannot tell you apart from ` +
        `${describeActor(input.requester)}, who asked for it. Ask an admin to list your accounts ` +
        `under people: in the approval policy, or approve from an account whose identity is known.`,
    };
  }
  const own = samePerson(policy, input.principal, input.requester);
  if (!own || rule.requesterMayApprove) {
    return { allowed: true, role, reason: `Approved as ${role}.` };
  }
  const breakGlassRole = rule.breakGlass;
  if (breakGlassRole === 'none' || !atLeast(role, breakGlassRole)) {
    return {
      allowed: false,
      role,
      reason:
        `Two-person rule: a ${input.risk} step must be approved by someone other than ` +
        `${describeActor(input.requester)}, who asked for it.`,
    };
  }
  const reason = input.breakGlassReason?.trim() ?? '';
  if (reason.length < policy.breakGlassMinReasonLength) {
    return {
      allowed: false,
      role,
      breakGlassOpen: true,
      reason:
        `Two-person rule: you asked for this ${input.risk} step yourself. As ${article(role)} ` +
        `${role} you may break glass, but only with a written reason (at least ` +
        `${policy.breakGlassMinReasonLength} characters); it is recorded in the audit trail.`,
    };
  }
  return {
    allowed: true,
    role,
    breakGlass: true,
    reason: `Break glass: ${role} approved their own ${input.risk} step. Reason: ${reason}`,
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
      reason:
        `You are ${article(role)} ${role}${where(input.target)}; rejecting a ${input.risk} step ` +
        `needs ${article(needed)} ${needed} or higher.`,
    };
  }
  if (input.reason.trim() === '') {
    return { allowed: false, role, reason: 'A rejection needs a reason.' };
  }
  return { allowed: true, role, reason: `Rejected as ${role}.` };
}

/** Only the person who asked may withdraw a request. */
export function evaluateCancel(
  policy: Policy,
  input: { actor: Identified; requester: Identified },
): Decision {
  const own = samePerson(policy, input.actor, input.requester);
  return own
    ? { allowed: true, role: 'viewer', reason: 'Cancelled by the requester.' }
    : {
        allowed: false,
        role: 'viewer',
        reason: `Only ${describeActor(input.requester)}, who asked for it, can cancel this request.`,
      };
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
