import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { startServer, type RunningServer } from '../../src/main/start-server';
import { startWorker } from '../../jobs/worker/start-worker';
import { TEST_TOKEN } from '../support/server';
import { startPrivateRedis, type PrivateRedis } from '../support/redis';

/**
 * A Redis that would lose what we answered 202 for (no AOF, no RDB snapshots, or an eviction
 * policy that drops keys) stops `serve` and `worker` at start-up, unless the operator says the
 * Redis is a throw-away one; a restart of the Redis (a new run_id) is noticed and shown.
 */
const config = (url: string, extra: Record<string, string> = {}) =>
  loadConfig({
    PORT: '0',
    REDIS_URL: url,
    REDIS_PREFIX: 'durability',
    SCOM_WEBHOOK_TOKEN: TEST_TOKEN,
    JOB_SIGNING_KEY: 'k'.repeat(32),
    ...extra,
  });
const silent = createLogger('silent');
const servers: PrivateRedis[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});
async function redis(args: string[]): Promise<PrivateRedis> {
  const r = await startPrivateRedis(args);
  servers.push(r);
  return r;
}
const noExecutor = {
  run: () => Promise.reject(new Error('not used')),
  close: () => Promise.resolve(),
};

test('no persistence: serve and worker refuse to start, saying what to change', async () => {
  const r = await redis(['--save', '', '--appendonly', 'no']);
  await expect(startServer(config(r.url), { logger: silent })).rejects.toThrow(
    /no persistence.*appendonly yes.*REDIS_VOLATILE_OK=true/s,
  );
  await expect(
    startWorker(config(r.url), { executor: noExecutor, logger: silent, inventory: null }),
  ).rejects.toThrow(/no persistence/);
});

test('an eviction policy that drops keys: refused, naming noeviction', async () => {
  const r = await redis(['--appendonly', 'yes', '--maxmemory-policy', 'allkeys-lru']);
  await expect(startServer(config(r.url), { logger: silent })).rejects.toThrow(
    /maxmemory-policy is allkeys-lru.*noeviction/s,
  );
});

test('REDIS_VOLATILE_OK=true: a throw-away Redis is accepted, and /readyz says so', async () => {
  const r = await redis(['--save', '', '--appendonly', 'no']);
  const server = await startServer(config(r.url, { REDIS_VOLATILE_OK: 'true' }), {
    logger: silent,
  });
  try {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      redis: true,
      persistence: 'none',
      volatileOk: true,
    });
  } finally {
    await server.close();
  }
});

test('a Redis restart is noticed: logged, counted in /metrics and shown in /readyz', async () => {
  const r = await redis(['--appendonly', 'yes', '--save', '']);
  const server: RunningServer = await startServer(config(r.url, { REDIS_WATCH_SECONDS: '1' }), {
    logger: silent,
  });
  try {
    const first = (await (await fetch(`${server.url}/readyz`)).json()) as Record<string, unknown>;
    expect(first).toMatchObject({ status: 'ready', persistence: 'aof', redisRestarts: 0 });
    await r.restart();
    const deadline = Date.now() + 20_000;
    let body: Record<string, unknown> = first;
    while (body.redisRestarts !== 1 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 200));
      const res = await fetch(`${server.url}/readyz`).catch(() => null);
      if (res) body = (await res.json()) as Record<string, unknown>;
    }
    expect(body).toMatchObject({ redisRestarts: 1 });
    expect(typeof body.lastRedisRestartAt).toBe('string');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^exchops_redis_restarts_total 1$/m);
  } finally {
    await server.close();
  }
});
