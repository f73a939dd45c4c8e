import pino from 'pino';
import { webApi } from '@slack/bolt';
import { startChatDelivery } from '../../jobs/chat/chat-delivery';
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
 * A card that is behind says so: a change that lands while its card is being drawn is not on
 * that card, so the card says "1 update pending"; the coalesced redraw that follows (within
 * Slack's limits, enforced by the fake) draws the newest state, and the note is gone.
 */
const prefix = testPrefix('card-pending');
const redis = testRedis();
const keys = redisKeys(prefix);
const events = createCardEventQueue(redis, keys.bullPrefix);
let fake: FakeSlackApi;

beforeAll(async () => {
  fake = await startFakeSlackApi();
  fake.enforceLimits();
});
afterAll(async () => {
  await fake.close();
  await events.queue.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const textOf = (body: Record<string, unknown>): string => JSON.stringify(body.blocks ?? '');

test('a change that lands mid-draw: the card says it is behind, and loses the note when current', async () => {
  let incident: Incident = sampleIncident({}, 'INC-P1');
  let draws = 0;
  const client = new webApi.WebClient('xoxb-test', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const delivery = startChatDelivery({
    connection: redis,
    workerConnection: () => createRedis(redisUrl(), { forBlockingClient: true }),
    bullPrefix: keys.bullPrefix,
    redis,
    keys,
    surfaces: [createSlackSurface(client)],
    limits: { slack: slackPlatform.limits },
    routeFor: async () => 'C-ALERTS',
    incidents: { get: async () => incident },
    runs: { getRun: async () => null },
    buildCard: async (i): Promise<Card> => {
      draws++;
      if (draws === 1) {
        // A change commits while this card is being drawn: its redraw is queued behind it.
        incident = { ...incident, version: 2, occurrences: 2 };
        await events.sink.publish({ incidentId: i.id, version: 2, change: 'updated', at: 'now' });
        const gen = keys.chatRedrawGen('slack', i.id);
        for (let n = 0; n < 400 && Number(await redis.get(gen)) < 2; n++) {
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      return {
        version: 1,
        lang: 'en',
        title: `${i.id} v${i.version}`,
        tone: 'info',
        fallbackText: `${i.id} v${i.version}`,
        facts: [],
        notes: [`occurrences ${i.occurrences}`],
        steps: [],
        actions: [],
        links: [],
      };
    },
    prefs: createPrefs(redis, keys),
    logger: pino({ level: 'silent' }),
  });
  try {
    await events.sink.publish({ incidentId: incident.id, version: 1, change: 'created', at: 'x' });
    const [post] = await fake.waitFor('chat.postMessage', 1, 15_000);
    expect(textOf(post!.body)).toContain('Behind: 1 update pending');
    expect(textOf(post!.body)).toContain('occurrences 1');
    const updates = await fake.waitFor('chat.update', 1, 15_000);
    const last = updates[updates.length - 1]!;
    expect(textOf(last.body)).toContain('occurrences 2');
    expect(textOf(last.body)).not.toContain('pending');
    expect(fake.limited()).toEqual([]);
  } finally {
    await delivery.close();
  }
}, 30_000);
