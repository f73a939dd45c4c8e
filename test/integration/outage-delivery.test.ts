import pino from 'pino';
import { webApi } from '@slack/bolt';
import { Queue } from 'bullmq';
import {
  DELIVERY_PRIORITY,
  startChatDelivery,
  type ChatDelivery,
  type DeliveryJob,
} from '../../jobs/chat/chat-delivery';
import { chatQueueName } from '../../jobs/queues/names';
import { batchJobId, createCardEventQueue } from '../../jobs/queues/card-events';
import { createSlackSurface } from '../../adapters/slack/surface';
import { slackPlatform } from '../../adapters/slack/platform';
import { createOutageRouting } from '../../src/app/outages/outage-routing';
import { toServerRef } from '../../src/domain/alerts/host-name';
import type { Card } from '../../src/domain/cards/card';
import type { Incident } from '../../src/domain/incidents/incident';
import {
  memberPointerText,
  outageResolvedMessage,
  buildOutageCard,
} from '../../src/domain/outages/outage-card';
import { DEFAULT_OUTAGE_SETTINGS } from '../../src/domain/outages/settings';
import { loadCatalog } from '../../src/infra/files/load-catalog';
import { redisOutageStore } from '../../src/infra/redis/redis-outage-store';
import { createPrefs } from '../../src/main/chat-runtime';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { createRedis } from '../../src/infra/redis/redis';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api';

/**
 * Outage mode through the delivery: the real Redis, BullMQ, Slack surface and WebClient against a
 * fake Slack that enforces Slack's published limits (429 with Retry-After when exceeded).
 */
const prefix = testPrefix('outage-delivery');
const redis = testRedis();
const keys = redisKeys(prefix);
// Each change handed on at once, a job of its own, as these tests of the delivery mean it (the
// hand-off's gathering while changes keep coming is jobs/queues/card-events.test.ts's).
const events = createCardEventQueue(redis, keys.bullPrefix, { handOffMs: 0 });
const catalog = loadCatalog();

const incidents = new Map<string, Incident>();
let seq = 0;
function raise(server: string, healthSet: string, monitor: string): Incident {
  seq += 1;
  const now = new Date().toISOString();
  const i: Incident = {
    id: `INC-O${seq}`,
    version: 1,
    key: `${healthSet}|${server}`.toLowerCase(),
    status: 'open',
    healthSet,
    server: toServerRef(`${server}.contoso.com`),
    relatedServer: null,
    monitors: [monitor],
    targetResources: [],
    severity: 'error',
    priority: 'high',
    title: `${healthSet} unhealthy on ${server}`,
    failureText: null,
    description: '',
    actionable: true,
    firstSeen: now,
    lastSeen: now,
    resolvedAt: null,
    occurrences: 1,
    alerts: [],
  };
  incidents.set(i.id, i);
  return i;
}
const publish = (i: Incident, change: 'created' | 'updated' | 'resolved') =>
  events.sink.publish({ incidentId: i.id, version: i.version, change, at: 'now' });
/** Every post or update of an outage card that Slack took (not a thread message). */
const outageCards = () =>
  fake.calls.filter(
    (c) =>
      (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
      !c.status &&
      !c.body.thread_ts &&
      String(c.body.text).startsWith('Outage in'),
  );

/** SCOM closes every alert of these incidents: each is resolved and its change published. */
async function resolveAll(list: readonly Incident[]): Promise<void> {
  for (const i of list) {
    const r: Incident = {
      ...i,
      version: 2,
      status: 'resolved',
      resolvedAt: new Date().toISOString(),
    };
    incidents.set(i.id, r);
    await publish(r, 'resolved');
  }
}
const incidentCard = async (i: Incident): Promise<Card> => ({
  version: 1,
  lang: 'en',
  title: i.title,
  tone: 'info',
  fallbackText: `${i.title} (${i.id})`,
  facts: [],
  notes: [],
  steps: [],
  actions: [],
  links: [],
});

let fake: FakeSlackApi;
function replica(cardUpdateMs = 0): ChatDelivery {
  const client = new webApi.WebClient('xoxb-test', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const routing = createOutageRouting({
    store: redisOutageStore(redis, keys),
    settings: DEFAULT_OUTAGE_SETTINGS,
    catalog: () => catalog,
    inventory: () => null,
  });
  return startChatDelivery({
    connection: redis,
    workerConnection: () => createRedis(redisUrl(), { forBlockingClient: true }),
    bullPrefix: keys.bullPrefix,
    redis,
    keys,
    surfaces: [createSlackSurface(client)],
    limits: { slack: slackPlatform.limits },
    outages: {
      routing,
      tickMs: 200,
      cardUpdateMs,
      buildCard: (outage, lang) => buildOutageCard({ outage, catalog, lang, now: new Date() }),
      resolvedMessage: (outage, lang) => outageResolvedMessage(outage, catalog, lang),
      pointer: (outage, incident, lang) => ({
        ...{ facts: [], notes: [], steps: [], actions: [], links: [] },
        version: 1,
        lang,
        title: incident.id,
        tone: 'info',
        fallbackText: memberPointerText(outage, catalog, lang),
      }),
    },
    routeFor: async () => 'C-ALERTS',
    incidents: { get: async (id) => incidents.get(id) ?? null },
    runs: { getRun: async () => null },
    buildCard: incidentCard,
    prefs: createPrefs(redis, keys),
    logger: pino({ level: 'silent' }),
  });
}

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

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

const PROBES: [string, string][] = [
  ['POP', 'PopCTPMonitor'],
  ['IMAP', 'ImapCTPMonitor'],
  ['POP.Protocol', 'PopDeepTestMonitor'],
];

test('30 alerts from 10 servers sharing a dependency: one outage card, the last member shown, 0 429s; an unrelated incident is posted at once', async () => {
  const a = replica();
  const b = replica();
  try {
    const storm: Incident[] = [];
    for (let n = 0; n < 30; n++) {
      const [hs, mon] = PROBES[Math.floor(n / 10)]!;
      storm.push(raise(`EX${String((n % 10) + 1).padStart(2, '0')}`, hs, mon));
    }
    for (const i of storm) await publish(i, 'created');
    const topLevel = () => fake.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);
    await until(
      () => outageCards().some((c) => String(c.body.text).includes('30 incidents on 10 servers')),
      'the outage card with every member',
    );
    // Raised during the outage, sharing nothing with it (no probe, another family).
    const began = Date.now();
    const other = raise('EX99', 'Transport.Queues', 'SomeTransportMonitor');
    await publish(other, 'created');
    await until(() => topLevel().some((c) => String(c.body.text).includes(other.id)), 'other');
    expect(Date.now() - began).toBeLessThan(3000);

    const posted = topLevel().filter((c) => !c.status);
    // The outage card and the unrelated incident: one message each. The storm's first incident
    // to be applied is posted before anything could be grouped, unless the outage formed before
    // its delivery ran (the fan-out applies changes in parallel); then it never had a card.
    const texts = posted.map((c) => String(c.body.text).split(':')[0]);
    expect(texts.filter((t) => t === 'Outage in default')).toHaveLength(1);
    expect(texts.filter((t) => t === `${other.title} (${other.id})`)).toHaveLength(1);
    const own = posted.filter((c) =>
      /^POP unhealthy on EX\d\d \(INC-O\d+\)$/.test(String(c.body.text)),
    );
    expect(own.length).toBeLessThanOrEqual(1);
    expect(posted).toHaveLength(2 + own.length);
    // Such a card now points at the outage card.
    if (own[0]) {
      await until(
        () =>
          fake
            .callsTo('chat.update')
            .some((c) => c.body.ts === own[0]!.ts && String(c.body.text).includes('utage')),
        'the pointer',
      );
    }

    // Everything resolves: the outage card says so in place, and one message goes to its thread.
    await resolveAll(storm);
    await until(
      () =>
        fake.callsTo('chat.postMessage').some((c) => c.body.thread_ts !== undefined && !c.status),
      'the resolution message',
    );
    await new Promise((r) => setTimeout(r, 1500));
    const thread = fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts && !c.status);
    expect(thread).toHaveLength(1);
    const outageCard = posted.find((c) => String(c.body.text).startsWith('Outage in'))!;
    expect(thread[0]!.body.thread_ts).toBe(outageCard.ts);
    expect(thread[0]!.body.channel).toBe('C-ALERTS');
    const last = outageCards().at(-1)!;
    expect(String(last.body.text)).toContain('Resolved');
    expect(fake.limited()).toEqual([]);
    // The outage card's redraws (after its opening, a new card) go before single incidents'
    // resolutions and updates: one card for many incidents must not wait behind them.
    const slackJobs = new Queue<DeliveryJob>(chatQueueName('slack'), {
      connection: redis,
      prefix: keys.bullPrefix,
    });
    try {
      const outageJobs = (await slackJobs.getJobs(['completed'])).filter(
        (j) => j.data.type === 'outage',
      );
      expect(outageJobs.length).toBeGreaterThan(1);
      expect(new Set(outageJobs.map((j) => j.opts.priority))).toEqual(
        new Set([DELIVERY_PRIORITY.new, DELIVERY_PRIORITY.outage]),
      );
      expect(DELIVERY_PRIORITY.outage).toBeLessThan(DELIVERY_PRIORITY.resolved);
    } finally {
      await slackJobs.close();
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}, 60_000);

test('an open outage’s card is updated at most once per interval; its end state is drawn at once', async () => {
  // An interval longer than the test: once the card is drawn, its next update waits.
  const a = replica(120_000);
  try {
    const storm: Incident[] = [];
    for (let n = 0; n < 6; n++) storm.push(raise(`EX${String(n + 31)}`, 'POP', 'PopCTPMonitor'));
    const before = outageCards().length;
    for (const i of storm) await publish(i, 'created');
    await until(() => outageCards().length > before, 'the outage card');
    const drawn = outageCards().length;
    // A late member joins: its change waits out the interval in the queue, drawn nothing yet.
    const late = raise('EX40', 'POP', 'PopCTPMonitor');
    await publish(late, 'created');
    const slackJobs = new Queue<DeliveryJob>(chatQueueName('slack'), {
      connection: redis,
      prefix: keys.bullPrefix,
    });
    try {
      const pacedJob = async () =>
        (await slackJobs.getJobs(['delayed'])).some((j) => j.data.type === 'outage');
      const end = Date.now() + 20_000;
      while (!(await pacedJob())) {
        if (Date.now() > end) throw new Error('timed out waiting for the paced redraw');
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await slackJobs.close();
    }
    expect(outageCards()).toHaveLength(drawn);

    // Everything resolves: the end state does not wait for the interval.
    await resolveAll([...storm, late]);
    await until(
      () =>
        outageCards()
          .slice(drawn)
          .some((c) => String(c.body.text).includes('Resolved')),
      'the end state',
    );
    expect(fake.limited()).toEqual([]);
  } finally {
    await a.close();
  }
}, 60_000);

test('a run change of an outage member queues no redraw (it has no card of its own to draw); one of an own-card incident does', async () => {
  const a = replica();
  try {
    const storm: Incident[] = [];
    for (let n = 0; n < 6; n++) storm.push(raise(`EX${String(n + 51)}`, 'IMAP', 'ImapCTPMonitor'));
    for (const i of storm) await publish(i, 'created');
    // Members of an outage (earlier tests' outages may still be in the window: any will do).
    const routing = createOutageRouting({
      store: redisOutageStore(redis, keys),
      settings: DEFAULT_OUTAGE_SETTINGS,
      catalog: () => catalog,
      inventory: () => null,
    });
    const end = Date.now() + 20_000;
    for (const i of storm) {
      while ((await routing.view(i)).kind !== 'member') {
        if (Date.now() > end) throw new Error(`timed out waiting for ${i.id} to be a member`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const own = raise('EX59', 'UM.CallRouter', 'UMCallRouterMonitor');
    await publish(own, 'created');
    await until(
      () =>
        fake.callsTo('chat.postMessage').some((c) => String(c.body.text).includes(`(${own.id})`)),
      'the unrelated card',
    );
    // The runs of every member and of the unrelated incident change, in one card-events job.
    const changes = [...storm, own].map((i) => ({
      incidentId: i.id,
      version: 2,
      change: 'run' as const,
      at: 'now',
      runId: i.id,
      runVersion: 2,
    }));
    await events.sink.publishMany!(changes);
    const jobId = batchJobId(changes);
    while (!(await (await events.queue.getJob(jobId))?.isCompleted())) {
      if (Date.now() > end) throw new Error('timed out waiting for the fan-out');
      await new Promise((r) => setTimeout(r, 25));
    }
    const slackJobs = new Queue<DeliveryJob>(chatQueueName('slack'), {
      connection: redis,
      prefix: keys.bullPrefix,
    });
    try {
      const queued = (await slackJobs.getJobs()).filter((j) =>
        String(j.id).startsWith(`slack-${jobId}-`),
      );
      const redrawn = queued.map((j) => (j.data.type === 'incident' ? j.data.incidentId : '?'));
      expect(redrawn.sort()).toEqual([own.id]);
    } finally {
      await slackJobs.close();
    }
  } finally {
    await a.close();
  }
}, 60_000);
