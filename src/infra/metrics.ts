import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ActionOutcome } from '../domain/actions/outcome';
import type { AuditEvent } from '../domain/audit/audit-entry';
import type { AuditLog } from '../app/audit/ports';
import type { PlatformId } from '../domain/identity/actor';
import type { IntakeOutcome } from '../domain/incidents/incident';

/**
 * The bot's Prometheus metrics (GET /metrics). One Registry per process (and per startServer, so
 * tests can run several servers in one process); counters are per process, so Prometheus scrapes
 * every replica and sums. Gauges that describe shared state (open incidents, queue depths,
 * workers online) are read from Redis at scrape time, so every replica reports the same values:
 * aggregate them with max(), not sum().
 */

/** Where the scrape-time gauges read from; each is optional so tests can leave some out. */
export interface MetricSources {
  /** Number of open incidents (a ZCARD, not a listing). */
  openIncidents?: () => Promise<number>;
  /** Job counts per queue and state. */
  queueCounts?: () => Promise<QueueCounts[]>;
  /** Online workers per site; every known site should be present, with 0 when none is online. */
  workersOnline?: () => Promise<Record<string, number>>;
}

export interface QueueCounts {
  queue: string;
  counts: Record<string, number>;
}

export type AlertMetricOutcome = IntakeOutcome | 'rejected';
export type ChatPostResult = 'ok' | 'rate_limited' | 'failed';
/** Approval request changes counted: what people (or expiry) did with a request. */
export const APPROVAL_RESULTS = [
  'requested',
  'approved',
  'rejected',
  'expired',
  'cancelled',
] as const;
export type ApprovalResult = (typeof APPROVAL_RESULTS)[number];

export interface MetricsOptions {
  sources?: MetricSources;
  /** Node.js process metrics (CPU, memory, event loop lag, GC); on by default. */
  defaultMetrics?: boolean;
  /** Longest a scrape waits for one source before leaving its series out. */
  sourceTimeoutMs?: number;
  /** Told when a source failed; its gauges keep their last values for that scrape. */
  onCollectError?: (source: string, err: unknown) => void;
}

/** Job durations run from a one-second probe to a 40-minute server restart. */
const JOB_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 2400];

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  const sources = options.sources ?? {};
  const timeoutMs = options.sourceTimeoutMs ?? 2000;
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const collectErrors = new Counter({
    name: 'exchops_metrics_collect_errors_total',
    help: 'Scrapes in which a metric source (Redis) did not answer in time (its gauges kept their last values); shown from the next scrape on.',
    labelNames: ['source'] as const,
    registers: [registry],
  });

  /** Runs one source with a deadline; on failure the gauge keeps its last values. */
  const read = async <T>(source: string, run: () => Promise<T>): Promise<T | null> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      collectErrors.inc({ source });
      options.onCollectError?.(source, err);
      return null;
    } finally {
      if (timer) clearTimeout(timer);
    }
  };

  const alertsReceived = new Counter({
    name: 'exchops_alerts_received_total',
    help: 'SCOM alerts received on POST /api/alerts/scom, by outcome: created (new incident), updated, duplicate, resolved, rejected (invalid).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhookRequests = new Counter({
    name: 'exchops_webhook_requests_total',
    help: 'Requests to POST /api/alerts/scom by HTTP status (401: wrong token, 422: no valid alert).',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const redisRestarts = new Counter({
    name: 'exchops_redis_restarts_total',
    help: 'Redis restarts or failovers this process noticed (the server run_id changed).',
    registers: [registry],
  });
  const rejectedResults = new Counter({
    name: 'exchops_action_results_rejected_total',
    help: 'Results on the results queue the bot ignored: unsigned, signed with an unknown key, or not matching their job.',
    registers: [registry],
  });
  const unknownOutcomes = new Counter({
    name: 'exchops_lapsed_worker_changes_total',
    help: 'Changes declared "outcome unknown" because their worker stopped beating mid-change.',
    registers: [registry],
  });
  const chatPosts = new Counter({
    name: 'exchops_chat_posts_total',
    help: 'Chat messages posted or updated, by platform and result (ok, rate_limited, failed).',
    labelNames: ['platform', 'result'] as const,
    registers: [registry],
  });
  const approvals = new Counter({
    name: 'exchops_approvals_total',
    help: 'Approval request changes, by result: requested, approved, rejected, expired, cancelled.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const jobs = new Counter({
    name: 'exchops_jobs_total',
    help: 'Action jobs the workers reported, by action id and status (succeeded, failed, refused, unknown).',
    labelNames: ['action', 'status'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'exchops_job_duration_seconds',
    help: 'How long action jobs ran on the worker (start to finish), by action id and status.',
    labelNames: ['action', 'status'] as const,
    buckets: JOB_DURATION_BUCKETS,
    registers: [registry],
  });

  new Gauge({
    name: 'exchops_incidents_open',
    help: 'Incidents currently open (shared state: the same on every replica).',
    registers: [registry],
    async collect() {
      if (!sources.openIncidents) return;
      const n = await read('open_incidents', sources.openIncidents);
      if (n !== null) this.set(n);
    },
  });
  new Gauge({
    name: 'exchops_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (waiting, active, delayed, prioritized, failed); shared state.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!sources.queueCounts) return;
      const all = await read('queues', sources.queueCounts);
      if (all === null) return;
      // Only series read now: a queue that is gone disappears.
      this.reset();
      for (const { queue, counts } of all) {
        for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      }
    },
  });
  new Gauge({
    name: 'exchops_workers_online',
    help: 'PowerShell workers that sent a heartbeat in the last 30 s, by site (0: nobody can run its jobs).',
    labelNames: ['site'] as const,
    registers: [registry],
    async collect() {
      if (!sources.workersOnline) return;
      const bySite = await read('workers', sources.workersOnline);
      if (bySite === null) return;
      this.reset();
      for (const [site, n] of Object.entries(bySite)) this.set({ site }, n);
    },
  });

  return {
    registry,
    alertsReceived,
    webhookRequests,
    redisRestarts,
    rejectedResults,
    unknownOutcomes,
    chatPosts,
    approvals,
    jobs,
    jobDuration,

    observeAlert(outcome: AlertMetricOutcome): void {
      alertsReceived.inc({ outcome });
    },

    /** Call once per finished job, from the consumer of the action-results queue. */
    observeActionOutcome(outcome: ActionOutcome): void {
      const labels = { action: outcome.actionId, status: outcome.status };
      jobs.inc(labels);
      if (Number.isFinite(outcome.durationMs) && outcome.durationMs >= 0) {
        jobDuration.observe(labels, outcome.durationMs / 1000);
      }
    },

    /**
     * Call once per chat delivery attempt: without an error it succeeded; a ChatDeliveryError
     * with retryAfterMs counts as rate_limited, anything else as failed.
     */
    observeChatPost(platform: PlatformId, err?: unknown): void {
      const result: ChatPostResult =
        err === undefined
          ? 'ok'
          : typeof (err as { retryAfterMs?: unknown } | null)?.retryAfterMs === 'number'
            ? 'rate_limited'
            : 'failed';
      chatPosts.inc({ platform, result });
    },

    observeApproval(result: ApprovalResult): void {
      approvals.inc({ result });
    },

    /** The Prometheus text exposition of every metric. */
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type AppMetrics = ReturnType<typeof createMetrics>;

const APPROVAL_ACTIONS: Partial<Record<AuditEvent['action'], ApprovalResult>> = {
  'approval.requested': 'requested',
  'approval.approved': 'approved',
  'approval.rejected': 'rejected',
  'approval.expired': 'expired',
  'approval.cancelled': 'cancelled',
};

/**
 * The audit log, counting approval changes as they are written. Every committed approval change
 * is audited exactly once (an idempotent relay returns null and is not counted), so this counts
 * every change whichever path made it (chat, console, expiry on any replica).
 */
export function withApprovalMetrics<T extends AuditLog>(audit: T, metrics: AppMetrics): T {
  const append: AuditLog['append'] = async (event, opts) => {
    const entry = await audit.append(event, opts);
    const result = APPROVAL_ACTIONS[event.action];
    if (entry && result) metrics.observeApproval(result);
    return entry;
  };
  // Inherits every other method (scan, head, latest) from the original.
  return Object.assign(Object.create(audit) as T, { append });
}
