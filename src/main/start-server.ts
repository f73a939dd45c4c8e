// Over 450 lines on purpose: the composition root, the one place that knows every part, wires
// them in the order they depend on each other; split, a reader would follow the wiring across files.
import type { Express } from 'express';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createActionProducer, type ActionProducer } from '../../jobs/queues/action-jobs';
import { createSignedJobSink } from '../../jobs/remediation/approved-job-sink';
import { gatedProducer, slotOf, type GatedRequest } from '../../jobs/remediation/gated-producer';
import { createAdmission, type Admission } from '../app/remediation/admission';
import { redisAdmissionStore } from '../infra/redis/redis-admission-store';
import { redisOutageStore } from '../infra/redis/redis-outage-store';
import { DEFAULT_OUTAGE_SETTINGS } from '../domain/outages/settings';
import { createCardEventQueue } from '../../jobs/queues/card-events';
import {
  createTriggerQueue,
  fanOutSink,
  startRemediationConsumers,
  watchLapsedWorkers,
  type ActionOutcomeHandler,
} from '../../jobs/remediation/remediation-queues';
import { workersPerSite } from '../../jobs/queues/worker-heartbeat';
import { createKeyRing } from '../infra/signing/job-signing';
import {
  ACCOUNT_IDENTITY,
  type ApprovedJobSink,
  type GroupResolver,
  type IdentityResolver,
} from '../app/approvals/ports';
import { createCachedIdentityResolver } from '../app/approvals/cached-identity-resolver';
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
import { checkRedisAtStart, watchRedis } from '../infra/redis/durability';
import { redisKeys } from '../infra/redis/redis-keys';
import { allSites, findServer, siteFor, type Inventory } from '../domain/inventory/inventory';
import {
  createRemediationService,
  type RemediationRuntime,
  type RemediationService,
} from '../app/remediation/remediation-service';
import type { Catalog, ServerRole } from '../domain/runbooks';
import { loadCatalog } from '../infra/files/load-catalog';
import { replicationBarrier } from '../infra/redis/replication-barrier';
import { PLATFORM_RULES, PLATFORMS } from '../../adapters/registry';
import type { DemoControls, PlatformInstance } from '../infra/platforms/platform-module';
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
  /** How often the in-flight changes of workers whose heartbeat lapsed are looked for. */
  lapseCheckMs?: number;
  /** How often every replica looks for held steps that may start (default 1 s). */
  admissionTickMs?: number;
  /** How long shutdown waits for in-flight requests before cutting connections. */
  shutdownGraceMs?: number;
  /** Resolves a platform's groups for the approval policy (default: each platform's own). */
  groups?: GroupResolver;
  /** Resolves directory identities for the two-person rule (default: each platform's own). */
  identities?: IdentityResolver;
  /** Already loaded by the caller (serve checks the runbooks before anything starts). */
  catalog?: Catalog;
  /** The address to listen on (default: every interface). */
  host?: string;
  /** Where the chat platforms read their settings (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** The demo's alert buttons and banner, for a surface that shows them (the console). */
  demo?: DemoControls;
  /** Sees each valid alert before it is recorded (the demo sets the matching simulated fault). */
  onAlertReceived?: (alert: Alert) => void;
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
  // A Cluster reports a lost node here (a failover under way); its 'error' is the cluster's own.
  redis.on('node error', (err: Error, node: string) =>
    logger.warn({ err: err.message, node }, 'redis cluster node error'),
  );
  // A Redis that would lose what we answer 202 for stops us here, before anything is accepted.
  const durability = await checkRedisAtStart(redis, config.redisDurability, 3000).catch(
    async (err: unknown) => {
      await Promise.allSettled([redis.quit(), queueRedis.quit()]);
      throw err;
    },
  );
  queueRedis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));

  const store = createRedisIncidentStore(redis, {
    prefix: config.redisPrefix,
    retentionMs: config.incidentRetentionMs,
  });
  const cardEvents = createCardEventQueue(queueRedis, keys.bullPrefix);
  const triggers = createTriggerQueue(queueRedis, keys.bullPrefix);
  // The connection's own listener logs Redis errors; without these BullMQ prints each one again.
  cardEvents.queue.on('error', () => undefined);
  triggers.queue.on('error', () => undefined);
  const catalog = options.catalog ?? loadCatalog({ operatorDir: config.runbooksDir });
  const inventory = loadInventory(config.inventoryFile);
  // Every job is signed (its grant) and every result verified with these keys.
  const signing = config.jobSigningKeys.length > 0 ? createKeyRing(config.jobSigningKeys) : null;
  const queued = createActionProducer({
    connection: queueRedis,
    bullPrefix: keys.bullPrefix,
    inventory,
    signing,
  });
  // Every job asks the remediation gate first (holds during an outage, the blast radius); the
  // gate needs the run service, made further down, to show a hold on its step.
  let admission: Admission<GatedRequest> | null = null;
  const producer = gatedProducer(queued, inventory, () => {
    if (!admission) throw new Error('the remediation gate is not ready yet');
    return admission;
  });
  // Metrics and the job dashboard watch every site's action queue (`default` without inventory).
  const sites = allSites(inventory);
  const opsQueues = createOpsQueues({
    connection: queueRedis,
    bullPrefix: keys.bullPrefix,
    sites,
    existing: [cardEvents.queue],
  });
  const metrics = createMetrics({
    sources: redisMetricSources({ redis, keys, queues: opsQueues.all, sites }),
    onCollectError: (source, err) => logger.warn({ source, err }, 'metrics source failed'),
  });
  const redisWatch = watchRedis(redis, {
    settings: config.redisDurability,
    intervalMs: config.redisWatchMs,
    initial: durability,
    onRestart: (previousRunId, runId) => {
      metrics.redisRestarts.inc();
      logger.error(
        { previousRunId, runId },
        'Redis restarted or failed over (its run_id changed): with persistence on, nothing is lost; without it, what was acknowledged before is gone',
      );
    },
  });
  const routes = loadRoutes(config.alertRoutesPath, PLATFORM_RULES);
  // The platforms need the chat core, which needs the approvals, which ask the platforms for
  // groups: the resolver is bound once they exist.
  const platforms = new Map<string, PlatformInstance>();
  const groups: GroupResolver = options.groups ?? {
    groupsOf: (actor) =>
      platforms.get(actor.platform)?.groups?.groupsOf(actor) ?? Promise.resolve([]),
  };
  // Identities likewise; cached here (users.info is one call per person per 10 minutes).
  const identities: IdentityResolver =
    options.identities ??
    createCachedIdentityResolver(
      {
        identityOf: (actor) =>
          (platforms.get(actor.platform)?.identities ?? ACCOUNT_IDENTITY).identityOf(actor),
      },
      { onError: (err) => logger.warn({ err }, 'identity look-up failed; treated as unknown') },
    );
  let jobs: ApprovedJobSink;
  if (signing) {
    jobs = createSignedJobSink(producer);
  } else {
    // `serve` requires a key; a server started without one (tests of the webhook alone)
    // still runs, but nothing can become a job, and no result is accepted.
    logger.warn('JOB_SIGNING_KEYS is not set: no job can be queued, no result accepted');
    jobs = {
      enqueue: () => Promise.reject(new Error('JOB_SIGNING_KEYS is not set: cannot sign the job')),
    };
  }
  const approvals = await startApprovals({
    config,
    redis,
    logger,
    jobs,
    incidents: store,
    groups,
    identities,
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
      await cardEvents.sink.publish({
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
    events: cardEvents.sink,
    waitSeconds: config.runbookWaitSeconds,
    rolesOf: (server) => rolesOf(inventory, server),
    onError: (err, entry) =>
      logger.warn({ err, entry }, 'remediation effect not carried out yet; the relay will retry'),
  });
  const outageSettings = config.outages ?? DEFAULT_OUTAGE_SETTINGS;
  const outageStates = redisOutageStore(redis, keys);
  const gate = createAdmission<GatedRequest>({
    store: redisAdmissionStore(redis, keys),
    ...(config.outages
      ? {
          outages: {
            openFor: async (site: string) => {
              const scope = outageSettings.scope === 'site' ? site : '*';
              const { state } = await outageStates.read(scope);
              return state.outages.filter((o) => o.status === 'open');
            },
          },
        }
      : {}),
    settings: outageSettings,
    catalog,
    describe: (req) => slotOf(inventory, req),
    start: async (req) => {
      const r = await queued.enqueue(req);
      if (!r.ok) return r;
      // BullMQ keeps a finished job (by id) for days: adding it again was a no-op.
      const state = await queued.queueFor(r.site).getJobState(r.jobId);
      return { ok: true, alreadyFinished: state === 'completed' || state === 'failed' };
    },
    onHeld: async (req, slot, hold) => {
      if (req.incidentId && req.runId && req.stepId) {
        await remediation.setHold(req.incidentId, req.stepId, hold);
      }
      await redrawOutageOf(slot);
    },
    onStarted: async (req, slot) => {
      if (req.incidentId && req.runId && req.stepId) {
        await remediation.setHold(req.incidentId, req.stepId, null);
      }
      await redrawOutageOf(slot);
    },
    onStartFailed: async (req, reason) => {
      logger.warn({ jobId: req.jobId, reason }, 'a held job could not be queued when it was due');
      if (!req.incidentId || !req.runId || !req.stepId) return;
      const at = new Date().toISOString();
      await remediation.handleOutcome({
        jobId: req.jobId,
        actionId: req.actionId,
        params: req.params,
        status: 'refused',
        reason,
        stepId: req.stepId,
        incidentId: req.incidentId,
        runId: req.runId,
        startedAt: at,
        finishedAt: at,
        durationMs: 0,
      });
    },
    stillWanted: async (req) => {
      if (!req.incidentId) return true;
      return (await store.get(req.incidentId))?.status !== 'resolved';
    },
    onDropped: async (req) => {
      logger.info({ jobId: req.jobId }, 'a held job was dropped: its incident resolved');
      if (!req.approval) return;
      await approvals.flow.recordExecution({
        requestId: req.approval.approvalId,
        state: 'failed',
        refused: true,
        by: { platform: 'system', id: 'bot' },
        jobId: req.jobId,
        summary: 'not run: the incident resolved while the change was held',
      });
    },
    audit: approvals.audit,
    onError: (err, what) => logger.warn({ err, what }, 'remediation gate: will retry'),
  });
  admission = gate;
  // The outage card counts its members' held changes: redrawn when one is held or starts.
  let redrawOutage: ((o: { id: string; site: string }) => Promise<void>) | null = null;
  const redrawOutageOf = async (slot: { incidentId: string; site: string }): Promise<void> => {
    if (!config.outages || !redrawOutage || !slot.incidentId) return;
    const scope = outageSettings.scope === 'site' ? slot.site : '*';
    const { state } = await outageStates.read(scope);
    const outage = state.outages.find((o) =>
      o.members.some((m) => m.incidentId === slot.incidentId),
    );
    if (outage) await redrawOutage(outage);
  };
  // BOT_ROLE=web: HTTP only; the replicas with BOT_ROLE=all consume the queues and run the timers.
  const background = config.background;
  let gateTicking = false;
  const gateTimer = background
    ? setInterval(() => {
        if (gateTicking) return;
        gateTicking = true;
        void gate
          .tick()
          .catch((err: unknown) => logger.warn({ err }, 'remediation gate timer failed'))
          .finally(() => (gateTicking = false));
      }, options.admissionTickMs ?? 1000)
    : undefined;
  gateTimer?.unref();
  const handlers: ActionOutcomeHandler[] = [];
  const consumerOptions = {
    admission: gate,
    remediation,
    flow: approvals.flow,
    audit: approvals.audit,
    logger,
    handlers: () => handlers,
    // Without keys nothing verifies: a ring of a random key no worker has refuses every result.
    signing: signing ?? createKeyRing([{ id: 'none', secret: randomBytes(32).toString('hex') }]),
    onRejected: () => metrics.rejectedResults.inc(),
  };
  const consumers = background
    ? startRemediationConsumers({
        ...consumerOptions,
        connection: () =>
          createRedis(config.redisUrl, {
            forBlockingClient: true,
            connectionName: 'exchops-bot-rem',
          }),
        bullPrefix: keys.bullPrefix,
      })
    : null;
  const lapses = background
    ? watchLapsedWorkers({
        ...consumerOptions,
        redis,
        keys,
        intervalMs: options.lapseCheckMs ?? 2000,
        onDeclared: () => metrics.unknownOutcomes.inc(),
      })
    : null;
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
    defaultChannel: async (platform) => (await platforms.get(platform)?.defaultChannel()) ?? null,
    onDelivery: (platform, err) => metrics.observeChatPost(platform, err),
    outages: config.outages,
    outageStore: outageStates,
    holds: gate,
  });
  for (const platform of PLATFORMS) {
    const instance = platform.create({
      env: options.env ?? process.env,
      config,
      core: chatRuntime.core,
      logger,
      redis,
      redisPrefix: config.redisPrefix,
      redraw: (incidentId) => delivery.redraw(incidentId),
      policy: () => approvals.policy.current(),
      ...(options.demo ? { demo: options.demo } : {}),
    });
    if (instance) platforms.set(platform.id, instance);
  }
  const surfaces: ChatSurface[] = [...platforms.values()].map((p) => p.surface);
  if (surfaces.length === 0) {
    logger.warn('no chat platform is configured: incidents are recorded but posted nowhere');
  }
  // Each platform's published limits, from its module: the delivery's shared budgets.
  const delivery = chatRuntime.startDelivery(
    surfaces,
    Object.fromEntries(PLATFORMS.map((p) => [p.id, p.limits])),
    { consume: background },
  );
  redrawOutage = (o) => delivery.redrawOutage(o);
  handlers.push(async (outcome) => {
    metrics.observeActionOutcome(outcome);
    await chatRuntime.onActionOutcome(outcome);
  });

  const intake = createAlertIntake({
    store,
    // The chat side and remediation each get the change on a queue of their own. (Starting the
    // run from the card event's consumer instead, one job per change, made the background keep
    // up with fewer alerts per second in bench (a): the two consumers stopped working in parallel.)
    events: fanOutSink(cardEvents.sink, triggers.sink),
    onPublishError: (event, err) =>
      logger.warn({ event, err }, 'incident event not queued yet; the relay will retry'),
  });

  const app = createApp({
    logger,
    scomWebhookToken: config.scomWebhookToken,
    scomTimeZone: config.scomTimeZone,
    intake,
    isReady: () => pingRedis(redis),
    readyDetails: async () => {
      await redisWatch.check();
      const s = redisWatch.state();
      return {
        ok: s.problems.length === 0,
        persistence: s.durability?.persistence ?? 'unknown',
        evictionPolicy: s.durability?.evictionPolicy ?? null,
        ...(config.redisDurability.volatileOk ? { volatileOk: true } : {}),
        ...(s.problems.length > 0 ? { problems: s.problems } : {}),
        redisRestarts: s.restarts,
        lastRedisRestartAt: s.lastRestartAt,
        signingKeyId: signing?.activeKeyId ?? null,
        workersOnline: await workersPerSite(redis, keys, sites),
      };
    },
    metrics,
    // The incident's commit ({inc}) and its audit entry ({audit}): on replicas before the 202.
    ...(config.redisWait.replicas > 0
      ? {
          beforeAccept: replicationBarrier(redis, {
            ...config.redisWait,
            keys: [keys.openSet, keys.auditHead],
          }),
        }
      : {}),
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
        for (const p of platforms.values()) p.mount(app);
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
  await Promise.all([...platforms.values()].map((p) => p.start?.()));

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
      clearInterval(gateTimer);
      redisWatch.stop();
      lapses?.stop();
      // Stop taking connections; in-flight requests finish, idle keep-alive ones are dropped.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(
        () => server.closeAllConnections(),
        options.shutdownGraceMs ?? 10_000,
      );
      await closed;
      clearTimeout(grace);
      // Changes committed by the last requests reach the queue before it closes.
      await intake.idle();
      approvals.stop();
      await Promise.allSettled([...platforms.values()].map((p) => p.stop?.()));
      await consumers?.close();
      // The runs' card events still on their way (the outbox holds them either way).
      await remediation.idle();
      await delivery.close();
      await opsQueues.close();
      await producer.close();
      await Promise.all([cardEvents.queue.close(), triggers.queue.close()]);
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

  if (!background) {
    logger.info('BOT_ROLE=web: no background work here (a replica with BOT_ROLE=all does it)');
  }
  logger.info(
    {
      port,
      redisPrefix: config.redisPrefix,
      webhook: '/api/alerts/scom',
      role: background ? 'all' : 'web',
    },
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
  // A copy: the run keeps it in its bindings.
  return [...found.roles];
}
