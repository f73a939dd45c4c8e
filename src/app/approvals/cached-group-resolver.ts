import { cachedActorLookup, type CachedLookupOptions } from './cached-actor-lookup';
import type { GroupResolver } from './ports';

/**
 * Caches an adapter's group look-ups (the Slack Web API's user groups). Kept short on purpose
 * (60 s): someone removed from a group loses its role within `ttlMs`. A failed look-up counts as
 * no groups (the safe side).
 */
export function createCachedGroupResolver(
  inner: GroupResolver,
  options: CachedLookupOptions = {},
): GroupResolver {
  const groupsOf = cachedActorLookup<readonly string[]>(
    (actor) => inner.groupsOf(actor),
    (actor) => `${actor.platform}:${actor.id}`,
    [],
    60_000,
    options,
  );
  return { groupsOf };
}
