import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../../jobs/queues/names';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { ps51Alert } from '../fixtures/scom-alerts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api';
import { testPrefix } from '../support/redis';
import { startTestServer, type TestServer } from '../support/server';

/**
 * BOT_ROLE=web: a webhook replica answers and queues, and the background (card delivery, runs)
 * happens on a replica with BOT_ROLE=all, against the same Redis.
 */
let fake: FakeSlackApi;
const running: TestServer[] = [];

beforeAll(async () => {
  fake = await startFakeSlackApi();
});

afterAll(async () => {
  for (const s of running.reverse()) await s.stop();
  await fake.close();
});

async function until<T>(what: string, get: () => Promise<T | null | false>): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await get();
    if (v) return v;
    if (i > 400) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a webhook replica (BOT_ROLE=web) only queues; the replica with BOT_ROLE=all posts the card', async () => {
  const env = {
    REDIS_PREFIX: testPrefix('role'),
    JOB_SIGNING_KEY: 'role-test-signing-key-0123456789abcdef',
  };
  const slack = {
    env: {
      SLACK_BOT_TOKEN: 'xoxb-role-test',
      SLACK_SIGNING_SECRET: 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf',
      SLACK_API_URL: fake.apiUrl,
      SLACK_ALERT_CHANNEL: 'C0ROLE0001',
    },
  };
  const web = await startTestServer('role-web', { ...env, BOT_ROLE: 'web' }, slack);
  running.push(web);
  const res = await web.post('/api/alerts/scom', ps51Alert());
  expect(res.status).toBe(202);
  const events = new Queue(QUEUE_NAMES.cardEvents, {
    connection: web.redis,
    prefix: redisKeys(env.REDIS_PREFIX).bullPrefix,
  });
  try {
    // Handed on, and nobody here takes it.
    await until('the change on the queue', async () => (await events.getWaitingCount()) > 0);
    expect(await events.getActiveCount()).toBe(0);
    expect(fake.callsTo('chat.postMessage')).toEqual([]);

    const all = await startTestServer('role-all', env, slack);
    running.push(all);
    const card = await until('the card', async () => fake.callsTo('chat.postMessage')[0] ?? null);
    expect(card.body.channel).toBe('C0ROLE0001');
    expect(await events.getWaitingCount()).toBe(0);
  } finally {
    await events.close();
  }
}, 60_000);
