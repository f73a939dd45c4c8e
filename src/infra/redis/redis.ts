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
  const sentinel = parseSentinelUrl(url);
  return sentinel ? new Redis({ ...opts, ...sentinel }) : new Redis(url, opts);
}

/**
 * Redis Sentinel in one URL, since every setting is one environment variable:
 * `redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/<master name>[/<db>]`
 * (`rediss+sentinel://` for TLS). The password is the data nodes'; sentinel ports default to
 * 26379. Null for any other URL.
 */
export function parseSentinelUrl(url: string): RedisOptions | null {
  const m =
    /^(rediss?)\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/@]+)\/([^/?#]+)(?:\/(\d+))?\/?$/.exec(
      url,
    );
  if (!m) return null;
  const [, scheme, user, password, hosts, name, db] = m;
  const sentinels = (hosts ?? '').split(',').map((h) => {
    const hm = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(h.trim());
    return { host: hm?.[1] ?? h, port: Number(hm?.[2] ?? 26379) };
  });
  return {
    sentinels,
    name: decodeURIComponent(name ?? ''),
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(scheme === 'rediss' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
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
