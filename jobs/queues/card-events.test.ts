import { redisKeys } from '../../src/infra/redis/redis-keys';
import { deletePrefix, testPrefix, testRedis } from '../../test/support/redis';
import { createCardEventQueue, eventsOf } from './card-events';

const prefix = testPrefix('card-events');
const redis = testRedis();
const { queue, sink } = createCardEventQueue(redis, redisKeys(prefix).bullPrefix);

afterAll(async () => {
  await queue.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const change = (n: number) => ({
  incidentId: `INC-${n}`,
  version: 1,
  change: 'run' as const,
  at: '2026-12-01T00:00:00Z',
  runId: `RUN-INC-${n}`,
  runVersion: 1,
});

test('changes published at once share jobs; every change is queued once, and each promise waits for its own', async () => {
  await Promise.all(Array.from({ length: 30 }, (_, n) => sink.publish(change(n))));
  const jobs = await queue.getJobs(['waiting', 'wait', 'prioritized']);
  const events = jobs.flatMap((j) => eventsOf(j.data));
  expect(events.map((e) => e.incidentId).sort()).toEqual(
    Array.from({ length: 30 }, (_, n) => `INC-${n}`).sort(),
  );
  // The first goes at once; the rest wait for it and go together.
  expect(jobs.length).toBeLessThan(30);
  // The same change again is the same job: nothing more is queued.
  await sink.publish(change(0));
  expect(await queue.getJob('run-RUN-INC-0-v1')).toBeDefined();
  expect((await queue.getJobs(['waiting', 'wait', 'prioritized'])).length).toBe(jobs.length);
});

test('while changes come together, they go in one job at most once per interval; the first at once', async () => {
  const paced = createCardEventQueue(redis, redisKeys(`${prefix}-paced`).bullPrefix, {
    handOffMs: 1000,
  });
  try {
    // Three at once: the first goes at once, the two that came meanwhile right after it.
    const began = Date.now();
    await Promise.all([100, 101, 102].map((n) => paced.sink.publish(change(n))));
    expect(Date.now() - began).toBeLessThan(1000);
    expect(await paced.queue.getJob('run-RUN-INC-100-v1')).toBeDefined();
    // They came together: three more within the interval wait for it, then share one job.
    await Promise.all([103, 104, 105].map((n) => paced.sink.publish(change(n))));
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
    const jobs = await paced.queue.getJobs(['waiting', 'wait', 'prioritized']);
    expect(jobs.map((j) => eventsOf(j.data).length).sort()).toEqual([1, 2, 3]);
  } finally {
    await paced.queue.close();
    await deletePrefix(redis, `${prefix}-paced`);
  }
});

test('one publisher at a time (a relay walking its outbox) is not held back: only changes that come together are gathered', async () => {
  const paced = createCardEventQueue(redis, redisKeys(`${prefix}-relay`).bullPrefix, {
    handOffMs: 60_000,
  });
  try {
    // Each waits for the one before it, as a relay does: with an interval of a minute, any
    // wait would time this test out.
    for (let n = 200; n < 210; n++) await paced.sink.publish(change(n));
    const jobs = await paced.queue.getJobs(['waiting', 'wait', 'prioritized']);
    expect(jobs).toHaveLength(10);
  } finally {
    await paced.queue.close();
    await deletePrefix(redis, `${prefix}-relay`);
  }
}, 10_000);
