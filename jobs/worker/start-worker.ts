import { Queue, Worker } from 'bullmq';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/infra/config/load-config';
import { allSites, type Inventory } from '../../src/domain/inventory/inventory';
import { loadInventory } from '../../src/infra/files/load-inventory';
import { createLogger, type Logger } from '../../src/infra/logger';
import { checkRedisAtStart } from '../../src/infra/redis/durability';
import { createRedis } from '../../src/infra/redis/redis';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import type { ActionJobData, ActionOutcome } from '../queues/action-jobs';
import type { ActionExecutor } from './action-executor';
import { startHeartbeat } from '../queues/worker-heartbeat';
import { createActionProcessor } from './process-action-job';
import { createKeyRing } from '../../src/infra/signing/job-signing';
import { actionQueueName, QUEUE_NAMES } from '../queues/names';

export interface WorkerOptions {
  executor: ActionExecutor;
  logger?: Logger;
  inventory?: Inventory | null;
  handleSignals?: boolean;
  /** BullMQ timings; tests shorten them to see stalled-job handling quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  lockRetryMs?: number;
  /** How long a dead worker's server lock outlives it. */
  serverLockTtlMs?: number;
  heartbeatIntervalMs?: number;
}

export interface RunningWorker {
  workerId: string;
  sites: string[];
  /** Finishes the jobs in hand, takes no new ones, then disconnects. */
  close(): Promise<void>;
  /** Stops at once, as if the process died (tests only). */
  kill(): Promise<void>;
}

/** The worker process: one BullMQ worker per site it serves, a heartbeat, and the executor. */
export async function startWorker(config: Config, options: WorkerOptions): Promise<RunningWorker> {
  if (config.jobSigningKeys.length === 0) {
    throw new Error('JOB_SIGNING_KEYS (or JOB_SIGNING_KEY) is required to run a worker');
  }
  const signing = createKeyRing(config.jobSigningKeys);
  const logger = options.logger ?? createLogger(config.logLevel);
  const inventory =
    options.inventory !== undefined ? options.inventory : loadInventory(config.inventoryFile);
  const known = allSites(inventory);
  const sites = config.workerSites ?? known;
  const unknown = sites.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `WORKER_SITES names sites the inventory does not have: ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
  }
  const keys = redisKeys(config.redisPrefix);
  const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  const redis = createRedis(config.redisUrl, { connectionName: `exchops-worker-${workerId}` });
  // A Redis that would lose queued jobs and results stops the worker before it takes any.
  await checkRedisAtStart(redis, config.redisDurability, 3000).catch(async (err: unknown) => {
    await redis.quit().catch(() => undefined);
    throw err;
  });
  const results = new Queue<ActionOutcome>(QUEUE_NAMES.actionResults, {
    connection: redis,
    prefix: keys.bullPrefix,
  });

  const connections: ReturnType<typeof createRedis>[] = [];
  const workers = sites.map((site) => {
    const processor = createActionProcessor({
      redis,
      keys,
      site,
      workerId,
      signing,
      inventory,
      executor: options.executor,
      results,
      logger,
      ...(options.lockRetryMs !== undefined ? { lockRetryMs: options.lockRetryMs } : {}),
      ...(options.serverLockTtlMs !== undefined
        ? { serverLockTtlMs: options.serverLockTtlMs }
        : {}),
    });
    const connection = createRedis(config.redisUrl, {
      forBlockingClient: true,
      connectionName: `exchops-worker-${site}`,
    });
    // BullMQ leaves a connection it was given open on close; shutdown closes it.
    connections.push(connection);
    const worker = new Worker<ActionJobData, ActionOutcome>(actionQueueName(site), processor, {
      connection,
      prefix: keys.bullPrefix,
      concurrency: config.workerConcurrency,
      ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
      ...(options.stalledIntervalMs !== undefined
        ? { stalledInterval: options.stalledIntervalMs }
        : {}),
    });
    worker.on('error', (err) => logger.warn({ err, site }, 'worker error'));
    worker.on('failed', (job, err) =>
      logger.info({ jobId: job?.id, site, reason: err.message }, 'job ended without success'),
    );
    return worker;
  });

  const heartbeat = await startHeartbeat(
    redis,
    keys,
    { workerId, host: hostname(), sites, startedAt: new Date().toISOString(), pid: process.pid },
    options.heartbeatIntervalMs,
  );
  logger.info({ workerId, sites, signingKeyId: signing.activeKeyId }, 'worker started');

  let closing: Promise<void> | null = null;
  const shutdown = (force: boolean): Promise<void> => {
    closing ??= (async () => {
      await Promise.all(workers.map((w) => w.close(force)));
      if (force) {
        await Promise.all(workers.map((w) => w.disconnect()));
      } else {
        await heartbeat.stop();
        await options.executor.close();
      }
      await results.close();
      for (const c of connections) c.disconnect();
      await redis.quit().catch(() => undefined);
      logger.info({ workerId, force }, 'worker stopped');
    })();
    return closing;
  };

  if (options.handleSignals) {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'worker shutting down: finishing running jobs, taking no new ones');
      shutdown(false).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'worker shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  return { workerId, sites, close: () => shutdown(false), kill: () => shutdown(true) };
}
