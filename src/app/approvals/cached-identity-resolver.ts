import type { Clock } from '../intake/ports';
import type { Actor } from '../../domain/identity/actor';
import type { IdentityResolver } from './ports';

/**
 * Caches identity look-ups (Slack's users.info) so a burst of clicks costs one call per person.
 * Only answers are cached, for `ttlMs` (10 min: an email or UPN rarely changes, and a changed one
 * takes effect within it); a failed look-up is not cached and counts as unknown, which cannot
 * approve under the two-person rule (the safe side).
 */
export function createCachedIdentityResolver(
  inner: IdentityResolver,
  options: {
    ttlMs?: number;
    clock?: Clock;
    maxEntries?: number;
    onError?: (err: unknown) => void;
  } = {},
): IdentityResolver {
  const ttlMs = options.ttlMs ?? 600_000;
  const clock = options.clock ?? (() => new Date());
  const maxEntries = options.maxEntries ?? 5000;
  const cache = new Map<string, { identity: string | null; until: number }>();
  return {
    async identityOf(actor: Actor): Promise<string | null> {
      const key = `${actor.platform}:${actor.id}:${actor.upn ?? ''}`;
      const now = clock().getTime();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.identity;
      try {
        const identity = await inner.identityOf(actor);
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(key, { identity, until: now + ttlMs });
        return identity;
      } catch (err) {
        options.onError?.(err);
        return null;
      }
    },
  };
}
