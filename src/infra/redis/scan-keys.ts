import { isCluster, type RedisClient } from './redis';

/**
 * Every key matching `pattern`, a page at a time (SCAN, never KEYS, so a shared Redis is not
 * blocked). On a Cluster SCAN sees one node's keys only, so every master is scanned.
 */
export async function* scanKeys(
  redis: RedisClient,
  pattern: string,
  count = 500,
): AsyncGenerator<string[]> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/** Deletes every key under a prefix (tests, benchmarks). */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<void> {
  for await (const keys of scanKeys(redis, `${prefix}*`)) {
    // On a Cluster one UNLINK may not span slots: one key each.
    if (isCluster(redis)) await Promise.all(keys.map((k) => redis.unlink(k)));
    else await redis.unlink(...keys);
  }
}
