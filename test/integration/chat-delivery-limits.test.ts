import pino from 'pino';
import { webApi } from '@slack/bolt';
import { startChatDelivery, type ChatDelivery } from '../../jobs/chat/chat-delivery';
import { createCardEventQueue } from '../../jobs/queues/card-events';
import { createSlackSurface } from '../../adapters/slack/surface';
import { slackPlatform } from '../../adapters/slack/platform';
import type { Card } from '../../src/domain/cards/card';
import type { Incident } from '../../src/domain/incidents/incident';
import { createPrefs } from '../../src/main/chat-runtime';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { createRedis } from '../../src/infra/redis/redis';
import { sampleIncident } from '../support/incidents';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api';

/**
 * Delivery within Slack's limits, through the real Slack surface and WebClient against a fake Slack
 * that answers 429 with Retry-After, over the real Redis and BullMQ, with two replicas.
 */
const prefix = testPrefix('delivery-limits');
const redis = testRedis();
const keys = redisKeys(prefix);
const events = createCardEventQueue(redis, keys.bullPrefix);

const incidents = new Map<string, Incident>();
const render = async (i: Incident): Promise<Card> => ({
  version: 1,
  lang: 'en',
  title: i.id,
  tone: 'info',
  fallbackText: `${i.id} v${i.version} ${i.status}`,
  facts: [],
  notes: [],
  steps: [],
  actions: [],
  links: [],
});

let fake: FakeSlackApi;
function replica(): ChatDelivery {
  const client = new webApi.WebClient('xoxb-test', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  return startChatDelivery({
    connection: redis,
    workerConnection: () => createRedis(redisUrl(), { forBlockingClient: true }),
    bullPrefix: keys.bullPrefix,
    redis,
    keys,
    surfaces: [createSlackSurface(client)],
    limits: { slack: slackPlatform.limits },
    // Incidents of another team (INC-B…) go to a channel of their own.
    routeFor: async (i) => (i.id.startsWith('INC-B') ? 'C-OTHER' : 'C-ALERTS'),
    incidents: { get: async (id) => incidents.get(id) ?? null },
    runs: { getRun: async () => null },
    buildCard: render,
    prefs: createPrefs(redis, keys),
    logger: pino({ level: 'silent' }),
  });
}

function raise(n: number, from: number): Incident[] {
  const out: Incident[] = [];
  for (let k = from; k < from + n; k++) {
    const hex = k.toString(16).padStart(12, '0');
    const i = sampleIncident({ Id: `a1111111-2222-3333-4444-${hex}` }, `INC-L${k}`);
    incidents.set(i.id, i);
    out.push(i);
  }
  return out;
}
const publish = (i: Incident, change: 'created' | 'updated' | 'resolved' = 'created') =>
  events.sink.publish({ incidentId: i.id, version: i.version, change, at: 'now' });

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  fake = await startFakeSlackApi();
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await fake.close();
  await events.queue.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

test('nothing calls Slack inside a Retry-After window, on any replica', async () => {
  const a = replica();
  const b = replica();
  try {
    fake.failNext({ status: 429, retryAfter: 3 }, 1, 'chat.postMessage');
    const [first, ...rest] = raise(5, 0);
    await publish(first!);
    await fake.waitFor('chat.postMessage', 1, 10_000);
    const limitedAt = fake.limited()[0]!.at;
    // Changes that arrive while the window is open wait for it, whichever replica takes them.
    for (const i of rest) await publish(i);
    await until(() => fake.callsTo('chat.postMessage').filter((c) => !c.status).length === 5);
    const inWindow = fake.calls.filter((c) => c.at > limitedAt && c.at < limitedAt + 3000);
    expect(inWindow.map((c) => `${c.method} +${c.at - limitedAt} ms`)).toEqual([]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}, 30_000);

test('a burst of new cards to one channel stays within 1 post per second: no 429', async () => {
  fake.enforceLimits();
  const a = replica();
  const b = replica();
  try {
    const raised = raise(8, 100);
    await Promise.all(raised.map((i) => publish(i)));
    await until(() => fake.callsTo('chat.postMessage').filter((c) => !c.status).length === 8);
    expect(fake.limited()).toEqual([]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}, 30_000);

test('a channel over its post budget holds up no other channel', async () => {
  fake.enforceLimits();
  const a = replica();
  try {
    const burst = raise(16, 200);
    await Promise.all(burst.map((i) => publish(i)));
    const other = sampleIncident({ Id: 'b1111111-2222-3333-4444-000000000001' }, 'INC-B1');
    incidents.set(other.id, other);
    await publish(other);
    const posted = () => fake.callsTo('chat.postMessage').filter((c) => !c.status);
    await until(() => posted().length === 17, 30_000);
    const channels = posted().map((c) => String(c.body.channel));
    // C-ALERTS takes 1 post a second after its burst of 4; C-OTHER's card did not wait for
    // C-ALERTS' twelve more (it goes within the first half of them).
    expect(channels.indexOf('C-OTHER')).toBeLessThan(10);
    expect(fake.limited()).toEqual([]);
  } finally {
    await a.close();
  }
}, 45_000);
