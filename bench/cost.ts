import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { buildScenarioAlert } from '../jobs/simulated-exchange/alert-scenarios';
import { QUEUE_NAMES, chatQueueName } from '../jobs/queues/names';
import { createRedis, type Redis } from '../src/infra/redis/redis';
import { redisKeys } from '../src/infra/redis/redis-keys';
import { startFakeSlackApi } from '../test/support/fake-slack-api';
import { startChild } from './lib/child';
import { startPrivateRedis } from './lib/private-redis';

/**
 * (e) Redis commands per alert: the real bot (a child process, Slack configured against the fake
 * Slack of the tests) on a private redis-server of its own, so every command it sees is the bot's.
 * MONITOR counts the commands; those a Lua script runs are counted apart (`in scripts`), since a
 * script is one round trip. For each kind of alert (a new incident, an update, a duplicate, a
 * resolution) the request path is measured with the bot's queues paused (so nothing behind the
 * 202 runs yet), then the queues are resumed and the background (fan-out, card, run start, audit)
 * is counted until every queue is empty again. The idle polling of the BullMQ workers (measured
 * first, per second) is subtracted.
 */
export interface CostKind {
  alerts: number;
  /** Per alert, round trips (commands sent by a client; a script call counts one). */
  request: number;
  background: number;
  total: number;
  /** Per alert, commands Lua scripts ran inside those round trips. */
  requestInScripts: number;
  backgroundInScripts: number;
  /** Per alert, every command Redis ran (what INFO commandstats counts): total + in scripts. */
  allCommands: number;
  /** The most frequent commands of this kind, per alert (request + background). */
  top: Record<string, number>;
  /** Every command (scripts' included) per alert, by key family, the largest first. */
  families: Record<string, number>;
}

export interface CostResult {
  perKind: Record<'created' | 'updated' | 'duplicate' | 'resolved' | 'batch', CostKind>;
  /** Per alert of a storm-like mix (1 new incident, 2 updates, 1 duplicate, 1 resolution). */
  mixed: { roundTrips: number; allCommands: number };
  idlePerSecond: number;
}

interface Counted {
  top: number;
  inScripts: number;
  byName: Map<string, number>;
  /** Every command (scripts' included) by the family of the key it touches. */
  families: Map<string, number>;
}

/** A key without the prefix and its ids: `{inc}:incident:*`, `bull:incident-events:*`. */
export function keyFamily(key: string, prefix: string): string {
  if (!key.startsWith(prefix)) return '(no key)';
  const rest = key.slice(prefix.length + 1);
  const parts = rest.split(':');
  // BullMQ keys: <prefix>:bull:<queue>:<kind>[:<job id>]; ours: <prefix>:{slot}:<kind>[:<id>].
  const keep = parts[0]?.includes('bull') ? 3 : 2;
  return parts.slice(0, keep).join(':') + (parts.length > keep ? ':*' : '');
}

export async function benchCost(o: { prefix: string; token: string; rounds: number }) {
  const redisServer = await startPrivateRedis();
  const fake = await startFakeSlackApi();
  const redis = createRedis(redisServer.url, { connectionName: 'bench-cost' }) as Redis;
  const keys = redisKeys(o.prefix);
  const names = [QUEUE_NAMES.cardEvents, QUEUE_NAMES.remediationTriggers, chatQueueName('slack')];
  const queues = names.map((n) => new Queue(n, { connection: redis, prefix: keys.bullPrefix }));
  await Promise.all(queues.map((q) => q.getJobCounts()));
  const monitor = await redis.monitor();
  // Every connection open now is the bench's own; the bot's come after.
  const own = new Set<string>();
  for (const line of String(await redis.client('LIST')).split('\n')) {
    const addr = / addr=(\S+)/.exec(line)?.[1];
    if (addr) own.add(addr);
  }
  let counting: Counted | null = null;
  const fences = new Map<string, () => void>();
  // A script's own commands come with the source 'lua', right after the call that ran it (Redis
  // runs one at a time): they are the caller's. The bench's own scripts (BullMQ's job counts,
  // polled while it waits for the queues to drain) are not the bot's.
  let caller = '';
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === 'echo' && args[1] && fences.has(args[1])) {
      fences.get(args[1])?.();
      return;
    }
    if (source !== 'lua') caller = source;
    if (!counting || own.has(caller)) return;
    const name = String(args[0]).toLowerCase();
    const family = keyFamily(String(args[1] ?? ''), o.prefix);
    counting.families.set(family, (counting.families.get(family) ?? 0) + 1);
    if (source === 'lua') counting.inScripts += 1;
    else {
      counting.top += 1;
      const label = name === 'evalsha' || name === 'eval' ? `script` : name;
      counting.byName.set(label, (counting.byName.get(label) ?? 0) + 1);
    }
  });
  // The monitor's feed lags the commands: wait until it has shown everything up to now.
  const fence = async (): Promise<void> => {
    const token = `fence-${randomUUID()}`;
    const seen = new Promise<void>((resolve) => fences.set(token, resolve));
    await redis.echo(token);
    await seen;
    fences.delete(token);
  };
  const count = async <T>(fn: () => Promise<T>): Promise<{ c: Counted; ms: number; v: T }> => {
    const c: Counted = { top: 0, inScripts: 0, byName: new Map(), families: new Map() };
    await fence();
    counting = c;
    const start = Date.now();
    const v = await fn();
    await fence();
    counting = null;
    return { c, ms: Date.now() - start, v };
  };
  const bot = await startChild('bot-server.ts', {
    REDIS_URL: redisServer.url,
    REDIS_PREFIX: o.prefix,
    SCOM_WEBHOOK_TOKEN: o.token,
    SLACK_BOT_TOKEN: 'xoxb-bench-cost',
    SLACK_SIGNING_SECRET: 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf',
    SLACK_API_URL: fake.apiUrl,
    SLACK_ALERT_CHANNEL: 'C0BENCH001',
  });

  const post = async (body: unknown): Promise<string[]> => {
    const res = await fetch(`${bot.url}/api/alerts/scom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}` },
      body: JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    const parsed = (await res.json()) as { results: Array<{ outcome: string }> };
    return parsed.results.map((r) => r.outcome);
  };
  const drained = async (): Promise<void> => {
    for (;;) {
      const counts = await Promise.all(
        queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized', 'waiting-children')),
      );
      if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const settle = () => new Promise((r) => setTimeout(r, 300));

  try {
    // Warm up: scripts loaded, connections open, the channel's first card posted.
    const warm = buildScenarioAlert('pop-backend-hung', { server: 'WARM1' });
    await post(warm);
    await post({ ...warm, Id: randomUUID() });
    await post({ ...warm, ResolutionState: 255 });
    await drained();
    await settle();

    const idle = await count(() => new Promise((r) => setTimeout(r, 3000)));
    const idlePerMs = idle.c.top / idle.ms;
    const idleScriptsPerMs = idle.c.inScripts / idle.ms;

    const kinds: Array<{
      name: keyof CostResult['perKind'];
      prepare: (i: number) => Promise<void>;
      body: (i: number) => unknown;
      per: number;
    }> = [];
    // The exact payloads of the new incidents, so a resend is byte for byte the same.
    const sent = new Map<number, unknown>();
    const alertOf = (i: number) => {
      const body = sent.get(i) ?? buildScenarioAlert('pop-backend-hung', { server: `COST${i}` });
      sent.set(i, body);
      return body;
    };
    kinds.push({
      name: 'created',
      prepare: async () => undefined,
      body: (i) => alertOf(i),
      per: 1,
    });
    kinds.push({
      name: 'updated',
      prepare: async () => undefined,
      // A second SCOM alert (its own id) of the same health set and server: the incident grows.
      body: (i) => ({ ...(alertOf(i) as object), Id: randomUUID() }),
      per: 1,
    });
    kinds.push({ name: 'duplicate', prepare: async () => undefined, body: alertOf, per: 1 });
    kinds.push({
      name: 'resolved',
      // An incident of one alert (not counted), which the resolution then closes.
      prepare: async (i) => {
        await post(buildScenarioAlert('pop-backend-hung', { server: `RES${i}` }));
        await drained();
        await settle();
      },
      body: (i) => buildScenarioAlert('pop-backend-hung', { server: `RES${i}`, resolve: true }),
      per: 1,
    });
    const BATCH = 10;
    kinds.push({
      name: 'batch',
      prepare: async () => undefined,
      // A batch of new incidents (one array, as SCOM's connector may send).
      body: (i) =>
        Array.from({ length: BATCH }, (_, j) =>
          buildScenarioAlert('pop-backend-hung', { server: `BATCH${i}-${j}` }),
        ),
      per: BATCH,
    });

    const perKind = {} as CostResult['perKind'];
    for (const kind of kinds) {
      let request = 0;
      let background = 0;
      let requestIn = 0;
      let backgroundIn = 0;
      const byName = new Map<string, number>();
      const families = new Map<string, number>();
      const add = (c: Counted) => {
        for (const [k, v] of c.byName) byName.set(k, (byName.get(k) ?? 0) + v);
        for (const [k, v] of c.families) families.set(k, (families.get(k) ?? 0) + v);
      };
      for (let i = 0; i < o.rounds; i += 1) {
        await kind.prepare(i);
        await Promise.all(queues.map((q) => q.pause()));
        const req = await count(() => post(kind.body(i)));
        const unexpected = req.v.filter((out) => out !== kind.name && kind.name !== 'batch');
        if (unexpected.length > 0) {
          throw new Error(`expected ${kind.name}, the webhook said ${req.v.join(',')}`);
        }
        const bg = await count(async () => {
          await Promise.all(queues.map((q) => q.resume()));
          await drained();
          await settle();
        });
        request += req.c.top - idlePerMs * req.ms;
        requestIn += req.c.inScripts - idleScriptsPerMs * req.ms;
        background += bg.c.top - idlePerMs * bg.ms;
        backgroundIn += bg.c.inScripts - idleScriptsPerMs * bg.ms;
        add(req.c);
        add(bg.c);
      }
      const n = o.rounds * kind.per;
      const r1 = (x: number) => Math.round((x / n) * 10) / 10;
      const top = Object.fromEntries(
        [...byName.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 12)
          .map(([k, v]) => [k, r1(v)]),
      );
      const fam = Object.fromEntries(
        [...families.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 16)
          .map(([k, v]) => [k, r1(v)]),
      );
      perKind[kind.name] = {
        families: fam,
        alerts: n,
        request: r1(request),
        background: r1(background),
        total: r1(request + background),
        requestInScripts: r1(requestIn),
        backgroundInScripts: r1(backgroundIn),
        allCommands: r1(request + background + requestIn + backgroundIn),
        top,
      };
    }
    const mix = (f: (k: CostKind) => number) =>
      Math.round(
        ((f(perKind.created) +
          2 * f(perKind.updated) +
          f(perKind.duplicate) +
          f(perKind.resolved)) /
          5) *
          10,
      ) / 10;
    const mixed = { roundTrips: mix((k) => k.total), allCommands: mix((k) => k.allCommands) };
    return { perKind, mixed, idlePerSecond: Math.round(idlePerMs * 1000 * 10) / 10 };
  } finally {
    monitor.disconnect();
    await Promise.allSettled(queues.map((q) => q.close()));
    await bot.stop();
    redis.disconnect();
    await fake.close();
    await redisServer.stop();
  }
}
