import type { RedisClient } from '../../src/infra/redis/redis';
import { acquireLease, type Lease } from '../../src/infra/redis/lease';

export type HeldLock = Pick<Lease, 'held' | 'release'>;

/**
 * One `change` or `destructive` job per server at a time, across every worker: a Redis lease on
 * the server's lock key. (BullMQ's group concurrency is a Pro feature, so this is our own.) The
 * lease is renewed while the job runs and lapses by itself if the worker dies.
 */
export function acquireServerLock(
  redis: RedisClient,
  key: string,
  ttlMs = 60_000,
): Promise<HeldLock | null> {
  return acquireLease(redis, key, ttlMs, { renewEveryMs: Math.floor(ttlMs / 3) });
}
