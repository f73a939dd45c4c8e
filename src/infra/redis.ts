import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

/**
 * One place that opens Redis connections, so every process treats REDIS_URL the same way.
 * `forBlockingClient` is for BullMQ workers, which need `maxRetriesPerRequest: null`.
 */
export function createRedis(
  url: string,
  options: { forBlockingClient?: boolean; connectionName?: string } = {},
): Redis {
  const opts: RedisOptions = {
    connectionName: options.connectionName ?? 'exchange-chatops',
    // Fail fast on a request while Redis is down rather than queueing it forever; the caller
    // answers with an error and SCOM retries.
    maxRetriesPerRequest: options.forBlockingClient ? null : 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  };
  return new Redis(url, opts);
}

/** PING with a deadline: the readiness probe must answer even when Redis hangs. */
export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis ping timed out')), timeoutMs);
      }),
    ]);
    return result === 'PONG';
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
