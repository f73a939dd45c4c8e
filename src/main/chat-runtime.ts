import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { RedisClient } from '../infra/redis/redis';
import {
  startChatDelivery,
  type ChatDelivery,
  type OutageDelivery,
} from '../../jobs/chat/chat-delivery';
import type { ActionJobData, ActionOutcome, ActionProducer } from '../../jobs/queues/action-jobs';
import { listOnlineWorkers } from '../../jobs/queues/worker-heartbeat';
import type { Actor, PlatformId } from '../domain/identity/actor';
import type { GroupResolver, PolicySource } from '../app/approvals/ports';
import { createAccess } from '../app/chat/access';
import { createChatCore } from '../app/chat/chat-core';
import type {
  ApprovalsPort,
  AuditPort,
  ChecksPort,
  IncidentsPort,
  JobsPort,
  JobSummary,
  PrefsPort,
  RemediationPort,
} from '../app/chat/core-ports';
import { formatResult } from '../app/chat/format-result';
import { resultLink } from '../app/chat/result-links';
import { incidentAuditKey, incidentChangedEvent } from '../domain/audit/incident-audit-events';
import type { AuditLog } from '../app/audit/ports';
import type { ChatSurface } from '../app/chat/ports';
import type { PlatformLimits } from '../app/chat/delivery-limits';
import { createOutageRouting } from '../app/outages/outage-routing';
import type { Admission, AdmissionRequest } from '../app/remediation/admission';
import { healthReportIsHealthy } from '../domain/outages/admission';
import type { Outage } from '../domain/outages/outage';
import type { OutageSettings } from '../domain/outages/settings';
import {
  memberPointerText,
  outageResolvedMessage,
  buildOutageCard,
} from '../domain/outages/outage-card';
import { redisOutageStore } from '../infra/redis/redis-outage-store';
import type { OutageStateStore } from '../app/outages/ports';
import { routeIncident, type Routes } from '../domain/chat/routing';
import { allSites, findServer, siteFor, type Inventory } from '../domain/inventory/inventory';
import { getAction } from '../domain/actions/registry';
import { findStep, type Catalog } from '../domain/runbooks/catalog';
import { isLang, type Lang } from '../domain/runbooks/text';
import { actionTitle, t } from '../domain/strings';
import type { Logger } from '../infra/logger';
import type { RedisKeys } from '../infra/redis/redis-keys';

/**
 * Wires the chat core to Redis and the queues: the core's ports, the durable delivery, and the
 * answers to commands' checks. The composition root (start-server.ts) calls it once.
 */
export interface ChatRuntimeOptions {
  redis: RedisClient;
  keys: RedisKeys;
  bullPrefix: string;
  connection: RedisClient;
  workerConnection: () => RedisClient;
  logger: Logger;
  catalog: Catalog;
  incidents: IncidentsPort;
  remediation: RemediationPort;
  approvals: ApprovalsPort;
  /** The audit trail: read by `/exchange audit`, appended to for incident and card changes. */
  audit: AuditPort & AuditLog;
  policy: PolicySource;
  groups?: GroupResolver;
  producer: ActionProducer;
  inventory: Inventory | null;
  routes: Routes;
  /** Default alert channel per platform when no route names one. */
  defaultChannel: (platform: PlatformId) => Promise<string | null>;
  onDelivery?: (platform: PlatformId, err?: unknown) => void;
  /** Links to whole step outputs: the bot's public base URL and the link key. */
  resultLinks?: { base: string; key: Buffer } | undefined;
  /** Where the outage state is kept (default: a store of its own over `redis`). */
  outageStore?: OutageStateStore;
  /** Outage mode's settings (OUTAGE_*); null or absent: every incident has its own card. */
  outages?: OutageSettings | null;
  /** The remediation gate: what an outage holds (its card) and its release button. */
  holds?: Pick<Admission<AdmissionRequest>, 'waiting' | 'release'>;
}

export function createPrefs(redis: RedisClient, keys: RedisKeys): PrefsPort {
  return {
    async langOf(channel) {
      const v = await redis.get(keys.chatLang(channel.platform, channel.id));
      return v && isLang(v) ? v : 'en';
    },
    async setLang(channel, lang) {
      await redis.set(keys.chatLang(channel.platform, channel.id), lang);
    },
  };
}

export function createChatRuntime(options: ChatRuntimeOptions) {
  const { redis, keys, inventory, producer } = options;
  const siteOf = (server: string): string | null => {
    const s = siteFor(inventory, server);
    return s.ok ? s.site : null;
  };
  const prefs = createPrefs(redis, keys);

  const checks: ChecksPort = {
    async run(input) {
      const jobId = `check-${randomUUID()}`;
      // Recorded before the job exists, so even an instant result finds where to go.
      await redis.set(
        keys.chatReplyTo(jobId),
        JSON.stringify({
          platform: input.replyTo.platform,
          channel: input.replyTo.id,
          lang: input.lang,
          ...(input.dependencyCheck ? { dependencyCheck: input.dependencyCheck } : {}),
        }),
        'EX',
        7 * 24 * 3600,
      );
      const r = await producer.enqueue({
        actionId: input.actionId,
        params: input.params,
        requestedBy: input.actor,
        jobId,
      });
      if (!r.ok) await redis.del(keys.chatReplyTo(jobId));
      return r;
    },
  };

  const jobs: JobsPort = {
    async recent(limit) {
      const out: JobSummary[] = [];
      for (const site of allSites(inventory)) {
        const q = producer.queueFor(site);
        const found: Job<ActionJobData>[] = await q.getJobs(
          ['active', 'waiting', 'delayed', 'completed', 'failed'],
          0,
          limit,
        );
        for (const job of found) {
          const state = await job.getState();
          const rv = job.returnvalue as Partial<ActionOutcome> | undefined;
          out.push({
            jobId: job.id ?? '?',
            actionId: job.data.actionId,
            server: typeof job.data.params.server === 'string' ? job.data.params.server : null,
            site,
            state: rv?.status ?? state,
            incidentId: job.data.incidentId,
            requestedBy: job.data.requestedBy.displayName ?? job.data.requestedBy.id,
            at: new Date(job.processedOn ?? job.timestamp).toISOString(),
            summary: job.failedReason ?? undefined,
          });
        }
      }
      const rank = (s: string) => (s === 'active' ? 0 : s === 'waiting' || s === 'delayed' ? 1 : 2);
      return out
        .sort((a, b) => rank(a.state) - rank(b.state) || b.at.localeCompare(a.at))
        .slice(0, limit);
    },
  };

  const outages = options.outages ? outageDelivery(options, options.outages) : undefined;

  const core = createChatCore({
    ...(outages
      ? {
          outages: {
            find: (id: string) => outages.routing.find(id),
            held: (outage: Outage) => heldIn(options, outage),
            ...(options.holds
              ? {
                  release: async (input: { outage: Outage; actor: Actor; reason: string }) => {
                    // Across sites (scope `organisation`) each member site keeps its own holds.
                    let started = 0;
                    for (const site of new Set(input.outage.members.map((m) => m.site))) {
                      const r = await options.holds!.release({
                        outageId: input.outage.id,
                        site,
                        by: input.actor,
                        reason: input.reason,
                      });
                      if (!r.ok) return r;
                      started += r.started;
                    }
                    await delivery?.redrawOutage(input.outage);
                    return { ok: true as const, started };
                  },
                }
              : {}),
          },
        }
      : {}),
    catalog: options.catalog,
    incidents: options.incidents,
    remediation: options.remediation,
    approvals: options.approvals,
    access: createAccess({ policy: options.policy, groups: options.groups, siteOf }),
    checks,
    jobs,
    workers: {
      online: () => listOnlineWorkers(redis, keys),
      knownSites: () => allSites(inventory),
    },
    audit: options.audit,
    prefs,
    redraw: (incidentId) => delivery?.redraw(incidentId) ?? Promise.resolve(),
    redrawOutagesOf: async (incidents) => {
      if (!outages || !delivery) return;
      const seen = new Map<string, Outage>();
      for (const incident of incidents) {
        const view = await outages.routing.view(incident);
        if (view.kind === 'member') seen.set(view.outage.id, view.outage);
      }
      await Promise.all([...seen.values()].map((o) => delivery?.redrawOutage(o)));
    },
    rolesOf: (server) => (inventory ? (findServer(inventory, server)?.roles ?? null) : null),
  });

  let delivery: ChatDelivery | null = null;

  /**
   * One of an outage's dependency checks came back: when every check of that click did, and all
   * are healthy, the outage's held member changes are released (audited as the checks').
   */
  async function dependencyCheckCame(
    check: { outageId: string; batch: string; count: number },
    outcome: ActionOutcome,
  ): Promise<void> {
    if (!options.holds) return;
    const key = keys.chatDependencyChecks(check.batch);
    const asked =
      typeof outcome.params.healthSet === 'string' ? outcome.params.healthSet : undefined;
    const healthy = outcome.status === 'succeeded' && healthReportIsHealthy(outcome.parsed, asked);
    await redis.hset(key, outcome.jobId, healthy ? '1' : '0');
    await redis.expire(key, 24 * 3600);
    const all = Object.values(await redis.hgetall(key));
    if (all.length < check.count || all.some((v) => v !== '1')) return;
    const outage = outages ? await outages.routing.find(check.outageId) : null;
    if (!outage || outage.status !== 'open') return;
    const server = typeof outcome.params.server === 'string' ? outcome.params.server : '?';
    for (const site of new Set(outage.members.map((m) => m.site))) {
      await options.holds.release({
        outageId: outage.id,
        site,
        by: 'checks',
        reason: `the dependency checks (Get-HealthReport on ${server}) came back healthy`,
      });
    }
    await delivery?.redrawOutage(outage);
  }

  return {
    core,
    prefs,
    outages: outages?.routing,
    /** Starts delivering to the given surfaces (after the adapters exist: they need the core). */
    startDelivery(
      surfaces: readonly ChatSurface[],
      limits: Partial<Record<PlatformId, PlatformLimits | undefined>> = {},
      opts: { consume?: boolean } = {},
    ): ChatDelivery {
      delivery = startChatDelivery({
        limits,
        ...(opts.consume === false ? { consume: false } : {}),
        ...(outages ? { outages } : {}),
        connection: options.connection,
        workerConnection: options.workerConnection,
        bullPrefix: options.bullPrefix,
        redis,
        keys,
        surfaces,
        routeFor: async (incident, platform) =>
          routeIncident(
            options.routes,
            incident,
            incident.server ? siteOf(incident.server.name) : null,
            platform,
            await options.defaultChannel(platform),
          ),
        incidents: options.incidents,
        runs: options.remediation,
        buildCard: (incident, lang: Lang) => core.incidentCard(incident, lang),
        stepLabel: (run, stepKey, actionId, lang) => {
          const stepId = stepKey.includes('/') ? stepKey.slice(stepKey.indexOf('/') + 1) : stepKey;
          const sectionId = run.steps[stepKey]?.sectionId ?? run.sectionId;
          const section = options.catalog.sections.get(sectionId);
          const step = section ? findStep(section, stepId) : undefined;
          const title = actionTitle(lang, actionId, getAction(actionId)?.title);
          if (!step) return title;
          return t(lang, 'result.stepLabel', { step: step.number, title });
        },
        prefs,
        logger: options.logger.child({ component: 'chat-delivery' }),
        onDelivery: options.onDelivery,
        fullTextUrl: (incidentId, jobId) =>
          options.resultLinks
            ? resultLink(options.resultLinks.base, options.resultLinks.key, incidentId, jobId)
            : undefined,
        onIncidentEvent: async (event) => {
          if (
            event.change !== 'created' &&
            event.change !== 'updated' &&
            event.change !== 'resolved'
          ) {
            return;
          }
          const incident = await options.incidents.get(event.incidentId);
          if (!incident) return;
          // The key names the event's version, so a redelivered event is recorded once.
          await options.audit.append(
            incidentChangedEvent({ ...incident, version: event.version }, event.change, event.at),
            { idempotencyKey: incidentAuditKey({ id: incident.id, version: event.version }) },
          );
        },
        onCard: async (kind, platform, incidentId, ref, deliveryId) => {
          await options.audit.append(
            {
              at: new Date().toISOString(),
              actor: {
                platform: 'system',
                id: 'exchange-chatops',
                displayName: 'exchange-chatops',
              },
              action: kind === 'posted' ? 'card.posted' : 'card.updated',
              incidentId,
              server: null,
              params: { platform, channel: ref.channel, messageId: ref.messageId },
              result: `${kind} on ${platform}`,
            },
            {
              idempotencyKey: `card:${platform}:${incidentId}:${kind === 'posted' ? 'posted' : deliveryId}`,
            },
          );
        },
      });
      return delivery;
    },
    /** For the result consumer: a command's check result goes back to where it was asked. */
    async onActionOutcome(outcome: ActionOutcome): Promise<void> {
      // Read, queue the answer, then forget: a failure in between retries the outcome, and the
      // reply's job id makes a second queueing harmless.
      const target = await redis.get(keys.chatReplyTo(outcome.jobId));
      if (!target || !delivery) return;
      const to = JSON.parse(target) as {
        platform: PlatformId;
        channel: string;
        lang: string;
        dependencyCheck?: { outageId: string; batch: string; count: number };
      };
      if (to.dependencyCheck) await dependencyCheckCame(to.dependencyCheck, outcome);
      const lang: Lang = isLang(to.lang) ? to.lang : 'en';
      const stepLabel =
        typeof outcome.params.server === 'string'
          ? t(lang, 'result.onServer', { action: outcome.actionId, server: outcome.params.server })
          : outcome.actionId;
      await delivery.sendReply(
        to.platform,
        to.channel,
        formatResult({ ...outcome, summary: summarize(outcome, lang) }, { lang, stepLabel }),
        outcome.jobId,
      );
      await redis.del(keys.chatReplyTo(outcome.jobId));
    },
  };
}

export type ChatRuntime = ReturnType<typeof createChatRuntime>;

function summarize(o: ActionOutcome, lang: Lang): string {
  if (o.status !== 'succeeded') return o.reason ?? o.status;
  const parsed = o.parsed as { summary?: unknown } | undefined;
  return typeof parsed?.summary === 'string' ? parsed.summary : t(lang, 'result.succeeded');
}

/** The members' changes the remediation gate holds for their outage (the card's count). */
async function heldIn(
  options: ChatRuntimeOptions,
  outage: Outage,
): Promise<{ incidentId: string; title: string; server: string }[]> {
  if (!options.holds || outage.status !== 'open') return [];
  const members = new Set(outage.members.map((m) => m.incidentId));
  const sites = [...new Set(outage.members.map((m) => m.site))];
  const out: { incidentId: string; title: string; server: string }[] = [];
  for (const site of sites) {
    for (const w of await options.holds.waiting(site)) {
      if (members.has(w.incidentId) && w.kinds.includes('outage-member')) {
        out.push({ incidentId: w.incidentId, title: w.title, server: w.server });
      }
    }
  }
  return out;
}

/** Outage mode for the delivery: the state in Redis, the outage card and the member pointers. */
function outageDelivery(options: ChatRuntimeOptions, settings: OutageSettings): OutageDelivery {
  const routing = createOutageRouting({
    // The process's one store: its cache of the parsed state is then shared with the gate.
    store: options.outageStore ?? redisOutageStore(options.redis, options.keys),
    settings,
    catalog: () => options.catalog,
    inventory: () => options.inventory,
  });
  return {
    routing,
    cardUpdateMs: settings.cardUpdateMs,
    buildCard: async (outage, lang) =>
      buildOutageCard({
        outage,
        catalog: options.catalog,
        lang,
        now: new Date(),
        held: await heldIn(options, outage),
      }),
    resolvedMessage: (outage, lang) => outageResolvedMessage(outage, options.catalog, lang),
    pointer: (outage, incident, lang) => {
      const text = memberPointerText(outage, options.catalog, lang);
      return {
        version: 1,
        lang,
        title: incident.id,
        tone: 'info',
        fallbackText: text,
        summary: text,
        facts: [],
        notes: [],
        steps: [],
        actions: [],
        links: [],
      };
    },
  };
}
