/**
 * A chat platform's id as its module in `adapters/registry.ts` names it (`slack`, `teams`, …).
 * The core never lists the platforms: the registry does, and input naming a platform is checked
 * against it at the boundary. Actors that are not people use `system` (the bot itself), `worker`
 * and `scom`.
 */
export type PlatformId = string;

/** The platforms of actors that are not people: never a policy member, never an approver. */
export const NON_PERSON_PLATFORMS = ['system', 'worker', 'scom'] as const;

/**
 * Who did something: a person as their chat platform names them, or the bot, a worker or SCOM.
 * The one actor type: approvals, runs, jobs and the audit trail all carry it.
 */
export interface Actor {
  platform: PlatformId;
  /** The platform's account id (Slack user id, Teams AAD object id, console user name, …). */
  id: string;
  displayName?: string;
  /** A second name the platform gives the account (Teams: the user principal name), which a
   * policy may list instead of the id. */
  upn?: string;
}

/** An actor with the groups its platform resolved for it (Slack user groups), ready for the policy. */
export interface Principal extends Actor {
  groups: readonly string[];
  /**
   * The directory identity behind the account (verified email, UPN, console login), lower-cased;
   * null when it could not be resolved. Resolved at the click, never stored as proof.
   */
  identity?: string | null;
}

/** The bot itself: who starts verify runs, expires requests and withdraws them. */
export const SYSTEM_ACTOR: Actor = {
  platform: 'system',
  id: 'exchange-chatops',
  displayName: 'exchange-chatops',
};

export function isPerson(a: Actor): boolean {
  return !(NON_PERSON_PLATFORMS as readonly string[]).includes(a.platform);
}

/** The same account on the same platform (ids compared case-insensitively: Teams GUIDs vary). */
export function sameAccount(a: Actor, b: Actor): boolean {
  return a.platform === b.platform && a.id.toLowerCase() === b.id.toLowerCase();
}

export function describeActor(a: Actor): string {
  return a.displayName ? `${a.displayName} (${a.platform}:${a.id})` : `${a.platform}:${a.id}`;
}
