import type { Express } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createActionProducer, type ActionProducer } from '../../jobs/queues/action-jobs';
import { createSignedJobSink } from '../../jobs/remediation/approved-job-sink';
import { createIncidentEventQueue } from '../../jobs/queues/card-events';
import {
  createTriggerQueue,
  fanOutSink,
  startRemediationConsumers,
  type ActionOutcomeHandler,
} from '../../jobs/remediation/remediation-queues';
import type { ApprovedJobSink, GroupResolver } from '../app/approvals/ports';
import type { Alert, ServerRef } from '../domain/alerts/alert';
import type { Config } from '../infra/config/load-config';
import type { IncidentStore } from '../app/intake/ports';
import { createAlertIntake, type AlertIntakeService } from '../app/intake/record-alert';
import { loadInventory } from '../infra/files/load-inventory';
import { createRedisIncidentStore } from '../infra/redis/redis-incident-store';
import { createRedisRunStore } from '../infra/redis/redis-run-store';
import { startApprovals, type ApprovalsRuntime } from './start-approvals';
import { createLogger, type Logger } from '../infra/logger';
import { createMetrics, type AppMetrics } from '../infra/metrics';
import { createOpsQueues, redisMetricSources } from '../../jobs/queues/ops-queues';
import { createRedis, pingRedis } from '../infra/redis/redis';
import { redisKeys } from '../infra/redis/redis-keys';
import { allSites, findServer, siteFor, type Inventory } from '../domain/inventory/inventory';
import {
  createRemediationService,
  type RemediationRuntime,
  type RemediationService,
} from '../app/remediation/remediation-service';
import type { Catalog, ServerRole } from '../domain/runbooks';
import { loadCatalog } from '../infra/files/load-catalog';
import {
  createConsoleAdapter,
  type ConsoleAdapter,
  type ConsoleAdapterOptions,
  type ConsoleScenario,
} from '../../adapters/console';
import { consoleUsers } from '../../adapters/console/users';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams';
import type { ChatCore, ChatSurface } from '../app/chat/ports';
import { createChatRuntime } from './chat-runtime';
import { loadRoutes } from '../infra/files/load-routes';
import { alertAuditKey, alertReceivedEvent } from '../domain/audit/incident-audit-events';
import { resultLinkKey } from '../app/chat/result-links';
import { createApp } from '../infra/http/create-app';
import { resultsRouter } from '../infra/http/results-route';

export interface RunningServer {
  port: number;
  url: string;
  intake: AlertIntakeService;
  /** Read access to incidents (tests, and later the chat adapters). */
  incidents: Pick<IncidentStore, 'get' | 'listOpen'>;
  /** Remediation runs: what the chat core calls for Run / Ask / Done buttons. */
  remediation: RemediationService;
  /** The run engine itself (start/stop/relay), for tests and tools. */
  runs: RemediationRuntime;
  approvals: ApprovalsRuntime;
  /** Queues action jobs (the chat core's `/exchange health` checks). */
  producer: ActionProducer;
  catalog: Catalog;
  inventory: Inventory | null;
  /** This process's metrics: chat delivery, approvals and the results consumer report here. */
  metrics: AppMetrics;
  /** The platform-neutral chat core every adapter calls. */
  chat: ChatCore;
  /** Which chat platforms are on. */
  platforms: string[];
  /** Adds a handler for every worker result (after the run's own); returns a remover. */
  onActionOutcome(handler: ActionOutcomeHandler): () => void;
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
  /** Resolves Slack user groups for the approval policy (the Slack adapter's). */
  groups?: GroupResolver;
  /** Already loaded by the caller (serve checks the runbooks before anything starts). */
  catalog?: Catalog;
  /** The address to listen on (default: every interface). */
  host?: string;
  /** Where the Slack and Teams adapters read their settings (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** The demo's alert control in the console. */
  consoleScenarios?: {
    list: ConsoleScenario[];
    raise(name: string): Promise<{ ok: true; text: string } | { ok: false; reason: string }>;
  };
  /** Sees each valid alert before it is recorded (the demo sets the matching simulated fault). */
  onAlertReceived?: (alert: Alert) => void;
  /** A line shown at the top of the console (the demo says its waits are shortened). */
  consoleBanner?: ConsoleAdapterOptions['banner'];
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
  const triggers = createTriggerQueue(queueRedis, keys.bullPrefix);
  // The connection's own listener logs Redis errors; without these BullMQ prints each one again.
  incidentEvents.queue.on('error', () => undefined);
  triggers.queue.on('error', () => undefined);
  const catalog = options.catalog ?? loadCatalog({ operatorDir: config.runbooksDir });
  const inventory = loadInventory(config.inventoryFile);
  const producer = createActionProducer({
    connection: queueRedis,
    bullPrefix: keys.bullPrefix,
    inventory,
  });
  // Metrics and the job dashboard watch every site's action queue (`default` without inventory).
  const sites = allSites(inventory);
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
  const routes = loadRoutes(config.alertRoutesPath);
  // The Slack adapter needs the chat core, which needs the approvals; its group resolver is
  // bound once it exists.
  let slack: SlackAdapter | null = null;
  let teams: TeamsAdapter | null = null;
  const groups: GroupResolver = options.groups ?? {
    groupsOf: (actor) => (slack ? slack.groups.groupsOf(actor) : Promise.resolve([])),
  };
  let jobs: ApprovedJobSink;
  if (config.jobSigningKey) {
    jobs = createSignedJobSink(producer, config.jobSigningKey);
  } else {
    // `serve` requires the key; a server started without one (tests of the webhook alone)
    // still runs, but an approved change cannot become a job.
    logger.warn('JOB_SIGNING_KEY is not set: approved steps cannot be queued');
    jobs = {
      enqueue: () => Promise.reject(new Error('JOB_SIGNING_KEY is not set: cannot sign the job')),
    };
  }
  const approvals = await startApprovals({
    config,
    redis,
    logger,
    jobs,
    incidents: store,
    groups,
    metrics,
    ...(inventory
      ? {
          siteOf: (server: string) => {
            const found = siteFor(inventory, server);
            return found.ok ? found.site : null;
          },
        }
      : {}),
    onCommitted: async (change) => {
      if (!change.incidentId) return;
      await incidentEvents.sink.publish({
        incidentId: change.incidentId,
        version: change.version,
        change: 'approval',
        at: change.at,
        requestId: change.requestId,
      });
    },
  });
  const remediation = createRemediationService({
    store: createRedisRunStore(redis, {
      prefix: config.redisPrefix,
      retentionMs: config.incidentRetentionMs,
    }),
    catalog,
    incidents: store,
    checks: producer,
    timers: triggers.timers,
    approvals: approvals.flow,
    audit: approvals.audit,
    events: incidentEvents.sink,
    waitSeconds: config.runbookWaitSeconds,
    rolesOf: (server) => rolesOf(inventory, server),
    onError: (err, entry) =>
      logger.warn({ err, entry }, 'remediation effect not carried out yet; the relay will retry'),
  });
  const handlers: ActionOutcomeHandler[] = [];
  const consumers = startRemediationConsumers({
    connection: () =>
      createRedis(config.redisUrl, { forBlockingClient: true, connectionName: 'exchops-bot-rem' }),
    bullPrefix: keys.bullPrefix,
    remediation,
    flow: approvals.flow,
    audit: approvals.audit,
    logger,
    handlers: () => handlers,
  });
  const resultLinks =
    config.publicUrl && config.jobSigningKey
      ? { base: config.publicUrl, key: resultLinkKey(config.jobSigningKey) }
      : undefined;
  const chatRuntime = createChatRuntime({
    resultLinks,
    redis,
    keys,
    bullPrefix: keys.bullPrefix,
    connection: queueRedis,
    workerConnection: () =>
      createRedis(config.redisUrl, { forBlockingClient: true, connectionName: 'exchops-bot-chat' }),
    logger,
    catalog,
    incidents: store,
    remediation,
    approvals: approvals.flow,
    audit: approvals.audit,
    policy: approvals.policy,
    groups,
    producer,
    inventory,
    routes,
    defaultChannel: async (platform) =>
      platform === 'slack'
        ? (slack?.alertChannel ?? null)
        : platform === 'teams'
          ? ((await teams?.alertChannel()) ?? null)
          : 'alerts',
    onDelivery: (platform, err) => metrics.observeChatPost(platform, err),
  });
  const env = options.env ?? process.env;
  slack = createSlackAdapter({
    env,
    core: chatRuntime.core,
    logger,
    redraw: (incidentId) => delivery.redraw(incidentId),
    // Replicas share which Events API deliveries were handled (Slack redelivers on timeouts).
    seenEvent: async (eventId) =>
      (await redis.set(keys.slackEventSeen(eventId), '1', 'EX', 3600, 'NX')) !== 'OK',
  });
  teams = createTeamsAdapter({
    env,
    core: chatRuntime.core,
    redis,
    redisPrefix: config.redisPrefix,
    logger,
  });
  let consoleAdapter: ConsoleAdapter | null = null;
  if (config.consoleEnabled) {
    consoleAdapter = createConsoleAdapter({
      redis,
      keys,
      core: chatRuntime.core,
      logger,
      users: () => consoleUsers(approvals.policy.current()),
      redraw: (incidentId) => delivery.redraw(incidentId),
      ...(options.consoleScenarios ? { scenarios: options.consoleScenarios } : {}),
      ...(options.consoleBanner ? { banner: options.consoleBanner } : {}),
    });
    if (!options.consoleScenarios) {
      logger.warn(
        'CONSOLE_ENABLED: /console has no login (anyone who reaches it acts as any console user of the policy); keep it on a trusted network',
      );
    }
  }
  const surfaces: ChatSurface[] = [slack?.surface, teams?.surface, consoleAdapter?.surface].filter(
    (x): x is ChatSurface => x !== undefined,
  );
  if (surfaces.length === 0) {
    logger.warn('no chat platform is configured: incidents are recorded but posted nowhere');
  }
  const delivery = chatRuntime.startDelivery(surfaces);
  handlers.push(async (outcome) => {
    metrics.observeActionOutcome(outcome);
    await chatRuntime.onActionOutcome(outcome);
  });

  const intake = createAlertIntake({
    store,
    // The chat side and remediation each get the change on a queue of their own.
    events: fanOutSink(incidentEvents.sink, triggers.sink),
    onPublishError: (event, err) =>
      logger.warn({ event, err }, 'incident event not queued yet; the relay will retry'),
  });

  const app = createApp({
    logger,
    scomWebhookToken: config.scomWebhookToken,
    scomTimeZone: config.scomTimeZone,
    intake,
    isReady: () => pingRedis(redis),
    metrics,
    ...(options.onAlertReceived ? { onAlertReceived: options.onAlertReceived } : {}),
    onAlertRecorded: async (alert, result) => {
      await approvals.audit.append(alertReceivedEvent(alert, result, new Date().toISOString()), {
        idempotencyKey: alertAuditKey(alert),
      });
    },
    ...(config.adminPassword
      ? {
          adminQueues: {
            password: config.adminPassword,
            queues: opsQueues.shared,
            readOnlyQueues: opsQueues.actions,
          },
        }
      : {}),
    mounts: [
      (app: Express) => {
        slack?.mount(app);
        teams?.mount(app);
        consoleAdapter?.mount(app);
        if (resultLinks) {
          app.use(
            '/results',
            resultsRouter({ key: resultLinks.key, getRun: (id) => remediation.getRun(id) }),
          );
        }
      },
    ],
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.host) server.listen(config.port, options.host, () => resolve());
    else server.listen(config.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await slack?.start();

  const relay = async (): Promise<void> => {
    try {
      const n = await intake.relayPending();
      if (n > 0) logger.info({ count: n }, 'relayed incident events left in the outbox');
      const r = await remediation.relay();
      if (r > 0) logger.info({ count: r }, 'relayed remediation effects left in the outbox');
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
      approvals.stop();
      await Promise.allSettled([slack?.stop(), teams?.stop()]);
      await consumers.close();
      await delivery.close();
      await opsQueues.close();
      await producer.close();
      await Promise.all([incidentEvents.queue.close(), triggers.queue.close()]);
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
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    intake,
    incidents: store,
    remediation,
    runs: remediation,
    approvals,
    producer,
    catalog,
    inventory,
    metrics,
    chat: chatRuntime.core,
    platforms: surfaces.map((x) => x.platform),
    onActionOutcome(handler) {
      handlers.push(handler);
      return () => {
        const i = handlers.indexOf(handler);
        if (i >= 0) handlers.splice(i, 1);
      };
    },
    close,
  };
}

/** The runbooks' roles of a server, from the inventory; null when it does not say. */
function rolesOf(inventory: Inventory | null, server: ServerRef | null): ServerRole[] | null {
  if (!inventory || !server) return null;
  const found = findServer(inventory, server.name);
  if (!found) return null;
  return found.roles.map((r) => (r === 'Mailbox' ? 'mailbox' : 'client-access'));
}
