import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export type { Cluster, Redis };

/**
 * What `createRedis` returns: one Redis (plain or through Sentinel) or a Redis Cluster. Both
 * have the same commands; code that needs the difference (INFO per node) checks `isCluster`.
 */
export type RedisClient = Redis | Cluster;

/**
 * One place that opens Redis connections, so every process treats REDIS_URL the same way.
 * `forBlockingClient` is for BullMQ workers, which need `maxRetriesPerRequest: null`.
 */
export function createRedis(
  url: string,
  options: { forBlockingClient?: boolean; connectionName?: string } = {},
): RedisClient {
  const opts: RedisOptions = {
    connectionName: options.connectionName ?? 'exchange-chatops',
    // Fail fast on a request while Redis is down rather than queueing it forever; the caller
    // answers with an error and SCOM retries.
    maxRetriesPerRequest: options.forBlockingClient ? null : 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  };
  const cluster = parseClusterUrl(url);
  if (cluster) {
    return new Cluster(cluster.nodes, {
      ...cluster.options,
      // BullMQ reads maxRetriesPerRequest from here on a Cluster.
      redisOptions: { ...opts, ...cluster.options.redisOptions },
    });
  }
  const sentinel = parseSentinelUrl(url);
  return sentinel ? new Redis({ ...opts, ...sentinel }) : new Redis(url, opts);
}

export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
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
  return {
    sentinels: parseHosts(hosts ?? '', 26379),
    name: decodeURIComponent(name ?? ''),
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(scheme === 'rediss' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
}

/**
 * Redis Cluster in one URL: `redis+cluster://[[user]:password@]host[:port][,host[:port]...]`
 * (`rediss+cluster://` for TLS). The hosts are seeds: any few nodes, ioredis learns the rest
 * from them. Ports default to 6379; a cluster has no databases, so there is no `/<db>`. Null for
 * any other URL.
 */
export function parseClusterUrl(
  url: string,
): { nodes: Array<{ host: string; port: number }>; options: ClusterOptions } | null {
  const m = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/@]+)\/?$/.exec(url);
  if (!m) return null;
  const [, scheme, user, password, hosts] = m;
  const redisOptions: RedisOptions = {
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(scheme === 'rediss' ? { tls: {} } : {}),
  };
  return {
    nodes: parseHosts(hosts ?? '', 6379),
    options: {
      redisOptions,
      // Commands that meet a failover wait in ioredis and are retried once the replica took over
      // (up to maxRedirections × these delays); past that the caller answers 5xx and SCOM retries.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      enableOfflineQueue: true,
      // With TLS, node addresses stay host names so certificates match them (ioredis' advice for
      // AWS ElastiCache); net.connect resolves them itself.
      ...(scheme === 'rediss' ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    },
  };
}

function parseHosts(hosts: string, defaultPort: number): Array<{ host: string; port: number }> {
  return hosts.split(',').map((h) => {
    const hm = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(h.trim());
    return { host: hm?.[1] ?? h, port: Number(hm?.[2] ?? defaultPort) };
  });
}

/**
 * PING with a deadline: the readiness probe must answer even when Redis hangs. On a Cluster a
 * PING reaches one node only, so the cluster's own verdict counts: `cluster_state:ok` means
 * every slot has a master (not while a dead master's replica is still being promoted).
 */
export async function pingRedis(redis: RedisClient, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const probe = isCluster(redis)
    ? redis.cluster('INFO').then((info) => (/^cluster_state:ok\b/m.test(info) ? 'PONG' : 'down'))
    : redis.ping();
  try {
    const result = await Promise.race([
      probe,
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
