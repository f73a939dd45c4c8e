import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis';

// Only the owner's token may extend or end a lease: one that lapsed and was taken by another
// owner is theirs now.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface Lease {
  /** False once the lease was lost (it lapsed and someone else may hold it) or released. */
  readonly held: boolean;
  /** Extends the lease by its time to live; false (and `held` false) when it is not ours any more. */
  renew(): Promise<boolean>;
  /** Stops any renewing and ends the lease, if it is still ours. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** Renew on a timer this often while held (ttlMs / 3 is usual); without it, call `renew`. */
  renewEveryMs?: number;
}

/**
 * A Redis lease: a key only one owner holds at a time (`SET NX PX` with a random token), across
 * every process. It lapses by itself after `ttlMs` if its owner dies, so it must be renewed for
 * longer work. Null when someone else holds it.
 */
export async function acquireLease(
  redis: RedisClient,
  key: string,
  ttlMs: number,
  options: LeaseOptions = {},
): Promise<Lease | null> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
  let held = true;

  let timer: NodeJS.Timeout | null = null;
  const renew = async (): Promise<boolean> => {
    if (!held) return false;
    if ((await redis.eval(RENEW, 1, key, token, String(ttlMs))) !== 1) {
      held = false;
      if (timer) clearInterval(timer);
    }
    return held;
  };

  timer =
    options.renewEveryMs === undefined
      ? null
      : setInterval(() => {
          // A failed renewal (Redis away a moment) is not a loss: the next one may succeed, and
          // a lapse shows as `held` false then.
          renew().catch(() => undefined);
        }, options.renewEveryMs);
  timer?.unref();

  return {
    get held() {
      return held;
    },
    renew,
    async release() {
      if (timer) clearInterval(timer);
      held = false;
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
