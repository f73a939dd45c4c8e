import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { loadConfig } from '../../src/infra/config/load-config';
import { createRedis, parseSentinelUrl } from '../../src/infra/redis/redis';
import { deletePrefix, redisUrl, testPrefix } from '../support/redis';

/** REDIS_URL may name Redis Sentinel: ioredis asks the sentinels for the current primary. */
test('sentinel URLs: hosts, default port, master name, credentials, db, TLS', () => {
  expect(parseSentinelUrl('redis://127.0.0.1:6379')).toBeNull();
  expect(parseSentinelUrl('redis+sentinel://s1,s2:26380/mymaster')).toEqual({
    sentinels: [
      { host: 's1', port: 26379 },
      { host: 's2', port: 26380 },
    ],
    name: 'mymaster',
  });
  expect(parseSentinelUrl('rediss+sentinel://bot:p%40ss@s1:26379/prod-redis/2')).toEqual({
    sentinels: [{ host: 's1', port: 26379 }],
    name: 'prod-redis',
    username: 'bot',
    password: 'p@ss',
    db: 2,
    tls: {},
    enableTLSForSentinelMode: true,
  });
  expect(loadConfig({ REDIS_URL: 'redis+sentinel://s1/mymaster' }).redisUrl).toBe(
    'redis+sentinel://s1/mymaster',
  );
  expect(() => loadConfig({ REDIS_URL: 'sentinel://s1/mymaster' })).toThrow(/redis\+sentinel/);
});

describe('against a real sentinel watching the test Redis', () => {
  let dir: string;
  let sentinel: ChildProcess;
  let port: number;

  beforeAll(async () => {
    const target = new URL(redisUrl());
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    dir = mkdtempSync(path.join(tmpdir(), 'sentinel-'));
    const conf = path.join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor exchops-test ${target.hostname} ${target.port || 6379} 1`,
        '',
      ].join('\n'),
    );
    sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    // Wait until the sentinel answers and knows the primary.
    const probe = createRedis(`redis://127.0.0.1:${port}`);
    try {
      for (let i = 0; i < 100; i++) {
        const addr = await probe
          .call('SENTINEL', 'get-master-addr-by-name', 'exchops-test')
          .catch(() => null);
        if (Array.isArray(addr)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      probe.disconnect();
    }
  });

  afterAll(() => {
    sentinel?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('the bot connects through the sentinel, BullMQ included', async () => {
    const prefix = testPrefix('sentinel');
    const redis = createRedis(`redis+sentinel://127.0.0.1:${port}/exchops-test`);
    const queue = new Queue('probe', { connection: redis, prefix });
    try {
      await redis.set(`${prefix}:k`, 'v');
      expect(await redis.get(`${prefix}:k`)).toBe('v');
      await queue.add('x', { a: 1 }, { jobId: 'one' });
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    } finally {
      await queue.close();
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
