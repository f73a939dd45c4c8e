import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { startServer, type RunningServer, type StartOptions } from '../../src/main/start-server';
import { deletePrefix, redisUrl, testPrefix, testRedis } from './redis';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface TestServer extends RunningServer {
  prefix: string;
  token: string;
  redis: ReturnType<typeof testRedis>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/** The real server on a free port, against the real Redis, under a key prefix of its own. */
export async function startTestServer(
  name: string,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const prefix = testPrefix(name);
  const config = loadConfig({
    PORT: '0',
    // The test Redis is a throw-away one (no persistence); tests of the check set it off.
    REDIS_VOLATILE_OK: 'true',
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    SCOM_WEBHOOK_TOKEN: TEST_TOKEN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const running = await startServer(config, { logger: createLogger('silent'), ...options });
  const redis = testRedis();
  return {
    ...running,
    prefix,
    token: TEST_TOKEN,
    redis,
    post: (path, body, headers = {}) =>
      fetch(`${running.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TEST_TOKEN}`,
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async stop() {
      await running.close();
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}
