import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIncidentEventQueue } from '../../jobs/queues';
import type { Config } from '../config/load-config';
import type { IncidentStore } from '../incidents/ports';
import { createAlertIntake, type AlertIntakeService } from '../incidents/record-alert';
import { createRedisIncidentStore } from '../infra/redis-incident-store';
import { loadInventory } from '../infra/load-inventory';
import { createLogger, type Logger } from '../infra/logger';
import { createMetrics, type AppMetrics } from '../infra/metrics';
import { createOpsQueues, redisMetricSources } from '../infra/ops-queues';
import { allSites } from '../inventory/inventory';
import { createRedis, pingRedis } from '../infra/redis';
import { redisKeys } from '../infra/redis-keys';
import { createApp } from './create-app';

export interface RunningServer {
  port: number;
  url: string;
  intake: AlertIntakeService;
  /** Read access to incidents (tests, and later the chat adapters). */
  incidents: Pick<IncidentStore, 'get' | 'listOpen'>;
  /** This process's metrics: chat delivery, approvals and the results consumer report here. */
  metrics: AppMetrics;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Stop gracefully on SIGTERM / SIGINT (the CLI sets this; tests do not). */
  handleSignals?: boolean;
  logger?: Logger;
  /** How often committed-but-unqueued incident events are handed on again. */
  relayIntervalMs?: number;
  /** How long shutdown waits for in-flight requests before cutting connections. */
  shutdownGraceMs?: number;
}

/** The composition root of the bot process: wires Redis, the stores, the queues and HTTP. */
export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  if (!config.scomWebhookToken) throw new Error('SCOM_WEBHOOK_TOKEN is required to serve');
  const logger = options.logger ?? createLogger(config.logLevel);
  const keys = redisKeys(config.redisPrefix);
  const redis = createRedis(config.redisUrl, { connectionName: 'exchops-bot' });
  const queueRedis = createRedis(config.redisUrl, { connectionName: 'exchops-bot-queue' });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  queueRedis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));

  const store = createRedisIncidentStore(redis, {
    prefix: config.redisPrefix,
    retentionMs: config.incidentRetentionMs,
  });
  const incidentEvents = createIncidentEventQueue(queueRedis, keys.bullPrefix);
  const intake = createAlertIntake({
    store,
    events: incidentEvents.sink,
    onPublishError: (event, err) =>
      logger.warn({ event, err }, 'incident event not queued yet; the relay will retry'),
  });

  // Metrics and the job dashboard watch every site's action queue (`default` without inventory).
  const sites = allSites(loadInventory(config.inventoryFile));
  const opsQueues = createOpsQueues({
    connection: queueRedis,
    bullPrefix: keys.bullPrefix,
    sites,
    existing: [incidentEvents.queue],
  });
  const metrics = createMetrics({
    sources: redisMetricSources({ redis, keys, queues: opsQueues.all, sites }),
    onCollectError: (source, err) => logger.warn({ source, err }, 'metrics source failed'),
  });

  const app = createApp({
    logger,
    scomWebhookToken: config.scomWebhookToken,
    scomTimeZone: config.scomTimeZone,
    intake,
    isReady: () => pingRedis(redis),
    metrics,
    ...(config.adminPassword
      ? {
          adminQueues: {
            password: config.adminPassword,
            queues: opsQueues.shared,
            readOnlyQueues: opsQueues.actions,
          },
        }
      : {}),
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const relay = async (): Promise<void> => {
    try {
      const n = await intake.relayPending();
      if (n > 0) logger.info({ count: n }, 'relayed incident events left in the outbox');
    } catch (err) {
      logger.warn({ err }, 'outbox relay failed; will retry');
    }
  };
  void relay();
  const relayTimer = setInterval(() => void relay(), options.relayIntervalMs ?? 10_000);
  relayTimer.unref();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(relayTimer);
      // Stop taking connections; in-flight requests finish, idle keep-alive ones are dropped.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(
        () => server.closeAllConnections(),
        options.shutdownGraceMs ?? 10_000,
      );
      await closed;
      clearTimeout(grace);
      await opsQueues.close();
      await incidentEvents.queue.close();
      await Promise.allSettled([redis.quit(), queueRedis.quit()]);
      logger.info('stopped');
    })();
    return closing;
  };

  if (options.handleSignals) {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  logger.info(
    { port, redisPrefix: config.redisPrefix, webhook: '/api/alerts/scom' },
    'exchange-chatops is listening',
  );
  return { port, url: `http://127.0.0.1:${port}`, intake, incidents: store, metrics, close };
}
