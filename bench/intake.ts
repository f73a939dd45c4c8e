import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { buildScenarioAlert } from '../jobs/simulated-exchange/alert-scenarios';
import { startChild, type ServerChild } from './lib/child';
import { summarize, type LatencySummary } from './lib/stats';

/**
 * (a) Webhook intake: alerts per second and latency at a fixed concurrency, against the real bot
 * (real Redis) and, in the same run on the same machine, a bare node:http server answering 202.
 * Every request is a new SCOM alert (a fresh id) for one of 2,000 servers, so the bot does its
 * full work: validate, decide, commit atomically in Redis, queue the incident event.
 */
export interface IntakeOptions {
  redisUrl: string;
  prefix: string;
  token: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadResult {
  requests: number;
  perSecond: number;
  non2xx: number;
  errors: number;
  latencyMs: LatencySummary;
}

export interface IntakeResult {
  connections: number;
  seconds: number;
  bot: LoadResult & { outcomes: Record<string, number> };
  bare: LoadResult;
  /** bot ÷ bare throughput, and bot ÷ bare p50/p99 latency. */
  ratio: { throughput: number; p50: number; p99: number };
}

function runLoad(
  url: string,
  token: string,
  connections: number,
  seconds: number,
  onBody?: (body: string) => void,
): Promise<LoadResult> {
  let n = 0;
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/api/alerts/scom`,
        connections,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [
          {
            setupRequest: (req) => {
              n += 1;
              const alert = buildScenarioAlert('pop-backend-hung', { server: `EX${n % 2000}` });
              return { ...req, body: JSON.stringify({ ...alert, Id: randomUUID() }) };
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
): Promise<LoadResult> {
  // Warm-up first (JIT, connection pools); only the second run counts.
  await runLoad(child.url, o.token, o.connections, o.warmupSeconds);
  return runLoad(child.url, o.token, o.connections, o.seconds, onBody);
}

export async function benchIntake(o: IntakeOptions): Promise<IntakeResult> {
  const bare = await startChild('bare-server.ts');
  let bareResult: LoadResult;
  try {
    bareResult = await measure(bare, o);
  } finally {
    await bare.stop();
  }

  const bot = await startChild('bot-server.ts', {
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.prefix,
    SCOM_WEBHOOK_TOKEN: o.token,
  });
  const outcomes: Record<string, number> = {};
  let botResult: LoadResult;
  try {
    botResult = await measure(bot, o, (body) => {
      try {
        const parsed = JSON.parse(body) as { results?: Array<{ outcome: string }> };
        for (const r of parsed.results ?? []) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      } catch {
        outcomes['unparsable'] = (outcomes['unparsable'] ?? 0) + 1;
      }
    });
  } finally {
    await bot.stop();
  }
  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  return {
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
