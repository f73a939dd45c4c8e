import type { RedisClient } from './redis';

/**
 * An outbox in Redis: a sorted set of entries, each scored with the time its change was committed.
 * A store's commit script adds entries in the same atomic write as the change (so a committed
 * change cannot lose them); this reads what is still waiting and takes out what was carried out.
 */
export interface RedisOutbox {
  /** Entries committed at least `olderThanMs` before `nowMs` (younger ones may be in flight). */
  pending(olderThanMs: number, nowMs?: number, limit?: number): Promise<string[]>;
  done(entry: string): Promise<void>;
}

export function redisOutbox(redis: RedisClient, key: string): RedisOutbox {
  return {
    pending: (olderThanMs, nowMs = Date.now(), limit = 500) =>
      redis.zrangebyscore(key, '-inf', nowMs - olderThanMs, 'LIMIT', 0, limit),
    async done(entry) {
      await redis.zrem(key, entry);
    },
  };
}
