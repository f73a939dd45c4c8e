import type { RedisClient } from '../../src/infra/redis/redis';
import type { RedisKeys } from '../../src/infra/redis/redis-keys';

export interface WorkerInfo {
  workerId: string;
  host: string;
  sites: string[];
  startedAt: string;
  lastBeat: string;
  pid: number;
}

/** How long after its last beat a worker counts as gone. */
export const WORKER_TTL_MS = 30_000;

/** Publishes that this worker is alive, so the bot can say "no worker online for site X". */
export async function startHeartbeat(
  redis: RedisClient,
  keys: RedisKeys,
  info: Omit<WorkerInfo, 'lastBeat'>,
  intervalMs = 10_000,
): Promise<{ stop(): Promise<void> }> {
  const beat = async (): Promise<void> => {
    const now = Date.now();
    const record: WorkerInfo = { ...info, lastBeat: new Date(now).toISOString() };
    await redis
      .multi()
      .zadd(keys.workersOnline, now, info.workerId)
      .set(keys.workerInfo(info.workerId), JSON.stringify(record), 'PX', WORKER_TTL_MS * 2)
      .zremrangebyscore(keys.workersOnline, '-inf', now - WORKER_TTL_MS * 10)
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

/** Workers that beat within the last WORKER_TTL_MS, with the sites they serve. */
export async function listOnlineWorkers(
  redis: RedisClient,
  keys: RedisKeys,
  now = Date.now(),
): Promise<WorkerInfo[]> {
  const ids = await redis.zrangebyscore(keys.workersOnline, now - WORKER_TTL_MS, '+inf');
  if (ids.length === 0) return [];
  const docs = await redis.mget(ids.map((id) => keys.workerInfo(id)));
  return docs.filter((d): d is string => d !== null).map((d) => JSON.parse(d) as WorkerInfo);
}
