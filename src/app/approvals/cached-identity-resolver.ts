import { cachedActorLookup, type CachedLookupOptions } from './cached-actor-lookup';
import type { IdentityResolver } from './ports';

/**
 * Caches identity look-ups (Slack's users.info) for 10 minutes: an email or UPN rarely changes,
 * and a changed one takes effect within it. A failed look-up counts as unknown, which cannot
 * approve under the two-person rule (the safe side).
 */
export function createCachedIdentityResolver(
  inner: IdentityResolver,
  options: CachedLookupOptions = {},
): IdentityResolver {
  const identityOf = cachedActorLookup<string | null>(
    (actor) => inner.identityOf(actor),
    (actor) => `${actor.platform}:${actor.id}:${actor.upn ?? ''}`,
    null,
    600_000,
    options,
  );
  return { identityOf };
}
