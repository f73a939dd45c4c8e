import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { createRedisIncidentStore } from '../src/infra/redis/redis-incident-store';
import type { RedisClient } from '../src/infra/redis/redis';
import { redisKeys } from '../src/infra/redis/redis-keys';
import { startChild } from './lib/child';
import { mib, seededRandom, sleep, summarize, type LatencySummary } from './lib/stats';
import { QUEUE_NAMES } from '../jobs/queues/names';
import { eventsOf, type CardEventJob } from '../jobs/queues/card-events';
import { accountAlerts } from './lib/accounting';

/**
 * (b) An alert storm: N alerts for S servers over T seconds, sent one per request at a steady
 * rate as SCOM's command channel would: first alerts, repeats (RepeatCount up), exact resends,
 * second monitors of the same health set, and resolutions, across a dozen health sets. A model
 * predicts every outcome; alerts about the same health set and server are sent in order (as SCOM
 * sends them), different ones concurrently. Afterwards every alert is looked up in Redis.
 */
export interface StormOptions {
  redis: RedisClient;
  redisUrl: string;
  prefix: string;
  token: string;
  alerts: number;
  servers: number;
  seconds: number;
  seed?: number;
}

export interface StormResult {
  alerts: number;
  servers: number;
  healthSets: number;
  seconds: number;
  sendSeconds: number;
  alertsPerSecond: number;
  latencyMs: LatencySummary;
  outcomes: Record<string, number>;
  unexpectedOutcomes: number;
  incidents: { created: number; resolved: number; open: number };
  /** Incident events on the incident-events queue: each is one chat post or card update. */
  chatMessages: {
    total: number;
    expected: number;
    newCards: number;
    cardUpdates: number;
    /** Card redraws for remediation-run and approval changes (verify started, verdict, …). */
    runUpdates: number;
  };
  /** Growth of Redis's used_memory over the storm (incidents, alert records, queued events). */
  redisMemoryMiB: number;
  /** The bot's process; idle is right after start-up (it runs from source through tsx). */
  serverMemory: {
    idleRssMiB: number;
    peakRssMiB: number;
    peakHeapUsedMiB: number;
    endRssMiB: number;
  };
  accounting: { alertIds: number; recorded: number; missing: number; wrongIncident: number };
  ok: boolean;
}

/** Health sets with a monitor or two each, as Managed Availability names them. */
const HEALTH_SETS: Array<[string, string[], string]> = [
  ['POP', ['PopCTPMonitor', 'AverageCommandProcessingTimeGt60sMonitor'], 'MSExchangePOP3'],
  ['POP.Protocol', ['PopDeepTestMonitor', 'PopSelfTestMonitor'], 'MSExchangePOP3BE'],
  ['IMAP', ['ImapCTPMonitor', 'AverageCommandProcessingTimeGt60sMonitor'], 'MSExchangeIMAP4'],
  ['IMAP.Protocol', ['ImapDeepTestMonitor', 'ImapSelfTestMonitor'], 'MSExchangeIMAP4BE'],
  ['OWA.Protocol', ['OwaDeepTestMonitor', 'OwaSelfTestMonitor'], 'MSExchangeOWAAppPool'],
  ['ActiveSync.Protocol', ['ActiveSyncDeepTestMonitor'], 'MSExchangeSyncAppPool'],
  ['EWS.Protocol', ['EWSDeepTestMonitor', 'EWSSelfTestMonitor'], 'MSExchangeServicesAppPool'],
  ['OutlookMapiHttp.Protocol', ['OutlookMapiHttpDeepTestMonitor'], 'MSExchangeMapiFrontEndAppPool'],
  ['HubTransport', ['TransportQueueMonitor'], 'MSExchangeTransport'],
  ['Store', ['StoreServiceKilledMonitor'], 'MSExchangeIS'],
  ['DataProtection', ['DatabaseCopySuspendedMonitor'], 'MSExchangeRepl'],
  ['Autodiscover.Protocol', ['AutodiscoverSelfTestMonitor'], 'MSExchangeAutodiscoverAppPool'],
];

interface SentAlert {
  id: string;
  server: string;
  healthSet: string;
  monitor: string;
  target: string;
  repeat: number;
  closed: boolean;
}

interface StormEvent {
  key: string;
  payload: Record<string, unknown>;
  expected: 'created' | 'updated' | 'duplicate' | 'resolved';
  /** Model incident number (per key), to check that responses agree on incident identity. */
  incidentSeq: string;
  alertId: string;
}

/** The SCOM payload (Get-SCOMAlert | ConvertTo-Json) of one alert; bench (f) sends the same. */
export function payloadOf(
  a: Pick<SentAlert, 'id' | 'server' | 'healthSet' | 'monitor' | 'target' | 'repeat'>,
  at: number,
  closing: boolean,
): Record<string, unknown> {
  const fqdn = `${a.server}.contoso.com`;
  return {
    Id: a.id,
    Name: `${a.healthSet} health set unhealthy`,
    Description: `${a.healthSet} health set unhealthy (${a.monitor}/${a.target}) - ${a.monitor} failed on ${fqdn}.`,
    Severity: 2,
    Priority: 1,
    ResolutionState: closing ? 255 : 0,
    MonitoringObjectDisplayName: fqdn,
    MonitoringObjectPath: fqdn,
    MonitoringObjectFullName: `Microsoft.Exchange.15.HealthSet:${fqdn};${a.healthSet}`,
    PrincipalName: fqdn,
    NetbiosComputerName: a.server,
    TimeRaised: `/Date(${at})/`,
    LastModified: `/Date(${at})/`,
    TimeResolved: closing ? `/Date(${at})/` : null,
    RepeatCount: a.repeat,
    IsMonitorAlert: false,
    Category: 'Alert',
  };
}

/** The storm and the outcome the webhook must give for each alert. */
export function generateStorm(o: { alerts: number; servers: number; seed: number }): StormEvent[] {
  const rand = seededRandom(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const open = new Map<string, SentAlert[]>();
  const last = new Map<string, Record<string, unknown>>();
  const incidentNo = new Map<string, number>();
  const events: StormEvent[] = [];
  const t0 = Date.parse('2026-11-27T00:00:00Z');
  for (let i = 0; i < o.alerts; i++) {
    // A few servers are in trouble more often than the rest.
    const server = `EX${String(rand() < 0.3 ? Math.floor(rand() * 10) : Math.floor(rand() * o.servers)).padStart(3, '0')}`;
    const [healthSet, monitors, target] = pick(HEALTH_SETS);
    const key = `${healthSet.toLowerCase()}|${server.toLowerCase()}.contoso.com`;
    const at = t0 + i * 1000;
    const alerts = open.get(key) ?? [];
    const r = rand();
    let alert: SentAlert;
    let expected: StormEvent['expected'];
    let closing = false;
    if (alerts.length === 0) {
      alert = {
        id: randomUUID(),
        server,
        healthSet,
        monitor: pick(monitors),
        target,
        repeat: 0,
        closed: false,
      };
      alerts.push(alert);
      open.set(key, alerts);
      incidentNo.set(key, (incidentNo.get(key) ?? 0) + 1);
      expected = 'created';
    } else if (r < 0.1) {
      // SCOM's notification retried: the very same payload again.
      const a = pick(alerts);
      const payload = last.get(a.id) as Record<string, unknown>;
      events.push({
        key,
        payload,
        expected: 'duplicate',
        incidentSeq: `${key}#${incidentNo.get(key)}`,
        alertId: a.id,
      });
      continue;
    } else if (r < 0.2 && alerts.length < monitors.length) {
      const monitor = monitors.find((m) => !alerts.some((a) => a.monitor === m)) as string;
      alert = { id: randomUUID(), server, healthSet, monitor, target, repeat: 0, closed: false };
      alerts.push(alert);
      expected = 'updated';
    } else if (r < 0.75) {
      alert = pick(alerts);
      alert.repeat += 1;
      expected = 'updated';
    } else {
      alert = pick(alerts);
      closing = true;
      alerts.splice(alerts.indexOf(alert), 1);
      expected = alerts.length === 0 ? 'resolved' : 'updated';
    }
    const payload = payloadOf(alert, at, closing);
    last.set(alert.id, payload);
    events.push({
      key,
      payload,
      expected,
      incidentSeq: `${key}#${incidentNo.get(key)}`,
      alertId: alert.id,
    });
  }
  return events;
}

export async function benchStorm(o: StormOptions): Promise<StormResult> {
  const events = generateStorm({ alerts: o.alerts, servers: o.servers, seed: o.seed ?? 20261127 });
  const child = await startChild('bot-server.ts', {
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.prefix,
    SCOM_WEBHOOK_TOKEN: o.token,
  });
  const idle = await child.stats();
  const redisBefore = await usedMemory(o.redis);
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let unexpected = 0;
  /** Model incident → the incident id the bot gave it; alert id → the incident it joined. */
  const incidentOf = new Map<string, string>();
  const alertIncident = new Map<string, string>();
  let wrongIncident = 0;
  const chains = new Map<string, Promise<void>>();
  const url = `${child.url}/api/alerts/scom`;

  const send = async (e: StormEvent): Promise<void> => {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}` },
      body: JSON.stringify(e.payload),
    });
    const body = (await res.json()) as {
      results?: Array<{ outcome: string; incidentId: string | null }>;
    };
    latencies.push(performance.now() - started);
    const r = body.results?.[0];
    const outcome = r?.outcome ?? `http-${res.status}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome !== e.expected) unexpected += 1;
    if (r?.incidentId) {
      const known = incidentOf.get(e.incidentSeq);
      if (known === undefined) incidentOf.set(e.incidentSeq, r.incidentId);
      else if (known !== r.incidentId) wrongIncident += 1;
      alertIncident.set(e.alertId, r.incidentId);
    }
  };

  const started = performance.now();
  const interval = (o.seconds * 1000) / events.length;
  let next = 0;
  let peakHeapUsed = 0;
  const sampler = setInterval(() => {
    void child.stats().then(
      (s) => (peakHeapUsed = Math.max(peakHeapUsed, s.peakHeapUsed)),
      () => undefined,
    );
  }, 1000);
  try {
    // Open loop: every alert leaves at its planned time, whatever the responses do.
    while (next < events.length) {
      const due = Math.floor((performance.now() - started) / interval) + 1;
      for (; next < Math.min(due, events.length); next++) {
        const e = events[next] as StormEvent;
        const chain = (chains.get(e.key) ?? Promise.resolve()).then(() => send(e));
        chains.set(
          e.key,
          chain.catch(() => undefined),
        );
      }
      await sleep(5);
    }
    await Promise.all(chains.values());
  } finally {
    clearInterval(sampler);
  }
  const sendSeconds = (performance.now() - started) / 1000;
  const redisAfter = await usedMemory(o.redis);
  const stats = await child.stats();
  await child.stop();

  // Accounting: every alert id's last delivery is recorded, in the incident the webhook named.
  const keys = redisKeys(o.prefix);
  const store = createRedisIncidentStore(o.redis, { prefix: o.prefix, retentionMs: 86_400_000 });
  const lastPayload = new Map<string, Record<string, unknown>>();
  for (const e of events) lastPayload.set(e.alertId, e.payload);
  const ids = [...lastPayload.keys()];
  const { recorded, missing } = await accountAlerts(o.redis, keys, lastPayload, alertIncident);

  // Every model incident exists, with the status the model ends in.
  const openAtEnd = new Set<string>();
  const lastSeqOfKey = new Map<string, string>();
  for (const e of events) lastSeqOfKey.set(e.key, e.incidentSeq);
  const finalExpected = new Map<string, 'open' | 'resolved'>();
  for (const e of events) {
    if (e.expected === 'created') finalExpected.set(e.incidentSeq, 'open');
    if (e.expected === 'resolved') finalExpected.set(e.incidentSeq, 'resolved');
  }
  let statusMismatch = 0;
  for (const [seq, status] of finalExpected) {
    const id = incidentOf.get(seq);
    const doc = id ? await store.get(id) : null;
    if (!doc || doc.status !== status) statusMismatch += 1;
    if (status === 'open') openAtEnd.add(seq);
  }
  const created = [...finalExpected.keys()].length;
  const resolved = created - openAtEnd.size;

  const queue = new Queue(QUEUE_NAMES.cardEvents, {
    connection: o.redis,
    prefix: keys.bullPrefix,
  });
  // Incident changes and remediation-run changes share the queue (the run's verify procedure
  // starts for every new incident); both redraw a card, and only the first kind is checked
  // against the alerts' outcomes.
  const jobs = await queue.getJobs(
    ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'],
    0,
    -1,
  );
  await queue.close();
  // A job carries one change or the intake's batch of them: count the changes.
  const changes = jobs.flatMap((j) => eventsOf(j.data as CardEventJob));
  const total = changes.filter(
    (e) => e.change === 'created' || e.change === 'updated' || e.change === 'resolved',
  ).length;
  const runUpdates = changes.length - total;
  const expectedMessages =
    (outcomes.created ?? 0) + (outcomes.updated ?? 0) + (outcomes.resolved ?? 0);

  return {
    alerts: events.length,
    servers: o.servers,
    healthSets: HEALTH_SETS.length,
    seconds: o.seconds,
    sendSeconds: Math.round(sendSeconds * 10) / 10,
    alertsPerSecond: Math.round(events.length / sendSeconds),
    latencyMs: summarize(latencies),
    outcomes,
    unexpectedOutcomes: unexpected,
    incidents: { created, resolved, open: openAtEnd.size },
    chatMessages: {
      total,
      runUpdates,
      expected: expectedMessages,
      newCards: outcomes.created ?? 0,
      cardUpdates: (outcomes.updated ?? 0) + (outcomes.resolved ?? 0),
    },
    redisMemoryMiB: mib(redisAfter - redisBefore),
    serverMemory: {
      idleRssMiB: mib(idle.rss),
      peakRssMiB: mib(stats.peakRss),
      peakHeapUsedMiB: mib(Math.max(peakHeapUsed, stats.peakHeapUsed)),
      endRssMiB: mib(stats.rss),
    },
    accounting: {
      alertIds: ids.length,
      recorded,
      missing,
      wrongIncident: wrongIncident + statusMismatch,
    },
    ok:
      unexpected === 0 &&
      missing === 0 &&
      wrongIncident === 0 &&
      statusMismatch === 0 &&
      total === expectedMessages,
  };
}

async function usedMemory(redis: RedisClient): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}
