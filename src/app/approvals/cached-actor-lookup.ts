import type { Actor } from '../../domain/identity/actor';
import type { Clock } from '../intake/ports';

export interface CachedLookupOptions {
  ttlMs?: number;
  clock?: Clock;
  maxEntries?: number;
  onError?: (err: unknown) => void;
}

/**
 * Caches a per-account look-up on a chat platform (user groups, directory identity) for `ttlMs`,
 * so a burst of clicks costs one call per person. Only answers are cached: a failed look-up
 * answers `onFailure` (the safe side for the policy) and is asked again next time. The oldest
 * entry goes first when `maxEntries` is reached.
 */
export function cachedActorLookup<T>(
  lookup: (actor: Actor) => Promise<T>,
  keyOf: (actor: Actor) => string,
  onFailure: T,
  defaultTtlMs: number,
  options: CachedLookupOptions = {},
): (actor: Actor) => Promise<T> {
  const ttlMs = options.ttlMs ?? defaultTtlMs;
  const clock = options.clock ?? (() => new Date());
  const maxEntries = options.maxEntries ?? 5000;
  const cache = new Map<string, { value: T; until: number }>();
  return async (actor) => {
    const key = keyOf(actor);
    const now = clock().getTime();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.value;
    try {
      const value = await lookup(actor);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, { value, until: now + ttlMs });
      return value;
    } catch (err) {
      options.onError?.(err);
      return onFailure;
    }
  };
}
