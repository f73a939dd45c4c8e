import { findOrStartRedis } from '../../src/infra/redis/find-redis';

/**
 * Every integration test talks to a real Redis: REDIS_URL, else 127.0.0.1:6379, else a private
 * redis-server. Test workers inherit the URL through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const found = await findOrStartRedis();
  process.env.REDIS_URL = found.url;
  (globalThis as { __redisStop?: () => Promise<void> }).__redisStop = found.stop;
}
