/**
 * Who a console user is, from the claims of their ID token: the approval policy's console account
 * (the UPN or email, lower-cased) and their groups (`consoleGroups` in the policy). Pure.
 */
export interface ConsoleIdentity {
  /** The policy's console account: the UPN or email address, lower-cased. */
  id: string;
  displayName: string;
  /** The groups claim, lower-cased (Entra ID gives object ids; other providers, names). */
  groups: string[];
}

export type IdentityResult =
  | {
      ok: true;
      identity: ConsoleIdentity;
      /** Entra ID sent a reference instead of the groups (too many): the user gets none. */
      groupsOverage: boolean;
    }
  | { ok: false; reason: 'no-identity' };

const MAX_GROUPS = 500;
const ACCOUNT = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/**
 * The account, in this order: `upn` (Entra ID's user principal name, the name Teams gives too),
 * then `email` unless the provider says it is unverified, then `preferred_username` when it is an
 * address. Anything else has no place in the policy, so no identity.
 */
export function identityFromClaims(
  claims: Record<string, unknown>,
  groupsClaim = 'groups',
): IdentityResult {
  const emailOk = claims.email_verified !== false && claims.email_verified !== 'false';
  const candidates = [
    str(claims.upn),
    emailOk ? str(claims.email) : null,
    str(claims.preferred_username),
  ];
  const id = candidates.find((c): c is string => c !== null && ACCOUNT.test(c))?.toLowerCase();
  if (!id) return { ok: false, reason: 'no-identity' };
  const raw = claims[groupsClaim];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const groups = [
    ...new Set(
      list
        .map(str)
        .filter((g): g is string => g !== null && g.length <= 256)
        .map((g) => g.toLowerCase()),
    ),
  ].slice(0, MAX_GROUPS);
  // Entra ID replaces a long groups claim by `_claim_names` pointing at Graph (docs/operations.md).
  const names = claims._claim_names;
  const groupsOverage =
    typeof names === 'object' && names !== null && groupsClaim in names && groups.length === 0;
  return {
    ok: true,
    identity: { id, displayName: str(claims.name) ?? id, groups },
    groupsOverage,
  };
}
