import { randomUUID } from 'node:crypto';
import { createRedis, type Redis } from '../../src/infra/redis/redis';

/** A key prefix of its own per test file, so files can run in parallel against one Redis. */
export function testPrefix(name: string): string {
  return `t-${name}-${randomUUID().slice(0, 8)}`;
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL not set: the jest global setup did not run');
  return url;
}

export function testRedis(): Redis {
  return createRedis(redisUrl(), { connectionName: 'jest' });
}

/** Deletes every key under a prefix (SCAN, not KEYS, so a shared Redis is not blocked). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
