import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  /** False once the lock was lost (it expired while we were away): stop trusting it. */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * A Redis lease: one `change` or `destructive` job per server at a time, across every worker.
 * (BullMQ's group concurrency is a Pro feature, so this is our own.) The lease is renewed while
 * the job runs and lapses by itself if the worker dies.
 */
export async function acquireServerLock(
  redis: Redis,
  key: string,
  ttlMs = 60_000,
): Promise<HeldLock | null> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return null;
  let held = true;
  const timer = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, String(ttlMs)).then(
        (r) => {
          if (r !== 1) held = false;
        },
        () => undefined,
      );
    },
    Math.floor(ttlMs / 3),
  );
  timer.unref();
  return {
    get held() {
      return held;
    },
    async release() {
      clearInterval(timer);
      held = false;
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
