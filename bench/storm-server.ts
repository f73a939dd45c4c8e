import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, chatQueueName } from '../jobs/queues/names';
import { createRedisIncidentStore } from '../src/infra/redis/redis-incident-store';
import type { Redis, RedisClient } from '../src/infra/redis/redis';
import { redisKeys } from '../src/infra/redis/redis-keys';
import { commandsByName, commandsPerAlertByName, commandsSoFar } from './lib/private-redis';
import { payloadOf } from './storm';
import { keyFamily } from './cost';
import { accountAlerts } from './lib/accounting';
import { startFakeSlackApi, type RecordedCall } from '../test/support/fake-slack-api';
import { startChild } from './lib/child';
import { round, seededRandom, sleep, summarize, type LatencySummary } from './lib/stats';

/**
 * (f) Issue 16's outage storm through the real server: the bot (a child process, outage mode on
 * with its defaults, an inventory with sites, Slack configured against the fake Slack of the
 * tests, which enforces Slack's published limits) gets SCOM alerts on its webhook, paced over the
 * storm's length. Active Directory in site-a goes down: `stormServers` servers of site-a fail two
 * health sets each whose probes depend on it (POP + IMAP, or POP.Protocol + IMAP.Protocol, from
 * the shipped runbooks) within the first half; their alerts repeat (RepeatCount up, and a second
 * alert id for half of them); AD comes back and 90 % of those servers resolve over the last part.
 * Background noise comes from `noiseServers` servers in five other sites (each with a health set
 * no other server of its site has) over the whole storm, and one problem on another server of
 * site-a is raised at the very end. Then it waits (up to `capMs`) for what the channel must show
 * and reports when each was reached, and checks every alert id in Redis.
 */
export interface StormServerOptions {
  redis: RedisClient;
  redisUrl: string;
  prefix: string;
  token: string;
  stormServers: number;
  noiseServers: number;
  seconds: number;
  /** Requests in flight at most (SCOM's connector sends a few at a time). */
  concurrency: number;
  /** How long to wait after the storm for the channel to show the end state. */
  capMs: number;
  seed?: number;
}

export interface StormServerResult {
  alerts: number;
  servers: number;
  seconds: number;
  sendSeconds: number;
  concurrency: number;
  latencyMs: LatencySummary;
  outcomes: Record<string, number>;
  unexpectedOutcomes: number;
  incidents: { storm: number; stormOpenAtEnd: number; noise: number; noiseResolved: number };
  channel: {
    topLevelMessages: number;
    outageCards: number;
    /** Own cards of outage members (each should become a pointer to the outage card). */
    stormOwnCards: number;
    stormPointers: number;
    noiseCards: number;
    lateCards: number;
    otherTopLevel: number;
    threadMessages: number;
    updates: number;
    outageCardUpdates: number;
    /** Updates identical to what the card showed already. */
    identicalUpdates: number;
    /** Top-level posts per minute, from the storm's start to the last one. */
    messagesPerMinute: number;
    /** The most Web API posts and updates in any 60 s. */
    peakCallsPerMinute: number;
    limited429: number;
  };
  /** Each lag in ms; null when not reached within the cap. */
  lagMs: {
    /** The outage card showing every member, after the last member's first alert was answered. */
    outageCardAllMembers: number | null;
    /** The same, after the storm's last alert was answered. */
    outageCardAllMembersAfterEnd: number | null;
    /** The last own card (noise, late problem) posted, after the storm's last alert was answered. */
    lastCardAfterEnd: number | null;
    /** The late problem's card, after its alert was answered. */
    lateCard: number | null;
    /** The outage card showing the storm's end state, after the last storm resolution answered. */
    outageCardResolutions: number | null;
    /** Every resolved noise card showing resolved, after the last noise resolution answered. */
    incidentCardsResolved: number | null;
  };
  /** From the storm's last answer until the bot's queues had nothing waiting, delayed or active. */
  /**
   * From a change's answer to its card's next draw: the outage card for members joining and
   * resolving, the noise cards for each of their alerts.
   */
  cardBehindMs: { outage: LatencySummary; noise: LatencySummary };
  drainMs: number | null;
  backlogPeak: number;
  /** Once a second: jobs on each queue, and site-a's outage members in Redis (all / open). */
  timeline: Array<{
    t: number;
    cardEvents: number;
    triggers: number;
    chatWaiting: number;
    chatDelayed: number;
    outageMembers: number;
    outageOpen: number;
  }>;
  botCpuMsPerAlert: number;
  /**
   * Every command Redis ran (INFO commandstats, scripts' own included) from the storm's start until
   * the end state was shown and the queues were empty, per alert sent: webhook, outage routing,
   * runs, chat delivery and audit. Its Redis is the bench's own, so nothing else is counted.
   */
  redisCommandsPerAlert: number;
  /** Jobs each BullMQ queue holds at the end (completed ones are kept), by queue. */
  jobsByQueue: Record<string, number>;
  /** The same, by command name, largest first (at least 0.05 per alert). */
  redisCommandsPerAlertByName: Record<string, number>;
  accounting: { alertIds: number; recorded: number; missing: number; wrongIncident: number };
  /** Issue 16's targets, each met or not. */
  targets: {
    no429: boolean;
    oneMessagePerStory: boolean;
    visibleWithin10s: boolean;
    noneUnaccounted: boolean;
  };
  waitedMs: number;
  reached: Record<string, boolean>;
  /** Site-a's remediation admission at the end (no worker runs here, so nothing finishes). */
  siteAAdmission: { running: number; waiting: number; lateWaiting: boolean };
  /** Every chat call the fake Slack saw, for a closer look: ms from the start, card, text. */
  calls: Array<{ t: number; method: string; card: string; status: number; text: string }>;
}

type Kind = 'storm' | 'noise' | 'late';

interface ModelAlert {
  id: string;
  repeat: number;
}

interface ModelIncident {
  key: string;
  kind: Kind;
  server: string;
  site: string;
  healthSet: string;
  monitor: string;
  target: string;
  /** The bot's id, from the first answer. */
  incidentId?: string;
  resolves: boolean;
}

interface Send {
  at: number;
  incident: ModelIncident;
  alertId: string;
  payload: Record<string, unknown>;
  expected: 'created' | 'updated' | 'resolved';
  closing: boolean;
  answeredAt?: number;
}

/** Health sets of the shipped runbooks whose failing probes depend on Active Directory. */
const AD_PAIRS: Array<Array<[string, string, string]>> = [
  [
    ['POP', 'PopCTPMonitor', 'MSExchangePOP3'],
    ['IMAP', 'ImapCTPMonitor', 'MSExchangeIMAP4'],
  ],
  [
    ['POP.Protocol', 'PopDeepTestMonitor', 'MSExchangePOP3BE'],
    ['IMAP.Protocol', 'ImapDeepTestMonitor', 'MSExchangeIMAP4BE'],
  ],
];
/** Background noise: health sets outside the runbooks, one family per server of a site. */
const NOISE_SETS: Array<[string, string, string]> = [
  ['HubTransport', 'TransportQueueMonitor', 'MSExchangeTransport'],
  ['DataProtection', 'DatabaseCopySuspendedMonitor', 'MSExchangeRepl'],
  ['ActiveSync.Protocol', 'ActiveSyncDeepTestMonitor', 'MSExchangeSyncAppPool'],
  ['EWS.Protocol', 'EWSDeepTestMonitor', 'MSExchangeServicesAppPool'],
  ['OutlookMapiHttp.Protocol', 'OutlookMapiHttpDeepTestMonitor', 'MSExchangeMapiFrontEndAppPool'],
  ['Autodiscover.Protocol', 'AutodiscoverSelfTestMonitor', 'MSExchangeAutodiscoverAppPool'],
  ['OWA.Protocol', 'OwaDeepTestMonitor', 'MSExchangeOWAAppPool'],
  ['ECP', 'EcpSelfTestMonitor', 'MSExchangeECPAppPool'],
  ['Search', 'SearchIndexMonitor', 'MSExchangeFastSearch'],
  ['FrontendTransport', 'FrontendTransportMonitor', 'MSExchangeFrontEndTransport'],
];
const NOISE_SITES = ['site-b', 'site-c', 'site-d', 'site-e', 'site-f'];
const LATE: [string, string, string] = ['Store', 'StoreServiceKilledMonitor', 'MSExchangeIS'];

/** The storm's alerts, each with its planned time (ms from the start) and expected outcome. */
export function planStorm(o: {
  stormServers: number;
  noiseServers: number;
  seconds: number;
  seed: number;
}): { sends: Send[]; incidents: ModelIncident[]; inventory: unknown } {
  const rand = seededRandom(o.seed);
  const T = o.seconds * 1000;
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const sends: Send[] = [];
  const incidents: ModelIncident[] = [];
  const sites: Record<string, { servers: Array<{ name: string }> }> = {
    'site-a': { servers: [] },
  };
  // Per incident: its alerts in time order; the expected outcome is worked out afterwards.
  const timeline = new Map<
    ModelIncident,
    Array<{ at: number; alert: ModelAlert; closing: boolean }>
  >();
  const add = (i: ModelIncident) => {
    incidents.push(i);
    timeline.set(i, []);
  };
  const push = (i: ModelIncident, at: number, alert: ModelAlert, closing: boolean) =>
    timeline.get(i)?.push({ at: Math.round(at), alert: { ...alert }, closing });

  // Site-a: first failures in the first half, repeats until AD is back (at 2/3), then 90 % of
  // the servers resolve over the rest (the others have a problem of their own).
  const back = T * (2 / 3);
  for (let s = 0; s < o.stormServers; s++) {
    const server = `AEX${String(s + 1).padStart(3, '0')}`;
    sites['site-a']?.servers.push({ name: server });
    const resolves = s % 10 !== 9;
    const firstAt = (s / o.stormServers) * (T / 2) * 0.95;
    (AD_PAIRS[s % 2] ?? []).forEach(([healthSet, monitor, target], h) => {
      const i: ModelIncident = {
        key: `${healthSet}|${server}`.toLowerCase(),
        kind: 'storm',
        server,
        site: 'site-a',
        healthSet,
        monitor,
        target,
        resolves,
      };
      add(i);
      const start = firstAt + h * 400 + rand() * 300;
      const alerts: ModelAlert[] = [{ id: randomUUID(), repeat: 0 }];
      push(i, start, alerts[0] as ModelAlert, false);
      // Half of them get a second alert id (SCOM raised another for the same health set).
      if (rand() < 0.5) {
        const second: ModelAlert = { id: randomUUID(), repeat: 0 };
        alerts.push(second);
        push(i, start + 500 + rand() * (back - start - 1000), second, false);
      }
      for (let r = 0; r < 3; r++) {
        const a = alerts[Math.floor(rand() * alerts.length)] as ModelAlert;
        a.repeat += 1;
        push(i, start + 600 + rand() * (back - start - 1200), a, false);
      }
      if (resolves) {
        for (const a of alerts) push(i, back + rand() * (T * 0.96 - back), a, true);
      }
    });
  }
  // Noise: one incident per server, a health set no other server of its site has.
  for (let n = 0; n < o.noiseServers; n++) {
    const site = NOISE_SITES[n % NOISE_SITES.length] as string;
    const slot = Math.floor(n / NOISE_SITES.length);
    const [healthSet, monitor, target] = NOISE_SETS[slot % NOISE_SETS.length] as [
      string,
      string,
      string,
    ];
    const server = `${site.slice(-1).toUpperCase()}EX${String(n + 1).padStart(3, '0')}`;
    sites[site] = sites[site] ?? { servers: [] };
    sites[site]?.servers.push({ name: server });
    const i: ModelIncident = {
      key: `${healthSet}|${server}`.toLowerCase(),
      kind: 'noise',
      server,
      site,
      healthSet,
      monitor,
      target,
      resolves: rand() < 0.6,
    };
    add(i);
    const start = rand() * T * 0.8;
    const a: ModelAlert = { id: randomUUID(), repeat: 0 };
    push(i, start, a, false);
    let at = start;
    for (let r = 0; r < 3; r++) {
      at += rand() * ((T * 0.9 - at) / 3);
      a.repeat += 1;
      push(i, at, a, false);
    }
    if (i.resolves) push(i, at + rand() * (T * 0.96 - at), a, true);
  }
  // The late problem: another server of site-a, a health set unrelated to the outage.
  const lateServer = `AEX${String(o.stormServers + 1).padStart(3, '0')}`;
  sites['site-a']?.servers.push({ name: lateServer });
  const late: ModelIncident = {
    key: `${LATE[0]}|${lateServer}`.toLowerCase(),
    kind: 'late',
    server: lateServer,
    site: 'site-a',
    healthSet: LATE[0],
    monitor: LATE[1],
    target: LATE[2],
    resolves: false,
  };
  add(late);
  push(late, T, { id: randomUUID(), repeat: 0 }, false);

  for (const [i, list] of timeline) {
    list.sort((a, b) => a.at - b.at);
    const open = new Set<string>();
    for (const e of list) {
      let expected: Send['expected'];
      if (e.closing) {
        open.delete(e.alert.id);
        expected = open.size === 0 ? 'resolved' : 'updated';
      } else {
        expected = open.size === 0 ? 'created' : 'updated';
        open.add(e.alert.id);
      }
      sends.push({
        at: e.at,
        incident: i,
        alertId: e.alert.id,
        payload: payloadOf({ ...i, ...e.alert }, t0 + e.at, e.closing),
        expected,
        closing: e.closing,
      });
    }
  }
  sends.sort((a, b) => a.at - b.at);
  return { sends, incidents, inventory: { sites } };
}

/** A bounded number of requests in flight; the rest wait their turn in order. */
function semaphore(n: number) {
  let free = n;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}

const OUTAGE =
  /^Outage in ([^:]+): .*?(\d+) incidents? on (\d+) servers?\. (?:Open: (\d+) of (\d+)|Resolved)/;
const INCIDENT = /^\[([^\]]+)\] /;
const POINTER = /^Part of the outage in /;

export async function benchStormServer(o: StormServerOptions): Promise<StormServerResult> {
  const { sends, incidents, inventory } = planStorm({
    stormServers: o.stormServers,
    noiseServers: o.noiseServers,
    seconds: o.seconds,
    seed: o.seed ?? 16,
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exchops-storm-'));
  const inventoryFile = path.join(dir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(inventory));
  const fake = await startFakeSlackApi();
  fake.enforceLimits();
  const channel = 'C0BENCHSTORM';
  const bot = await startChild('bot-server.ts', {
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.prefix,
    SCOM_WEBHOOK_TOKEN: o.token,
    SLACK_BOT_TOKEN: 'xoxb-bench-storm',
    SLACK_SIGNING_SECRET: 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf',
    SLACK_API_URL: fake.apiUrl,
    SLACK_ALERT_CHANNEL: channel,
    INVENTORY_FILE: inventoryFile,
    // As in production: the runs' checks are signed and queued (no worker takes them here).
    JOB_SIGNING_KEY: randomBytes(32).toString('hex'),
  });
  const keys = redisKeys(o.prefix);
  const queues = [
    QUEUE_NAMES.cardEvents,
    QUEUE_NAMES.remediationTriggers,
    chatQueueName('slack'),
  ].map((n) => new Queue(n, { connection: o.redis, prefix: keys.bullPrefix }));
  const backlog = async (): Promise<number> => {
    const counts = await Promise.all(
      queues.map((q) =>
        q.getJobCounts('wait', 'active', 'prioritized', 'delayed', 'waiting-children'),
      ),
    );
    return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
  };

  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let unexpected = 0;
  let wrongIncident = 0;
  const alertIncident = new Map<string, string>();
  const url = `${bot.url}/api/alerts/scom`;
  const limit = semaphore(o.concurrency);
  const send = async (e: Send): Promise<void> => {
    const started = performance.now();
    let outcome: string;
    let incidentId: string | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}` },
        body: JSON.stringify(e.payload),
      });
      const body = (await res.json().catch(() => ({}))) as {
        results?: Array<{ outcome: string; incidentId: string | null }>;
      };
      const r = res.status === 202 ? body.results?.[0] : undefined;
      outcome = r?.outcome ?? `http-${res.status}`;
      incidentId = r?.incidentId ?? null;
    } catch {
      outcome = 'error';
    }
    latencies.push(performance.now() - started);
    e.answeredAt = Date.now();
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome !== e.expected) unexpected += 1;
    if (incidentId) {
      if (e.incident.incidentId === undefined) e.incident.incidentId = incidentId;
      else if (e.incident.incidentId !== incidentId) wrongIncident += 1;
      alertIncident.set(e.alertId, incidentId);
    }
  };

  const idle = await bot.stats();
  // BENCH_MONITOR=1: every command by name and key family (MONITOR slows Redis: a diagnosis, not
  // a measurement of speed). A script's own commands are marked `lua`.
  const monitored = new Map<string, number>();
  const monitor = process.env.BENCH_MONITOR === '1' ? await (o.redis as Redis).monitor() : null;
  monitor?.on('monitor', (_time: string, args: string[], source: string) => {
    const name = String(args[0]).toLowerCase();
    const label = `${source === 'lua' ? 'lua ' : ''}${name} ${keyFamily(String(args[1] ?? ''), o.prefix)}`;
    monitored.set(label, (monitored.get(label) ?? 0) + 1);
  });
  const commandsBefore = await commandsSoFar(o.redis);
  const byNameBefore = await commandsByName(o.redis);
  let backlogPeak = 0;
  const timeline: StormServerResult['timeline'] = [];
  let sampling = false;
  // Every second: what waits on each queue, and what site-a's outage state in Redis holds (so a
  // card behind can be told apart from a fan-out behind).
  const sample = async () => {
    if (sampling) return;
    sampling = true;
    try {
      const [events, triggers, chat] = await Promise.all(
        queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized', 'delayed')),
      );
      const sum = (c: Record<string, number> | undefined) =>
        Object.values(c ?? {}).reduce((a, b) => a + b, 0);
      backlogPeak = Math.max(backlogPeak, sum(events) + sum(triggers) + sum(chat));
      const doc = await o.redis.hget(keys.outageState('site-a'), 'doc');
      const outage = doc
        ? (JSON.parse(doc) as { outages: Array<{ members: Array<{ status: string }> }> }).outages[0]
        : undefined;
      timeline.push({
        t: Date.now() - startedAt,
        cardEvents: sum(events),
        triggers: sum(triggers),
        chatWaiting: (chat?.wait ?? 0) + (chat?.prioritized ?? 0) + (chat?.active ?? 0),
        chatDelayed: chat?.delayed ?? 0,
        outageMembers: outage?.members.length ?? 0,
        outageOpen: outage?.members.filter((m) => m.status === 'open').length ?? 0,
      });
    } catch {
      // A sample lost to a busy moment is not worth failing the bench for.
    } finally {
      sampling = false;
    }
  };
  const startedAt = Date.now();
  const sampler = setInterval(() => void sample(), 1000);
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    clearInterval(sampler);
    await Promise.allSettled(queues.map((q) => q.close()));
    await bot.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const started = performance.now();
  const chains = new Map<string, Promise<void>>();
  let next = 0;
  try {
    // Open loop at the planned times; one incident's alerts in order, at most `concurrency` at once.
    while (next < sends.length) {
      const now = performance.now() - started;
      for (; next < sends.length && (sends[next] as Send).at <= now; next++) {
        const e = sends[next] as Send;
        const chain = (chains.get(e.incident.key) ?? Promise.resolve()).then(() =>
          limit(() => send(e)),
        );
        chains.set(
          e.incident.key,
          chain.catch(() => undefined),
        );
      }
      await sleep(5);
    }
    await Promise.all(chains.values());
  } catch (err) {
    await cleanup();
    throw err;
  }
  const endedAt = Date.now();
  const sendSeconds = (performance.now() - started) / 1000;

  // What the channel must show, and when it first did (from the fake Slack's record).
  const storm = incidents.filter((i) => i.kind === 'storm');
  const noise = incidents.filter((i) => i.kind === 'noise');
  const late = incidents.find((i) => i.kind === 'late') as ModelIncident;
  const stormOpenAtEnd = storm.filter((i) => !i.resolves).length;
  const own = [...noise, late];
  const lastOf = (pick: (e: Send) => boolean) =>
    Math.max(0, ...sends.filter(pick).map((e) => e.answeredAt ?? 0));
  const lastStormFirstAt = lastOf((e) => e.incident.kind === 'storm' && e.expected === 'created');
  const lastStormResolutionAt = lastOf((e) => e.incident.kind === 'storm' && e.closing);
  const lastNoiseResolutionAt = lastOf((e) => e.incident.kind === 'noise' && e.closing);
  const lateAnsweredAt = lastOf((e) => e.incident.kind === 'late');
  const stormServerCount = new Set(storm.map((i) => i.server)).size;

  const text = (c: RecordedCall) => String(c.body.text ?? '');
  const good = (c: RecordedCall) => !c.status && c.body.channel === channel;
  const cardAt = (c: RecordedCall) => (c.method === 'chat.update' ? String(c.body.ts) : c.ts);
  const view = () => {
    const calls = fake.calls.filter(good);
    const posts = calls.filter((c) => c.method === 'chat.postMessage' && !c.body.thread_ts);
    const outageTs = new Set(posts.filter((c) => OUTAGE.test(text(c))).map((c) => c.ts));
    const draws = calls.filter(
      (c) =>
        (c.method === 'chat.update' || (c.method === 'chat.postMessage' && !c.body.thread_ts)) &&
        cardAt(c) !== undefined,
    );
    const outageDraws = draws.filter((c) => outageTs.has(cardAt(c)));
    const firstPostOf = new Map<string, RecordedCall>();
    const tsOf = new Map<string, string>();
    for (const c of posts) {
      const id = INCIDENT.exec(text(c))?.[1];
      if (id && !firstPostOf.has(id)) {
        firstPostOf.set(id, c);
        if (c.ts) tsOf.set(id, c.ts);
      }
    }
    const allMembers = outageDraws.find((c) => {
      const m = OUTAGE.exec(text(c));
      return (
        m && m[1] === 'site-a' && Number(m[2]) === storm.length && Number(m[3]) === stormServerCount
      );
    });
    const endState = outageDraws.find((c) => {
      if (c.at < lastStormResolutionAt) return false;
      const m = OUTAGE.exec(text(c));
      if (!m || Number(m[2]) !== storm.length) return false;
      return stormOpenAtEnd === 0 ? m[4] === undefined : Number(m[4]) === stormOpenAtEnd;
    });
    const ownPosted = own.map((i) => (i.incidentId ? firstPostOf.get(i.incidentId) : undefined));
    const resolvedShown = noise
      .filter((i) => i.resolves)
      .map((i) => {
        const ts = i.incidentId ? tsOf.get(i.incidentId) : undefined;
        return ts
          ? draws.find((c) => cardAt(c) === ts && /^\[[^\]]+\] Resolved/.test(text(c)))
          : undefined;
      });
    return {
      calls,
      posts,
      outageTs,
      outageDraws,
      firstPostOf,
      tsOf,
      allMembers,
      endState,
      ownPosted,
      resolvedShown,
    };
  };

  // Wait, up to the cap, for every condition, and until the queues are empty.
  const capAt = endedAt + o.capMs;
  let drainedAt: number | null = null;
  let v = view();
  let waitedMs: number;
  let admissionDoc: { running: unknown[]; waiting: Array<{ server?: string }> } = {
    running: [],
    waiting: [],
  };
  let stats: Awaited<ReturnType<typeof bot.stats>>;
  let commandsAfter: number;
  let byNameAfter: Record<string, number>;
  let jobsByQueue: Record<string, number>;
  try {
    for (;;) {
      v = view();
      if (drainedAt === null && (await backlog()) === 0) drainedAt = Date.now();
      const done =
        v.allMembers !== undefined &&
        v.endState !== undefined &&
        v.ownPosted.every((c) => c !== undefined) &&
        v.resolvedShown.every((c) => c !== undefined) &&
        drainedAt !== null;
      if (done || Date.now() > capAt) break;
      await sleep(250);
    }
    // A little more, for anything the end state still sends (the thread's resolution message).
    await sleep(2000);
    clearInterval(sampler);
    v = view();
    waitedMs = Date.now() - endedAt;
    admissionDoc = JSON.parse(
      (await o.redis.hget(keys.admission('site-a'), 'doc')) ?? '{"running":[],"waiting":[]}',
    ) as typeof admissionDoc;
    stats = await bot.stats();
    commandsAfter = await commandsSoFar(o.redis);
    byNameAfter = await commandsByName(o.redis);
    jobsByQueue = await jobsPerQueue(o.redis, keys.bullPrefix);
    if (monitor) {
      monitor.disconnect();
      const perAlert = (n: number) => Math.round((n / sends.length) * 10) / 10;
      const rows = [...monitored].sort((a, b) => b[1] - a[1]);
      // A family: a queue's keys (`{bull}:<queue>`), else the hash tag (`{inc}`, `{audit}`).
      const families = new Map<string, number>();
      for (const [label, n] of rows) {
        const key = label.split(' ').at(-1) ?? '';
        const family = key.startsWith('{bull}')
          ? key.split(':').slice(0, 2).join(':')
          : (key.split(':')[0] ?? key);
        families.set(family, (families.get(family) ?? 0) + n);
      }
      writeFileSync(
        'bench/results/monitor.json',
        JSON.stringify(
          {
            families: Object.fromEntries(
              [...families].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, perAlert(n)]),
            ),
            commands: Object.fromEntries(rows.map(([k, n]) => [k, perAlert(n)])),
          },
          null,
          1,
        ),
      );
    }
  } finally {
    await cleanup();
  }

  // Accounting: every alert id answered is recorded, by its last payload, in the incident named.
  const store = createRedisIncidentStore(o.redis, { prefix: o.prefix, retentionMs: 86_400_000 });
  const lastPayload = new Map<string, Record<string, unknown>>();
  for (const e of sends) if (e.answeredAt !== undefined) lastPayload.set(e.alertId, e.payload);
  const ids = [...lastPayload.keys()];
  const { recorded, missing } = await accountAlerts(o.redis, keys, lastPayload, alertIncident);

  for (const i of incidents) {
    const doc = i.incidentId ? await store.get(i.incidentId) : null;
    const closed = i.resolves;
    if (!doc || doc.status !== (closed ? 'resolved' : 'open')) wrongIncident += 1;
  }

  // The channel, classified.
  const kindOf = new Map<string, Kind>();
  for (const i of incidents) if (i.incidentId) kindOf.set(i.incidentId, i.kind);
  const postKind = (c: RecordedCall): string => {
    const t = text(c);
    if (OUTAGE.test(t)) return 'outage';
    const id = INCIDENT.exec(t)?.[1];
    return (id && kindOf.get(id)) || 'other';
  };
  const byKind = (k: string) => v.posts.filter((c) => postKind(c) === k).length;
  const stormTs = new Set(v.posts.filter((c) => postKind(c) === 'storm').map((c) => c.ts));
  const updates = v.calls.filter((c) => c.method === 'chat.update');
  const webCalls = v.calls
    .filter((c) => c.method === 'chat.update' || c.method === 'chat.postMessage')
    .map((c) => c.at)
    .sort((a, b) => a - b);
  let peak = 0;
  for (let a = 0, b = 0; b < webCalls.length; b++) {
    while ((webCalls[b] as number) - (webCalls[a] as number) >= 60_000) a++;
    peak = Math.max(peak, b - a + 1);
  }
  const lastPost = v.posts.at(-1)?.at ?? startedAt;
  const minutes = Math.max(1, (lastPost - startedAt) / 60_000);
  const lag = (c: RecordedCall | undefined, from: number) => (c ? c.at - from : null);
  const ownPosted = v.ownPosted.filter((c): c is RecordedCall => c !== undefined);
  const lastOwn = ownPosted.length === own.length ? Math.max(...ownPosted.map((c) => c.at)) : null;
  const resolvedShown = v.resolvedShown.filter((c): c is RecordedCall => c !== undefined);
  const lateCall = v.ownPosted.at(-1);
  // How far behind a card was: from each change's answer to the card's next draw.
  const drawsOf = (ts: string | undefined) =>
    ts ? v.calls.filter((c) => !c.body.thread_ts && cardAt(c) === ts).map((c) => c.at) : [];
  const behindOf = (changes: Send[], draws: number[]) =>
    changes
      .map((e) => {
        const at = e.answeredAt ?? 0;
        const next = draws.find((d) => d >= at);
        return next === undefined ? null : next - at;
      })
      .filter((x): x is number => x !== null);
  const outageDrawTimes = v.posts.filter((c) => v.outageTs.has(c.ts)).flatMap((c) => drawsOf(c.ts));
  const outageBehind = behindOf(
    sends.filter((e) => e.incident.kind === 'storm' && e.expected !== 'updated'),
    outageDrawTimes,
  );
  const noiseBehind = noise.flatMap((i) =>
    behindOf(
      sends.filter((e) => e.incident === i),
      drawsOf(i.incidentId ? v.tsOf.get(i.incidentId) : undefined),
    ),
  );
  // Updates that drew exactly what the card already showed (text and blocks): budget spent on
  // nothing the channel can see.
  const shown = new Map<string, string>();
  let identicalUpdates = 0;
  for (const c of v.calls) {
    const ts = cardAt(c);
    if (c.body.thread_ts || ts === undefined) continue;
    const drawn = JSON.stringify([c.body.text, c.body.blocks]);
    if (c.method === 'chat.update' && shown.get(ts) === drawn) identicalUpdates += 1;
    shown.set(ts, drawn);
  }
  const outageCards = byKind('outage');
  const noiseCards = byKind('noise');
  const lateCards = byKind('late');

  const result: StormServerResult = {
    alerts: sends.length,
    servers: stormServerCount + noise.length + 1,
    seconds: o.seconds,
    sendSeconds: round(sendSeconds, 1),
    concurrency: o.concurrency,
    latencyMs: summarize(latencies),
    outcomes,
    unexpectedOutcomes: unexpected,
    incidents: {
      storm: storm.length,
      stormOpenAtEnd,
      noise: noise.length,
      noiseResolved: noise.filter((i) => i.resolves).length,
    },
    channel: {
      topLevelMessages: v.posts.length,
      outageCards,
      stormOwnCards: byKind('storm'),
      stormPointers: updates.filter((c) => stormTs.has(String(c.body.ts)) && POINTER.test(text(c)))
        .length,
      noiseCards,
      lateCards,
      otherTopLevel: byKind('other'),
      threadMessages: v.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts)
        .length,
      updates: updates.length,
      outageCardUpdates: updates.filter((c) => v.outageTs.has(String(c.body.ts))).length,
      identicalUpdates,
      messagesPerMinute: round(v.posts.length / minutes, 1),
      peakCallsPerMinute: peak,
      limited429: fake.limited().length,
    },
    lagMs: {
      outageCardAllMembers: lag(v.allMembers, lastStormFirstAt),
      outageCardAllMembersAfterEnd: lag(v.allMembers, endedAt),
      lastCardAfterEnd: lastOwn === null ? null : lastOwn - endedAt,
      lateCard: lag(lateCall, lateAnsweredAt),
      outageCardResolutions: lag(v.endState, lastStormResolutionAt),
      incidentCardsResolved:
        resolvedShown.length === v.resolvedShown.length
          ? Math.max(0, ...resolvedShown.map((c) => c.at)) - lastNoiseResolutionAt
          : null,
    },
    cardBehindMs: { outage: summarize(outageBehind), noise: summarize(noiseBehind) },
    drainMs: drainedAt === null ? null : drainedAt - endedAt,
    backlogPeak,
    timeline,
    botCpuMsPerAlert: round((stats.cpuMs - idle.cpuMs) / sends.length, 2),
    redisCommandsPerAlert: Math.round((commandsAfter - commandsBefore) / sends.length),
    redisCommandsPerAlertByName: commandsPerAlertByName(byNameBefore, byNameAfter, sends.length),
    jobsByQueue,
    accounting: { alertIds: ids.length, recorded, missing, wrongIncident },
    targets: {
      no429: fake.limited().length === 0,
      // One outage card for the storm, one card per noise incident and for the late problem.
      oneMessagePerStory:
        outageCards === 1 &&
        byKind('storm') <= 1 &&
        noiseCards === noise.length &&
        lateCards === 1 &&
        v.posts.length === 1 + byKind('storm') + noise.length + 1,
      visibleWithin10s: false,
      noneUnaccounted: missing === 0 && wrongIncident === 0 && ids.length === lastPayload.size,
    },
    waitedMs,
    siteAAdmission: {
      running: admissionDoc.running.length,
      waiting: admissionDoc.waiting.length,
      lateWaiting: admissionDoc.waiting.some((w) => JSON.stringify(w).includes(late.server)),
    },
    calls: fake.calls
      .filter((c) => c.method.startsWith('chat.'))
      .map((c) => {
        const ts = c.method === 'chat.update' ? String(c.body.ts) : String(c.body.thread_ts ?? '');
        const parent = v.posts.find((p) => p.ts === ts);
        const card = c.body.thread_ts
          ? `thread of ${parent ? postKind(parent) : '?'}`
          : parent
            ? postKind(parent)
            : postKind(c);
        return {
          t: c.at - startedAt,
          method: c.method,
          card,
          status: c.status ?? 200,
          text: text(c).slice(0, 120),
        };
      }),
    reached: {
      outageCardAllMembers: v.allMembers !== undefined,
      outageCardEndState: v.endState !== undefined,
      everyOwnCard: ownPosted.length === own.length,
      everyResolvedCard: resolvedShown.length === v.resolvedShown.length,
      queuesDrained: drainedAt !== null,
    },
  };
  const within = (x: number | null) => x !== null && x <= 10_000;
  result.targets.visibleWithin10s =
    within(result.lagMs.outageCardAllMembersAfterEnd) &&
    within(result.lagMs.lastCardAfterEnd) &&
    within(result.lagMs.outageCardResolutions) &&
    within(result.lagMs.incidentCardsResolved);
  return result;
}

/** Every job each BullMQ queue under the prefix holds (in any state; completed ones are kept). */
async function jobsPerQueue(
  redis: RedisClient,
  bullPrefix: string,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${bullPrefix}:*:meta`, 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      const name = key.slice(bullPrefix.length + 1, -':meta'.length);
      const q = new Queue(name, { connection: redis, prefix: bullPrefix });
      const counts = await q.getJobCounts();
      out[name] = Object.values(counts).reduce((a, b) => a + b, 0);
      await q.close();
    }
  } while (cursor !== '0');
  return out;
}
