import { Queue, type ConnectionOptions } from 'bullmq';
import { actionQueueName, QUEUE_NAMES } from './names';
import { listOnlineWorkers } from './worker-heartbeat';
import type { MetricSources, QueueCounts } from '../../src/infra/metrics';
import type { RedisClient } from '../../src/infra/redis/redis';
import type { RedisKeys } from '../../src/infra/redis/redis-keys';

/** Job states worth watching; `completed` is only what retention keeps, so it is left out. */
export const WATCHED_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
] as const;

/**
 * Read handles on every queue the bot's operators watch: the incident events, the action results
 * and each site's action queue. They share one connection and never process jobs.
 */
export function createOpsQueues(options: {
  connection: ConnectionOptions;
  bullPrefix: string;
  sites: readonly string[];
  /** Queues the process already opened (e.g. incident-events), reused instead of opened twice. */
  existing?: Queue[];
}) {
  const existing = options.existing ?? [];
  const open = (name: string): { queue: Queue; owned: boolean } => {
    const found = existing.find((q) => q.name === name);
    if (found) return { queue: found, owned: false };
    const queue = new Queue(name, { connection: options.connection, prefix: options.bullPrefix });
    // The shared connection's own listener logs Redis errors; without this one BullMQ prints
    // each of them again, with its stack, through console.error.
    queue.on('error', () => undefined);
    return { queue, owned: true };
  };
  const shared = [
    ...existing.map((q) => ({ queue: q, owned: false })),
    open(QUEUE_NAMES.actionResults),
  ];
  const actions = options.sites.map((site) => open(actionQueueName(site)));
  const all = [...shared, ...actions];
  return {
    /** incident-events (when given), action-results and anything else passed in. */
    shared: shared.map((e) => e.queue),
    /** actions-<site> for every site. */
    actions: actions.map((e) => e.queue),
    all: all.map((e) => e.queue),
    /** Closes the queues this opened; the ones passed in belong to their owner. */
    async close(): Promise<void> {
      await Promise.all(all.filter((e) => e.owned).map((e) => e.queue.close()));
    },
  };
}

export type OpsQueues = ReturnType<typeof createOpsQueues>;

/** The scrape-time gauges, read from Redis: each a handful of cheap commands. */
export function redisMetricSources(options: {
  redis: RedisClient;
  keys: RedisKeys;
  queues: Queue[];
  sites: readonly string[];
}): MetricSources {
  const { redis, keys } = options;
  return {
    openIncidents: () => redis.zcard(keys.openSet),
    queueCounts: () =>
      Promise.all(
        options.queues.map(async (q): Promise<QueueCounts> => ({
          queue: q.name,
          counts: await q.getJobCounts(...WATCHED_JOB_STATES),
        })),
      ),
    workersOnline: async () => {
      const bySite: Record<string, number> = Object.fromEntries(options.sites.map((s) => [s, 0]));
      for (const w of await listOnlineWorkers(redis, keys)) {
        for (const site of w.sites) bySite[site] = (bySite[site] ?? 0) + 1;
      }
      return bySite;
    },
  };
}
