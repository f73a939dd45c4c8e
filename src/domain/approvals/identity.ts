/**
 * Who did something, as the chat platform (or the bot itself) names them. Platform-neutral: the
 * Slack, Teams and console adapters each turn their payloads into an `Actor`.
 */
export type ChatPlatform = 'slack' | 'teams' | 'console';

export interface Actor {
  platform: ChatPlatform;
  /** Slack user id (U…/W…), Teams AAD object id, or console user name. */
  id: string;
  displayName?: string;
  /** Teams only: the user principal name, which a policy may list instead of the object id. */
  upn?: string;
}

/** An actor with the groups its platform resolved for it (Slack user groups), ready for the policy. */
export interface Principal extends Actor {
  groups: readonly string[];
}

/** The same account on the same platform (ids compared case-insensitively: Teams GUIDs vary). */
export function sameAccount(a: Actor, b: Actor): boolean {
  return a.platform === b.platform && a.id.toLowerCase() === b.id.toLowerCase();
}

export function describeActor(a: Actor): string {
  return a.displayName ? `${a.displayName} (${a.platform}:${a.id})` : `${a.platform}:${a.id}`;
}
