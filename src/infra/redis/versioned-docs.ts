import type { RedisClient as Redis } from './redis';

/**
 * A process's cache of versioned JSON documents in Redis: a hash (`doc`, `version`) per id, whose
 * store writes it by compare-and-set and never reuses a version. A read asks only for the
 * version (one HGET) and parses the document again only when it moved; readers that miss together
 * (a write of this process still on its way back) share one read, unless it began before the
 * version they saw. The parsed state is shared: callers treat it as read-only.
 */
export interface VersionedDocs<T> {
  read(id: string): Promise<{ state: T; version: number }>;
  /** A write of this process landed: `state` is now the document at `version`. */
  wrote(id: string, version: number, state: T): void;
}

export function versionedDocs<T>(
  redis: Redis,
  keyOf: (id: string) => string,
  empty: () => T,
): VersionedDocs<T> {
  const cache = new Map<string, { version: number; state: T }>();
  const loading = new Map<string, Promise<{ version: number; state: T }>>();
  const load = async (id: string): Promise<{ version: number; state: T }> => {
    const [doc, version] = await redis.hmget(keyOf(id), 'doc', 'version');
    return { state: doc ? (JSON.parse(doc) as T) : empty(), version: Number(version ?? 0) };
  };
  // A slow read must not replace what a newer write of this process left.
  const keep = (id: string, entry: { version: number; state: T }) => {
    if (entry.version >= (cache.get(id)?.version ?? -1)) cache.set(id, entry);
  };
  return {
    async read(id) {
      const cached = cache.get(id);
      const now = cached ? Number((await redis.hget(keyOf(id), 'version')) ?? 0) : -1;
      if (cached && now === cached.version) return { state: cached.state, version: now };
      let read = loading.get(id);
      if (!read) {
        read = load(id).finally(() => loading.delete(id));
        loading.set(id, read);
      }
      let fresh = await read;
      if (fresh.version < now) fresh = await load(id);
      keep(id, fresh);
      return fresh;
    },
    wrote(id, version, state) {
      keep(id, { version, state });
    },
  };
}
