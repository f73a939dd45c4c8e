import type { Clock } from '../intake/ports';
import type { Actor } from '../../domain/identity/actor';
import type { GroupResolver } from './ports';

/**
 * Caches an adapter's group look-ups (the Slack Web API's user groups) for a short time, so a
 * burst of clicks costs one call. Kept short on purpose: someone removed from a group loses its
 * role within `ttlMs`. A failed look-up is not cached, and counts as no groups (the safe side).
 */
export function createCachedGroupResolver(
  inner: GroupResolver,
  options: {
    ttlMs?: number;
    clock?: Clock;
    maxEntries?: number;
    onError?: (err: unknown) => void;
  } = {},
): GroupResolver {
  const ttlMs = options.ttlMs ?? 60_000;
  const clock = options.clock ?? (() => new Date());
  const maxEntries = options.maxEntries ?? 5000;
  const cache = new Map<string, { groups: readonly string[]; until: number }>();
  return {
    async groupsOf(actor: Actor): Promise<readonly string[]> {
      const key = `${actor.platform}:${actor.id}`;
      const now = clock().getTime();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.groups;
      try {
        const groups = await inner.groupsOf(actor);
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(key, { groups, until: now + ttlMs });
        return groups;
      } catch (err) {
        options.onError?.(err);
        return [];
      }
    },
  };
}
