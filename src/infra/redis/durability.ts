import { isCluster, type Redis, type RedisClient } from './redis';

/**
 * Whether Redis keeps what we acknowledged. Everything the bot answered 202 for lives in Redis
 * (incidents, outboxes, approvals, the audit chain, BullMQ's queues), so a Redis that forgets on
 * restart, or evicts keys under memory pressure, loses it silently. `serve` and `worker` check
 * at start-up, `/readyz` shows it, and a restart or failover (a new `run_id`) is noticed.
 */
export type Persistence = 'aof' | 'rdb' | 'aof+rdb' | 'none' | 'unknown';

export interface RedisDurability {
  persistence: Persistence;
  /** `maxmemory-policy`; BullMQ needs `noeviction`. Null when Redis did not say. */
  evictionPolicy: string | null;
  runId: string | null;
}

export interface DurabilitySettings {
  /** REDIS_VOLATILE_OK: a throw-away Redis (demo, tests) is accepted as it is. */
  volatileOk: boolean;
  /** REDIS_PERSISTENCE_ASSERTED: CONFIG is disabled (managed Redis); the operator vouches. */
  persistenceAsserted: boolean;
}

/**
 * Reads INFO (allowed on managed Redis too) and, for RDB save points, CONFIG GET when allowed.
 * On a Cluster every master is read and the weakest answer counts: one master without
 * persistence loses its slots' share of what we acknowledged. The run ids are joined, so a
 * failover (a replica becoming master) shows as a restart too.
 */
export async function inspectRedis(redis: RedisClient): Promise<RedisDurability> {
  if (!isCluster(redis)) return inspectNode(redis);
  // Until the cluster answered, it has no list of masters; a PING waits for that.
  await redis.ping();
  const masters = redis.nodes('master');
  if (masters.length === 0) throw new Error('Redis Cluster has no masters yet');
  const each = await Promise.all(masters.map(inspectNode));
  const rank: Persistence[] = ['none', 'unknown', 'rdb', 'aof', 'aof+rdb'];
  const weakest = each.reduce((a, b) =>
    rank.indexOf(b.persistence) < rank.indexOf(a.persistence) ? b : a,
  );
  const evicting = each.find((d) => d.evictionPolicy !== null && d.evictionPolicy !== 'noeviction');
  const runIds = each.map((d) => d.runId);
  return {
    persistence: weakest.persistence,
    evictionPolicy: (evicting ?? each[0])?.evictionPolicy ?? null,
    runId: runIds.includes(null) ? null : [...runIds].sort().join(','),
  };
}

async function inspectNode(redis: Redis): Promise<RedisDurability> {
  const info = parseInfo(await redis.info());
  const aof = info.get('aof_enabled') === '1';
  let rdb: boolean | null;
  try {
    const reply = (await redis.config('GET', 'save')) as unknown;
    const value = Array.isArray(reply) ? String(reply[1] ?? '') : '';
    rdb = value.trim() !== '';
  } catch {
    // CONFIG is disabled (managed Redis): whether snapshots are taken cannot be seen.
    rdb = null;
  }
  const persistence: Persistence =
    aof && rdb ? 'aof+rdb' : aof ? 'aof' : rdb ? 'rdb' : rdb === null ? 'unknown' : 'none';
  return {
    persistence,
    evictionPolicy: info.get('maxmemory_policy') ?? null,
    runId: info.get('run_id') ?? null,
  };
}

/** What is wrong, each as a sentence saying what to change; empty when Redis is fit. */
export function durabilityProblems(d: RedisDurability, s: DurabilitySettings): string[] {
  if (s.volatileOk) return [];
  const problems: string[] = [];
  if (d.persistence === 'none') {
    problems.push(
      'Redis has no persistence (appendonly no and no save points): a restart loses every ' +
        'acknowledged alert, approval and queued job. Turn on AOF (appendonly yes) or RDB ' +
        'snapshots (save 60 1000)',
    );
  } else if (d.persistence === 'unknown' && !s.persistenceAsserted) {
    problems.push(
      'Redis does not let us read its persistence settings (CONFIG is disabled, AOF is off): ' +
        'if its snapshots or replication keep the data, say so with REDIS_PERSISTENCE_ASSERTED=true',
    );
  }
  if (d.evictionPolicy !== null && d.evictionPolicy !== 'noeviction') {
    problems.push(
      `Redis maxmemory-policy is ${d.evictionPolicy}: under memory pressure it deletes keys, ` +
        'queued jobs among them. Set maxmemory-policy noeviction (BullMQ requires it)',
    );
  }
  return problems;
}

/** The error `serve` and `worker` stop with. */
export function durabilityError(problems: string[]): Error {
  return new Error(
    `Redis would lose what we acknowledge:\n${problems.map((p) => `  - ${p}.`).join('\n')}\n` +
      'For a throw-away Redis (demo, tests) set REDIS_VOLATILE_OK=true. See docs/operations.md#redis.',
  );
}

/** Checks once at start-up; a Redis that does not answer yet is left to /readyz. */
export async function checkRedisAtStart(
  redis: RedisClient,
  settings: DurabilitySettings,
  timeoutMs: number,
): Promise<RedisDurability | null> {
  let d: RedisDurability;
  let timer: NodeJS.Timeout | undefined;
  try {
    d = await Promise.race([
      inspectRedis(redis),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('Redis did not answer')), timeoutMs);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
  const problems = durabilityProblems(d, settings);
  if (problems.length > 0) throw durabilityError(problems);
  return d;
}

export interface RedisWatch {
  /** The last inspection, the problems it showed, and the restarts seen since start-up. */
  state(): {
    durability: RedisDurability | null;
    problems: string[];
    restarts: number;
    lastRestartAt: string | null;
  };
  /** Inspects now (the readiness probe calls it). */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Notices a Redis restart or failover: the server's `run_id` changes. Checks every `intervalMs`
 * and whenever the connection is re-established.
 */
export function watchRedis(
  redis: RedisClient,
  options: {
    settings: DurabilitySettings;
    intervalMs: number;
    initial: RedisDurability | null;
    onRestart: (previousRunId: string, runId: string) => void;
  },
): RedisWatch {
  let durability = options.initial;
  let problems = durability ? durabilityProblems(durability, options.settings) : [];
  let restarts = 0;
  let lastRestartAt: string | null = null;
  let running: Promise<void> | null = null;

  const check = (): Promise<void> => {
    running ??= (async () => {
      try {
        const next = await inspectRedis(redis);
        const before = durability?.runId ?? null;
        if (before !== null && next.runId !== null && next.runId !== before) {
          restarts += 1;
          lastRestartAt = new Date().toISOString();
          options.onRestart(before, next.runId);
        }
        durability = next;
        problems = durabilityProblems(next, options.settings);
      } catch {
        // Redis is down: /readyz says so through its ping; the next check tries again.
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const onReady = () => void check();
  redis.on('ready', onReady);
  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();
  return {
    state: () => ({ durability, problems, restarts, lastRestartAt }),
    check,
    stop() {
      clearInterval(timer);
      redis.off('ready', onReady);
    },
  };
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return fields;
}
