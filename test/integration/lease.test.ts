import { acquireLease } from '../../src/infra/redis/lease';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

const redis = testRedis();
const prefix = testPrefix('lease');
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one owner at a time; released, it can be taken again', async () => {
  const key = `${prefix}:one`;
  const first = await acquireLease(redis, key, 5000);
  expect(first?.held).toBe(true);
  expect(await acquireLease(redis, key, 5000)).toBeNull();
  await first?.release();
  expect(first?.held).toBe(false);
  const second = await acquireLease(redis, key, 5000);
  expect(second).not.toBeNull();
  await second?.release();
});

test('a lapsed lease is lost: renewing says so, and releasing leaves the new owner alone', async () => {
  const key = `${prefix}:lapse`;
  const old = await acquireLease(redis, key, 50);
  // Wait for Redis to expire it (a condition, not a time).
  while ((await redis.exists(key)) === 1) await sleep(10);
  const next = await acquireLease(redis, key, 5000);
  expect(next).not.toBeNull();
  expect(await old?.renew()).toBe(false);
  expect(old?.held).toBe(false);
  await old?.release();
  expect(next?.held).toBe(true);
  expect(await redis.exists(key)).toBe(1);
  expect(await next?.renew()).toBe(true);
  await next?.release();
  expect(await redis.exists(key)).toBe(0);
});

test('renewed on a timer, a lease outlives its time to live', async () => {
  const key = `${prefix}:timer`;
  // A wide margin (renewed every 100 ms, 1 s to live), so a loaded machine's late timer is fine.
  const lease = await acquireLease(redis, key, 1000, { renewEveryMs: 100 });
  await sleep(2500);
  expect(lease?.held).toBe(true);
  expect(await acquireLease(redis, key, 5000)).toBeNull();
  await lease?.release();
  expect(await redis.exists(key)).toBe(0);
});
