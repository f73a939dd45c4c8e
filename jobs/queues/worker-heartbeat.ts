import type { RedisClient } from '../../src/infra/redis/redis';
import type { RedisKeys } from '../../src/infra/redis/redis-keys';

export interface WorkerInfo {
  workerId: string;
  host: string;
  sites: string[];
  startedAt: string;
  lastBeat: string;
  pid: number;
  /** How often this worker beats; it counts as gone after LAPSE_BEATS of them missed. */
  beatEveryMs?: number;
}

export const DEFAULT_BEAT_MS = 5_000;
/** Beats a worker may miss before it counts as gone (so about 15 s by default). */
export const LAPSE_BEATS = 3;
/** How long after its last beat a worker counts as gone, by default. */
export const WORKER_TTL_MS = DEFAULT_BEAT_MS * LAPSE_BEATS;

function lapseMsOf(info: Pick<WorkerInfo, 'beatEveryMs'>): number {
  return (info.beatEveryMs ?? DEFAULT_BEAT_MS) * LAPSE_BEATS;
}

/** Publishes that this worker is alive, so the bot can say "no worker online for site X". */
export async function startHeartbeat(
  redis: RedisClient,
  keys: RedisKeys,
  info: Omit<WorkerInfo, 'lastBeat' | 'beatEveryMs'>,
  intervalMs = DEFAULT_BEAT_MS,
): Promise<{ stop(): Promise<void> }> {
  const lapseMs = intervalMs * LAPSE_BEATS;
  const beat = async (): Promise<void> => {
    const now = Date.now();
    const record: WorkerInfo = {
      ...info,
      lastBeat: new Date(now).toISOString(),
      beatEveryMs: intervalMs,
    };
    await redis
      .multi()
      .zadd(keys.workersOnline, now, info.workerId)
      // Kept past the lapse, so the bot can still name the worker whose changes it declares.
      .set(
        keys.workerInfo(info.workerId),
        JSON.stringify(record),
        'PX',
        Math.max(lapseMs * 20, 600_000),
      )
      .zremrangebyscore(keys.workersOnline, '-inf', now - Math.max(lapseMs * 20, 600_000))
      .exec();
  };
  // The first beat before start-up completes, so the worker is visible as soon as it runs.
  await beat().catch(() => undefined);
  const timer = setInterval(() => void beat().catch(() => undefined), intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis
        .multi()
        .zrem(keys.workersOnline, info.workerId)
        .del(keys.workerInfo(info.workerId))
        .exec();
    },
  };
}

async function knownWorkers(redis: RedisClient, keys: RedisKeys): Promise<WorkerInfo[]> {
  const ids = await redis.zrange(keys.workersOnline, 0, -1);
  if (ids.length === 0) return [];
  const docs = await redis.mget(ids.map((id) => keys.workerInfo(id)));
  return docs.filter((d): d is string => d !== null).map((d) => JSON.parse(d) as WorkerInfo);
}

function isAlive(info: WorkerInfo, now: number): boolean {
  return now - Date.parse(info.lastBeat) <= lapseMsOf(info);
}

/** Workers whose last beat is recent enough, with the sites they serve. */
export async function listOnlineWorkers(
  redis: RedisClient,
  keys: RedisKeys,
  now = Date.now(),
): Promise<WorkerInfo[]> {
  return (await knownWorkers(redis, keys)).filter((w) => isAlive(w, now));
}

/** For /readyz: how many workers are online for each site (a site with none shows 0). */
export async function workersPerSite(
  redis: RedisClient,
  keys: RedisKeys,
  sites: readonly string[],
  now = Date.now(),
): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(sites.map((s) => [s, 0]));
  for (const w of await listOnlineWorkers(redis, keys, now)) {
    for (const s of w.sites) counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

/** A change a worker has started and not reported yet. */
export interface InflightChange {
  jobId: string;
  workerId: string;
  actionId: string;
  server: string;
  params: Record<string, unknown>;
  incidentId: string | null;
  runId: string | null;
  stepId: string | null;
  site: string;
  startedAt: string;
  command: string;
}

export async function markInflight(redis: RedisClient, keys: RedisKeys, c: InflightChange) {
  await redis.hset(keys.inflightChanges, c.jobId, JSON.stringify(c));
}

export async function clearInflight(redis: RedisClient, keys: RedisKeys, jobId: string) {
  await redis.hdel(keys.inflightChanges, jobId);
}

export interface LapsedChange {
  change: InflightChange;
  /** The worker's last beat, or null when even its record is gone. */
  lastBeat: string | null;
  host: string | null;
}

/**
 * Takes the in-flight changes of workers whose heartbeat lapsed. Each is taken once (HDEL's
 * answer decides, so two bot processes never both declare it); the caller says "unknown".
 */
export async function takeLapsedChanges(
  redis: RedisClient,
  keys: RedisKeys,
  now = Date.now(),
): Promise<LapsedChange[]> {
  const entries = await redis.hgetall(keys.inflightChanges);
  const changes = Object.values(entries).map((v) => JSON.parse(v) as InflightChange);
  if (changes.length === 0) return [];
  const ids = [...new Set(changes.map((c) => c.workerId))];
  const docs = await redis.mget(ids.map((id) => keys.workerInfo(id)));
  const info = new Map<string, WorkerInfo>();
  docs.forEach((d, i) => {
    if (d) info.set(ids[i] as string, JSON.parse(d) as WorkerInfo);
  });
  const taken: LapsedChange[] = [];
  for (const change of changes) {
    const w = info.get(change.workerId);
    if (w && isAlive(w, now)) continue;
    if ((await redis.hdel(keys.inflightChanges, change.jobId)) !== 1) continue;
    taken.push({ change, lastBeat: w?.lastBeat ?? null, host: w?.host ?? null });
  }
  return taken;
}
