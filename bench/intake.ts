import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { QUEUE_NAMES } from '../jobs/queues/names';
import { createRedis } from '../src/infra/redis/redis';
import { redisKeys } from '../src/infra/redis/redis-keys';
import { buildScenarioAlert } from '../jobs/simulated-exchange/alert-scenarios';
import { startChild, type ServerChild } from './lib/child';
import { commandsSoFar, startPrivateRedis } from './lib/private-redis';
import { summarize, type LatencySummary } from './lib/stats';

/**
 * (a) Webhook intake: alerts per second and latency at a fixed concurrency, against the real bot
 * (real Redis) and, in the same run on the same machine, a bare node:http server answering 202.
 * Every request is a new SCOM alert (a fresh id) for one of 2,000 servers, so the bot does its
 * full work: validate, decide, commit atomically in Redis, queue the incident event.
 */
export interface IntakeOptions {
  prefix: string;
  token: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** Alerts per request in the batch run. */
  batchSize?: number;
  /** Fixed rates (alerts/s) for the sustainable-rate probe, and how long each is held. */
  rates?: number[];
  rateSeconds?: number;
  /** The webhook in a process of its own (BOT_ROLE=web) and the background in another. */
  split?: boolean;
  /** How long to wait for the backlog of the run before to drain (then the probe starts anyway). */
  drainTimeoutMs?: number;
}

/** One fixed rate held for a while: did the queues behind the webhook keep up? */
export interface RateProbe {
  rate: number;
  /** What the webhook took (alerts/s answered 202). */
  answered: number;
  /** Jobs waiting on the card-events and trigger queues: at the start, the end, the peak. */
  backlog: { start: number; end: number; peak: number };
  /**
   * How long the oldest of those jobs had waited (ms): at the end of the hold and at its peak.
   * A job may carry many changes (the intake hands on what was committed meanwhile), so the lag,
   * not the number of jobs, says whether the background keeps up.
   */
  lagMs: { end: number; peak: number };
  /** After the hold, until nothing waits (ms; null: not within the drain timeout). */
  drainMs: number | null;
  /** Every Redis command (scripts' included) from the hold's start until drained, per alert. */
  commandsPerAlert: number;
  p99Ms: number;
  /** Answered ≥ 98 % of the rate, no errors, and the oldest waiting job under a second old. */
  sustained: boolean;
}

export interface LoadResult {
  requests: number;
  perSecond: number;
  non2xx: number;
  errors: number;
  latencyMs: LatencySummary;
  /** CPU time of the server process per alert (ms), when measured: what contention hides least. */
  cpuMsPerAlert?: number;
}

export interface IntakeResult {
  /** One bot process, or the webhook and the background in two (`split`). */
  layout: string;
  connections: number;
  seconds: number;
  bot: LoadResult & { outcomes: Record<string, number> };
  bare: LoadResult;
  /** bot ÷ bare throughput, and bot ÷ bare p50/p99 latency. */
  ratio: { throughput: number; p50: number; p99: number };
  /** Arrays of `batchSize` alerts per request: alerts/s, and its ratio to the bare server. */
  batch?: { size: number; alertsPerSecond: number; result: LoadResult; ratio: number };
  rates?: RateProbe[];
}

function runLoad(
  url: string,
  token: string,
  connections: number,
  seconds: number,
  onBody?: (body: string) => void,
  shape: { batch?: number; overallRate?: number } = {},
): Promise<LoadResult> {
  let n = 0;
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/api/alerts/scom`,
        connections,
        duration: seconds,
        ...(shape.overallRate ? { overallRate: shape.overallRate } : {}),
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [
          {
            setupRequest: (req) => {
              const one = () => {
                n += 1;
                const alert = buildScenarioAlert('pop-backend-hung', { server: `EX${n % 2000}` });
                return { ...alert, Id: randomUUID() };
              };
              const body = shape.batch ? Array.from({ length: shape.batch }, one) : one();
              return { ...req, body: JSON.stringify(body) };
            },
            ...(onBody ? { onResponse: (_status: number, body: string) => onBody(body) } : {}),
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        resolve({
          requests: result.requests.total,
          perSecond: Math.round(result.requests.total / seconds),
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          latencyMs: summarize(latencies),
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

async function measure(
  child: ServerChild,
  o: IntakeOptions,
  onBody?: (body: string) => void,
  cpuOf: ServerChild[] = [child],
): Promise<LoadResult> {
  // Warm-up first (JIT, connection pools); only the second run counts.
  await runLoad(child.url, o.token, o.connections, o.warmupSeconds);
  return withCpu(cpuOf, 1, () => runLoad(child.url, o.token, o.connections, o.seconds, onBody));
}

/**
 * The server's CPU time per alert over the run. It still includes background work the run
 * started and finished within it (the bot's queues are drained before a run where it matters).
 */
async function withCpu(
  children: ServerChild[],
  perRequest: number,
  run: () => Promise<LoadResult>,
): Promise<LoadResult> {
  const cpu = async () => {
    let ms = 0;
    for (const c of children) ms += (await c.stats()).cpuMs;
    return ms;
  };
  const before = await cpu();
  const result = await run();
  const after = await cpu();
  const alerts = result.requests * perRequest;
  return {
    ...result,
    cpuMsPerAlert: alerts > 0 ? Math.round(((after - before) / alerts) * 1000) / 1000 : 0,
  };
}

export async function benchIntake(o: IntakeOptions): Promise<IntakeResult> {
  // Its own redis-server: the commands counted are the bot's, and nothing else shares it.
  const redisServer = await startPrivateRedis();
  try {
    return await benchIntakeOn(redisServer.url, o);
  } finally {
    await redisServer.stop();
  }
}

async function benchIntakeOn(redisUrl: string, o: IntakeOptions): Promise<IntakeResult> {
  const bare = await startChild('bare-server.ts');
  let bareResult: LoadResult;
  try {
    bareResult = await measure(bare, o);
  } finally {
    await bare.stop();
  }

  const botEnv = { REDIS_URL: redisUrl, REDIS_PREFIX: o.prefix, SCOM_WEBHOOK_TOKEN: o.token };
  // Split: the webhook in one process (BOT_ROLE=web) and the background in another.
  const bot = await startChild(
    'bot-server.ts',
    o.split ? { ...botEnv, BOT_ROLE: 'web' } : botEnv,
    process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [],
  );
  const background = o.split ? await startChild('bot-server.ts', botEnv) : null;
  const processes = background ? [bot, background] : [bot];
  const outcomes: Record<string, number> = {};
  let botResult: LoadResult;
  let batch: IntakeResult['batch'];
  const rates: RateProbe[] = [];
  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  try {
    botResult = await measure(
      bot,
      o,
      (body) => {
        try {
          const parsed = JSON.parse(body) as { results?: Array<{ outcome: string }> };
          for (const r of parsed.results ?? [])
            outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        } catch {
          outcomes['unparsable'] = (outcomes['unparsable'] ?? 0) + 1;
        }
      },
      processes,
    );
    const backlog = await backlogProbe(redisUrl, o.prefix);
    try {
      for (const rate of o.rates ?? []) {
        await backlog.drained(o.drainTimeoutMs ?? 120_000);
        rates.push(await probeRate(bot.url, o, rate, backlog));
      }
      if (o.batchSize) {
        await backlog.drained(o.drainTimeoutMs ?? 120_000);
        const size = o.batchSize;
        const result = await withCpu(processes, size, () =>
          // Fewer connections: each request carries `size` alerts.
          runLoad(bot.url, o.token, Math.max(1, o.connections / 8), o.seconds, undefined, {
            batch: size,
          }),
        );
        const alertsPerSecond = Math.round((result.requests * size) / o.seconds);
        batch = {
          size,
          alertsPerSecond,
          result,
          ratio: ratio(alertsPerSecond, bareResult.perSecond),
        };
      }
    } finally {
      await backlog.close();
    }
  } finally {
    await bot.stop();
    await background?.stop();
  }
  return {
    layout: o.split ? 'webhook (BOT_ROLE=web) + background process' : 'one process',
    ...(batch ? { batch } : {}),
    ...(rates.length > 0 ? { rates } : {}),
    connections: o.connections,
    seconds: o.seconds,
    bot: { ...botResult, outcomes },
    bare: bareResult,
    ratio: {
      throughput: ratio(botResult.perSecond, bareResult.perSecond),
      p50: ratio(botResult.latencyMs.p50, bareResult.latencyMs.p50),
      p99: ratio(botResult.latencyMs.p99, bareResult.latencyMs.p99),
    },
  };
}

/** Jobs waiting behind the webhook: the card-events queue and the remediation triggers. */
async function backlogProbe(redisUrl: string, benchPrefix: string) {
  const redis = createRedis(redisUrl, { connectionName: 'bench-backlog' });
  const prefix = redisKeys(benchPrefix).bullPrefix;
  const queues = [QUEUE_NAMES.cardEvents, QUEUE_NAMES.remediationTriggers].map(
    (name) => new Queue(name, { connection: redis, prefix }),
  );
  const waiting = async (): Promise<number> => {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'prioritized')));
    return counts.reduce((sum, c) => sum + (c.wait ?? 0) + (c.prioritized ?? 0), 0);
  };
  /** The age of the oldest job still waiting on either queue (0: none waits). */
  const lagMs = async (): Promise<number> => {
    const oldest = await Promise.all(queues.map((q) => q.getJobs(['wait'], 0, 0, true)));
    const now = Date.now();
    return Math.max(0, ...oldest.flat().map((j) => now - j.timestamp));
  };
  return {
    waiting,
    lagMs,
    commands: () => commandsSoFar(redis),
    async drained(timeoutMs: number): Promise<void> {
      const end = Date.now() + timeoutMs;
      while ((await waiting()) > 0 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 250));
      if (process.env.BENCH_DEBUG && (await waiting()) > 0) {
        for (const q of queues) {
          for (const j of await q.getJobs(['wait', 'prioritized', 'active', 'delayed'])) {
            console.error(
              'left',
              q.name,
              j.id,
              j.name,
              await j.getState(),
              j.attemptsMade,
              j.timestamp,
              j.processedOn,
              j.opts.priority,
              JSON.stringify(j.data).slice(0, 200),
            );
          }
        }
      }
    },
    async close(): Promise<void> {
      await Promise.allSettled(queues.map((q) => q.close()));
      redis.disconnect();
    },
  };
}

/** Holds `rate` alerts/s for `rateSeconds`, sampling the backlog every second. */
async function probeRate(
  url: string,
  o: IntakeOptions,
  rate: number,
  backlog: Awaited<ReturnType<typeof backlogProbe>>,
): Promise<RateProbe> {
  const seconds = o.rateSeconds ?? 20;
  const commandsBefore = await backlog.commands();
  const start = await backlog.waiting();
  let peak = start;
  let peakLag = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await backlog.waiting());
      peakLag = Math.max(peakLag, await backlog.lagMs());
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  const result = await runLoad(url, o.token, o.connections, seconds, undefined, {
    overallRate: rate,
  });
  sampling = false;
  await sampler;
  const end = await backlog.waiting();
  const endLag = await backlog.lagMs();
  peak = Math.max(peak, end);
  peakLag = Math.max(peakLag, endLag);
  const drainStart = Date.now();
  await backlog.drained(o.drainTimeoutMs ?? 120_000);
  const drainMs = (await backlog.waiting()) === 0 ? Date.now() - drainStart : null;
  const commands = (await backlog.commands()) - commandsBefore;
  return {
    rate,
    answered: result.perSecond,
    backlog: { start, end, peak },
    lagMs: { end: endLag, peak: peakLag },
    drainMs,
    commandsPerAlert: result.requests > 0 ? Math.round(commands / result.requests) : 0,
    p99Ms: result.latencyMs.p99,
    sustained: endLag < 1000 && result.perSecond >= rate * 0.98 && result.non2xx === 0,
  };
}
