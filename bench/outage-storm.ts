import pino from 'pino';
import { webApi } from '@slack/bolt';
import { startChatDelivery } from '../jobs/chat/chat-delivery';
import { createCardEventQueue } from '../jobs/queues/card-events';
import { createSlackSurface } from '../adapters/slack/surface';
import { slackPlatform } from '../adapters/slack/platform';
import { createOutageRouting } from '../src/app/outages/outage-routing';
import { toServerRef } from '../src/domain/alerts/host-name';
import type { Card } from '../src/domain/cards/card';
import type { Incident } from '../src/domain/incidents/incident';
import { parseInventory } from '../src/domain/inventory/inventory';
import {
  memberPointerText,
  outageResolvedMessage,
  buildOutageCard,
} from '../src/domain/outages/outage-card';
import { DEFAULT_OUTAGE_SETTINGS } from '../src/domain/outages/settings';
import { loadCatalog } from '../src/infra/files/load-catalog';
import { createRedis, type RedisClient as Redis } from '../src/infra/redis/redis';
import { redisKeys } from '../src/infra/redis/redis-keys';
import { redisOutageStore } from '../src/infra/redis/redis-outage-store';
import { createPrefs } from '../src/main/chat-runtime';
import { startFakeSlackApi, type RecordedCall } from '../test/support/fake-slack-api';
import { seededRandom, sleep } from './lib/stats';

/**
 * (d) The outage storm of issue 16, at the chat side: Active Directory in site-a goes down and
 * `stormServers` servers fail POP, IMAP or POP.Protocol within 30 s, repeat, and most resolve in
 * the last quarter; background noise from other sites (one server each). Incident changes
 * are published on the card-events queue as the intake would, and delivered to a fake Slack that
 * enforces Slack's published limits (1 post per second per channel with a burst, chat.update 50 per
 * minute, 429 + Retry-After beyond). The intake is not in this bench (see (b)).
 */
export interface OutageStormOptions {
  redis: Redis;
  redisUrl: string;
  prefix: string;
  stormServers: number;
  noise: number;
  seconds: number;
  seed?: number;
}

export interface OutageStormResult {
  changes: number;
  incidents: number;
  seconds: number;
  channel: {
    topLevelMessages: number;
    outageCards: number;
    noiseCards: number;
    stormOwnCards: number;
    threadMessages: number;
    updates: number;
    messagesPerMinute: number;
    limited429: number;
  };
  /** After the last change was published: when the outage card showed every member, resolved. */
  lagMs: { outageCardAllMembers: number | null; outageCardResolved: number | null };
  /** From publish to its card, for the background incidents. */
  noiseCardMs: { p50: number; max: number };
  /** Storm incidents shown neither on the outage card nor with a card; noise without a card. */
  unaccounted: number;
  ok: boolean;
}

const PROBES: [string, string][] = [
  ['POP', 'PopCTPMonitor'],
  ['IMAP', 'ImapCTPMonitor'],
  ['POP.Protocol', 'PopDeepTestMonitor'],
];
const NOISE: [string, string][] = [
  ['Transport.Queues', 'TransportQueueMonitor'],
  ['Store.Quota', 'StoreQuotaMonitor'],
  ['Search.Index', 'SearchIndexMonitor'],
];

export async function benchOutageStorm(o: OutageStormOptions): Promise<OutageStormResult> {
  const rnd = seededRandom(o.seed ?? 16);
  const keys = redisKeys(o.prefix);
  const catalog = loadCatalog();
  const name = (site: string, i: number) => `${site.slice(-1).toUpperCase()}EX${i}`;
  // Background noise comes from servers across the organisation, one per site, so it shares
  // nothing with the outage or with itself (noise that does is held up to groupWait by design).
  const parsed = parseInventory({
    sites: {
      'site-a': {
        servers: Array.from({ length: o.stormServers }, (_, i) => ({ name: name('site-a', i) })),
      },
      ...Object.fromEntries(
        Array.from({ length: o.noise }, (_, i) => [
          `site-n${i}`,
          { servers: [{ name: `NEX${i}` }] },
        ]),
      ),
    },
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const inventory = parsed.inventory;

  const fake = await startFakeSlackApi();
  fake.enforceLimits();
  const events = createCardEventQueue(o.redis, keys.bullPrefix);
  const incidents = new Map<string, Incident>();
  let seq = 0;
  const raise = (server: string, healthSet: string, monitor: string): Incident => {
    seq += 1;
    const now = new Date().toISOString();
    const i: Incident = {
      id: `INC-B${seq}`,
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
  };
  const render = async (i: Incident): Promise<Card> => ({
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
  const client = new webApi.WebClient('xoxb-bench', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const delivery = startChatDelivery({
    connection: o.redis,
    workerConnection: () => createRedis(o.redisUrl, { forBlockingClient: true }),
    bullPrefix: keys.bullPrefix,
    redis: o.redis,
    keys,
    surfaces: [createSlackSurface(client)],
    limits: { slack: slackPlatform.limits },
    outages: {
      routing: createOutageRouting({
        store: redisOutageStore(o.redis, keys),
        settings: DEFAULT_OUTAGE_SETTINGS,
        catalog: () => catalog,
        inventory: () => inventory,
      }),
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
    buildCard: render,
    prefs: createPrefs(o.redis, keys),
    logger: pino({ level: 'silent' }),
  });

  // The schedule: first failures in the first half, repeats, resolutions in the last quarter;
  // noise spread over the whole storm.
  const T = o.seconds * 1000;
  type Step = { at: number; run: () => Promise<void> };
  const plan: Step[] = [];
  const storm: Incident[] = [];
  const noise: { incident: Incident; publishedAt: number }[] = [];
  for (let s = 0; s < o.stormServers; s++) {
    const [hs, mon] = PROBES[s % 3]!;
    const at = (s / o.stormServers) * (T / 2);
    plan.push({
      at,
      run: async () => {
        const i = raise(name('site-a', s), hs, mon);
        storm.push(i);
        await publish(i, 'created');
        // One repeat a little later.
        setTimeout(
          () => {
            const r = { ...i, version: 2, occurrences: 2, lastSeen: new Date().toISOString() };
            incidents.set(i.id, r);
            void publish(r, 'updated');
          },
          T / 4 + rnd() * (T / 8),
        ).unref();
      },
    });
  }
  for (let n = 0; n < o.noise; n++) {
    const [hs, mon] = NOISE[n % 3]!;
    plan.push({
      at: rnd() * T * 0.95,
      run: async () => {
        const i = raise(`NEX${n}`, hs, mon);
        noise.push({ incident: i, publishedAt: Date.now() });
        await publish(i, 'created');
      },
    });
  }
  plan.push({
    at: T * 0.75,
    run: async () => {
      // Every storm incident resolves once AD is back, over the last quarter.
      storm.forEach((i, k) => {
        setTimeout(
          () => {
            const cur = incidents.get(i.id)!;
            const r: Incident = {
              ...cur,
              version: cur.version + 1,
              status: 'resolved',
              resolvedAt: new Date().toISOString(),
            };
            incidents.set(i.id, r);
            void publish(r, 'resolved');
            lastPublishAt = Date.now();
          },
          (k / storm.length) * (T / 4 - 500),
        ).unref();
      });
    },
  });
  plan.sort((a, b) => a.at - b.at);
  let changes = 0;
  let lastPublishAt = 0;
  async function publish(i: Incident, change: 'created' | 'updated' | 'resolved') {
    changes += 1;
    lastPublishAt = Date.now();
    await events.sink.publish({ incidentId: i.id, version: i.version, change, at: 'now' });
  }

  const started = Date.now();
  for (const step of plan) {
    const wait = started + step.at - Date.now();
    if (wait > 0) await sleep(wait);
    await step.run();
  }
  await sleep(Math.max(0, started + T - Date.now()));
  const endedAt = Math.max(lastPublishAt, Date.now());

  const ok = (c: RecordedCall) => !c.status;
  const isOutage = (c: RecordedCall) => String(c.body.text).startsWith('Outage in');
  const draws = () =>
    fake.calls.filter(
      (c) =>
        (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
        ok(c) &&
        !c.body.thread_ts &&
        isOutage(c),
    );
  const allMembers = `${o.stormServers} incidents on ${o.stormServers} servers`;
  // Wait (up to 2 minutes) for the outage card to show the end state.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const last = draws().at(-1);
    const noiseDone = noise.every(({ incident }) =>
      fake.calls.some(
        (c) =>
          c.method === 'chat.postMessage' &&
          ok(c) &&
          String(c.body.text).includes(`(${incident.id})`),
      ),
    );
    if (last && /resolved/i.test(String(last.body.text)) && noiseDone) break;
    await sleep(100);
  }
  // Small settle, for the resolution message in the thread.
  await sleep(2000);
  await delivery.close();
  await events.queue.close();
  await fake.close();

  const top = fake.callsTo('chat.postMessage').filter((c) => ok(c) && !c.body.thread_ts);
  const firstAll = draws().find((c) => String(c.body.text).includes(allMembers));
  const resolved = draws().find((c) => /resolved|Resolved/.test(String(c.body.text)));
  const noiseLat = noise
    .map(({ incident, publishedAt }) => {
      const c = top.find((x) => String(x.body.text).includes(`(${incident.id})`));
      return c ? c.at - publishedAt : Number.POSITIVE_INFINITY;
    })
    .sort((a, b) => a - b);
  const stormOwn = top.filter((c) => storm.some((i) => String(c.body.text).includes(`(${i.id})`)));
  const missingNoise = noiseLat.filter((l) => !Number.isFinite(l)).length;
  const minutes = Math.max(1, (Date.now() - started) / 60_000);
  const result: OutageStormResult = {
    changes,
    incidents: storm.length + noise.length,
    seconds: o.seconds,
    channel: {
      topLevelMessages: top.length,
      outageCards: top.filter(isOutage).length,
      noiseCards: top.length - top.filter(isOutage).length - stormOwn.length,
      stormOwnCards: stormOwn.length,
      threadMessages: fake.callsTo('chat.postMessage').filter((c) => ok(c) && c.body.thread_ts)
        .length,
      updates: fake.callsTo('chat.update').filter(ok).length,
      messagesPerMinute: Math.round((top.length / minutes) * 10) / 10,
      limited429: fake.limited().length,
    },
    lagMs: {
      outageCardAllMembers: firstAll ? firstAll.at - started - T / 2 : null,
      outageCardResolved: resolved ? resolved.at - endedAt : null,
    },
    noiseCardMs: {
      p50: noiseLat[Math.floor(noiseLat.length / 2)] ?? 0,
      max: noiseLat.at(-1) ?? 0,
    },
    unaccounted: missingNoise + (firstAll ? 0 : storm.length),
    ok: false,
  };
  result.ok =
    result.channel.limited429 === 0 && result.unaccounted === 0 && result.channel.outageCards === 1;
  return result;
}
