import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { ApprovalFlow } from '../../src/app/approvals/approval-flow';
import type { ExecutionState } from '../../src/domain/approvals/approval-request';
import type { AuditAction } from '../../src/domain/audit/audit-entry';
import type { AuditLog } from '../../src/app/audit/ports';
import type { IncidentEvent } from '../../src/domain/incidents/incident';
import type { IncidentEventSink } from '../../src/app/intake/ports';
import type { RedisClient } from '../../src/infra/redis/redis';
import type { Logger } from '../../src/infra/logger';
import type { RemediationRuntime } from '../../src/app/remediation/remediation-service';
import type { RunTimers } from '../../src/app/remediation/ports';
import type { ActionOutcome } from '../queues/action-jobs';
import { DURABLE_EVENT_JOBS, batchJobId } from '../queues/card-events';
import { QUEUE_NAMES } from '../queues/names';
import {
  verifyOutcome,
  type KeyRing,
  type SignedOutcome,
} from '../../src/infra/signing/job-signing';
import { takeLapsedChanges, type LapsedChange } from '../queues/worker-heartbeat';
import type { RedisKeys } from '../../src/infra/redis/redis-keys';

/**
 * The remediation side of the bot process: its own trigger queue (new and resolved incidents,
 * the end of a wait) and the consumer of the worker's results. The chat delivery consumes the
 * card events; remediation must not compete with it for those jobs, so the intake's events are
 * fanned out to both queues.
 */

export type TriggerJob =
  /** New and resolved incidents, as the intake hands them on (a batch shares one job). */
  | { type: 'incidents'; events: IncidentEvent[] }
  /** One of them, as jobs of the version before batches were queued. */
  | { type: 'incident'; event: IncidentEvent }
  | { type: 'timer'; incidentId: string; stepKey: string; jobId: string };

/** A result handler beside the run's own: the chat core answers `/exchange health` with it. */
export type ActionOutcomeHandler = (outcome: ActionOutcome) => Promise<void>;

export function createTriggerQueue(
  connection: ConnectionOptions,
  bullPrefix: string,
): { queue: Queue<TriggerJob>; sink: IncidentEventSink; timers: RunTimers } {
  const queue = new Queue<TriggerJob>(QUEUE_NAMES.remediationTriggers, {
    connection,
    prefix: bullPrefix,
    defaultJobOptions: DURABLE_EVENT_JOBS,
  });
  return {
    queue,
    sink: {
      async publish(event: IncidentEvent): Promise<void> {
        if (!isTrigger(event)) return;
        // The incident event's own id: the outbox relay re-publishing it adds nothing.
        await queue.add(
          'incidents',
          { type: 'incidents', events: [event] },
          { jobId: batchJobId([event], 'trigger-') },
        );
      },
      // One job for the batch: starting and stopping runs is idempotent per incident, so a
      // change the relay hands on again in another batch changes nothing.
      async publishMany(events: IncidentEvent[]): Promise<void> {
        const triggers = events.filter(isTrigger);
        if (triggers.length === 0) return;
        await queue.add(
          'incidents',
          { type: 'incidents', events: triggers },
          { jobId: batchJobId(triggers, 'trigger-') },
        );
      },
    },
    timers: {
      async schedule(t): Promise<void> {
        await queue.add(
          'timer',
          { type: 'timer', incidentId: t.incidentId, stepKey: t.stepKey, jobId: t.jobId },
          { jobId: `timer-${t.jobId}`, delay: t.delayMs },
        );
      },
    },
  };
}

/** New and resolved incidents start and stop runs; updates do not concern remediation. */
function isTrigger(event: IncidentEvent): boolean {
  return event.change === 'created' || event.change === 'resolved';
}

/** How many incidents of one batch are started or stopped at once. */
const TRIGGER_LANES = 8;

/**
 * Starts and stops the runs of a batch: each incident's changes in their order, different
 * incidents at once (as a consumer with concurrency did when each was a job of its own).
 */
export async function handleTriggers(
  events: readonly IncidentEvent[],
  remediation: Pick<RemediationRuntime, 'start' | 'stop'>,
): Promise<void> {
  const byIncident = new Map<string, IncidentEvent[]>();
  for (const e of events)
    byIncident.set(e.incidentId, [...(byIncident.get(e.incidentId) ?? []), e]);
  const failures: unknown[] = [];
  const pending = [...byIncident.values()];
  // A few at once: a storm's batch of new incidents would otherwise race for the same site's
  // remediation gate all together.
  const lane = async (): Promise<void> => {
    for (let changes = pending.shift(); changes; changes = pending.shift()) {
      try {
        for (const e of changes) {
          if (e.change === 'created') await remediation.start(e.incidentId);
          else if (e.change === 'resolved') {
            await remediation.stop(e.incidentId, 'the incident resolved');
          }
        }
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TRIGGER_LANES, pending.length) }, lane));
  // Every incident had its turn; a failure retries the batch (what succeeded is a no-op then).
  if (failures.length > 0) throw failures[0];
}

/** Publishes to every sink (each is idempotent by job id, so a retry of all is safe). */
export function fanOutSink(...sinks: IncidentEventSink[]): IncidentEventSink {
  return {
    async publish(event: IncidentEvent): Promise<void> {
      for (const sink of sinks) await sink.publish(event);
    },
    // The sinks at once: their queues' round trips overlap.
    async publishMany(events: IncidentEvent[]): Promise<void> {
      await Promise.all(
        sinks.map(async (sink) => {
          if (sink.publishMany) await sink.publishMany(events);
          else for (const event of events) await sink.publish(event);
        }),
      );
    },
  };
}

export interface RemediationConsumerOptions {
  /** A factory: each BullMQ worker needs a blocking connection of its own (closed on close). */
  connection: () => RedisClient;
  bullPrefix: string;
  remediation: Pick<RemediationRuntime, 'start' | 'stop' | 'handleOutcome' | 'handleTimer'>;
  flow: Pick<ApprovalFlow, 'recordExecution'>;
  audit: AuditLog;
  logger: Logger;
  /** Extra result handlers, read at each result (so they may be added after start). */
  handlers: () => readonly ActionOutcomeHandler[];
  /** Verifies each result's worker signature (JOB_SIGNING_KEYS). */
  signing: KeyRing;
  /** The remediation gate: a result frees its job's slot (what waited for it may start). */
  admission?: { finished(job: { jobId: string; site: string }): Promise<void> };
  /** A result that was ignored (unsigned, or not matching its job): for the metrics. */
  onRejected?: (reason: string) => void;
  clock?: () => Date;
}

const APPROVAL_JOB = /^approval-(.+)$/;

const AUDIT_OF: Record<ActionOutcome['status'], AuditAction> = {
  succeeded: 'job.finished',
  failed: 'job.failed',
  refused: 'job.refused',
  unknown: 'job.outcome-unknown',
};

/**
 * Handles one worker result: the approval request's execution states (which audit the job), the
 * audit entry of a check, the run step, then the extra handlers. Every part is idempotent by job
 * id, so a redelivered result changes nothing.
 */
export async function handleActionOutcome(
  o: ActionOutcome,
  opts: Omit<RemediationConsumerOptions, 'connection' | 'bullPrefix'>,
): Promise<void> {
  // First, so a failure further on (retried) does not keep the site's slot taken meanwhile.
  await opts.admission?.finished({ jobId: o.jobId, site: o.site });
  const approval = APPROVAL_JOB.exec(o.jobId);
  const summary = o.reason ? `${o.status}: ${o.reason}` : o.status;
  if (approval) {
    const requestId = approval[1] as string;
    const by = { platform: 'worker' as const, id: o.workerId };
    if (o.status === 'succeeded' || o.status === 'failed') {
      await opts.flow.recordExecution({
        requestId,
        state: 'running',
        by,
        jobId: o.jobId,
        summary: `started at ${o.startedAt}`,
      });
    }
    const state: ExecutionState = o.status === 'refused' ? 'failed' : o.status;
    await opts.flow.recordExecution({
      requestId,
      state,
      by,
      jobId: o.jobId,
      summary,
      ...(o.status === 'refused' ? { refused: true } : {}),
    });
  } else {
    const server = typeof o.params.server === 'string' ? o.params.server : null;
    await opts.audit.append(
      {
        at: o.finishedAt,
        actor: { platform: 'worker', id: o.workerId },
        action: AUDIT_OF[o.status],
        incidentId: o.incidentId,
        server,
        params: {
          jobId: o.jobId,
          actionId: o.actionId,
          params: o.params,
          ...(o.runId ? { runId: o.runId, stepId: o.stepId } : {}),
          durationMs: o.durationMs,
        },
        result: summary,
      },
      { idempotencyKey: `outcome-${o.jobId}` },
    );
  }
  if (o.runId) await opts.remediation.handleOutcome(o);
  for (const handler of opts.handlers()) {
    try {
      await handler(o);
    } catch (err) {
      opts.logger.warn({ err, jobId: o.jobId }, 'an action result handler failed');
    }
  }
}

/**
 * One entry of the results queue. Only a result the worker signed, for exactly this outcome, is
 * handled; anything else (written straight into Redis, altered, or signed with an unknown key) is
 * logged, counted and otherwise ignored. A signed refusal of a job that carried no valid grant is
 * audited, but moves no request and no run: a forged job must not be able to fail a real one.
 */
export async function handleSignedResult(
  data: unknown,
  opts: Omit<RemediationConsumerOptions, 'connection' | 'bullPrefix'>,
): Promise<'handled' | 'audited' | 'rejected'> {
  const o = data as Partial<SignedOutcome> | null;
  const check = await verifyOutcome(opts.signing, data, (opts.clock ?? (() => new Date()))());
  if (!check.ok) {
    opts.logger.warn(
      { jobId: typeof o?.jobId === 'string' ? o.jobId.slice(0, 200) : null, reason: check.reason },
      'ignored a result that is not signed for its job',
    );
    opts.onRejected?.(check.reason);
    return 'rejected';
  }
  const { signature: _signature, ...outcome } = data as SignedOutcome;
  if (!check.granted) {
    opts.logger.warn(
      { jobId: outcome.jobId, workerId: outcome.workerId, reason: outcome.reason },
      'a worker refused a job without a valid grant',
    );
    await opts.audit.append(
      {
        at: outcome.finishedAt,
        actor: { platform: 'worker', id: outcome.workerId },
        action: 'job.refused',
        incidentId: null,
        server: null,
        params: { jobId: outcome.jobId, actionId: outcome.actionId },
        result: `refused: ${outcome.reason ?? 'no valid grant'}`,
      },
      { idempotencyKey: `ungranted-${outcome.jobId}` },
    );
    return 'audited';
  }
  await handleActionOutcome(outcome, opts);
  return 'handled';
}

/**
 * What the bot says for a change whose worker stopped beating: "unknown", at once, with the
 * worker's name and what to check. (The server lock of the dead worker still keeps a second
 * change off that server until it lapses.)
 */
export function lapsedOutcome(l: LapsedChange, now: Date): ActionOutcome {
  const c = l.change;
  const since = l.lastBeat ? `its last heartbeat was at ${l.lastBeat}` : 'it is no longer known';
  return {
    jobId: c.jobId,
    actionId: c.actionId,
    params: c.params,
    incidentId: c.incidentId,
    runId: c.runId,
    stepId: c.stepId,
    site: c.site,
    workerId: c.workerId,
    status: 'unknown',
    reason:
      `worker ${c.workerId}${l.host ? ` on ${l.host}` : ''} stopped answering while running this change (${since}); ` +
      `it may or may not have run: check ${c.server} with a read-only check before doing anything else`,
    command: c.command,
    startedAt: c.startedAt,
    finishedAt: now.toISOString(),
    durationMs: Math.max(now.getTime() - Date.parse(c.startedAt), 0),
  };
}

/** Polls for changes of lapsed workers and declares each "unknown" (once, across bot processes). */
export function watchLapsedWorkers(
  opts: Omit<RemediationConsumerOptions, 'connection' | 'bullPrefix'> & {
    redis: RedisClient;
    keys: RedisKeys;
    intervalMs: number;
    onDeclared?: (outcome: ActionOutcome) => void;
  },
): { check(): Promise<number>; stop(): void } {
  const clock = opts.clock ?? (() => new Date());
  let running: Promise<number> | null = null;
  const check = (): Promise<number> => {
    running ??= (async () => {
      try {
        const lapsed = await takeLapsedChanges(opts.redis, opts.keys, clock().getTime());
        for (const l of lapsed) {
          const outcome = lapsedOutcome(l, clock());
          opts.logger.error(
            { jobId: outcome.jobId, workerId: outcome.workerId, server: l.change.server },
            'a worker stopped beating mid-change: outcome unknown',
          );
          await handleActionOutcome(outcome, opts);
          opts.onDeclared?.(outcome);
        }
        return lapsed.length;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(
    () =>
      void check().catch((err: unknown) =>
        opts.logger.warn({ err }, 'lapsed worker check failed; will retry'),
      ),
    opts.intervalMs,
  );
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}

/** Starts the consumers of `action-results` and `remediation-triggers` in the bot process. */
export function startRemediationConsumers(opts: RemediationConsumerOptions): {
  close(): Promise<void>;
} {
  const log = opts.logger.child({ component: 'remediation' });
  const connections = [opts.connection(), opts.connection()] as const;
  const results = new Worker<SignedOutcome>(
    QUEUE_NAMES.actionResults,
    async (job: Job<SignedOutcome>) => {
      await handleSignedResult(job.data, opts);
    },
    { connection: connections[0], prefix: opts.bullPrefix, concurrency: 4 },
  );
  const triggers = new Worker<TriggerJob>(
    QUEUE_NAMES.remediationTriggers,
    async (job: Job<TriggerJob>) => {
      const data = job.data;
      if (data.type === 'timer') return opts.remediation.handleTimer(data);
      await handleTriggers(
        data.type === 'incidents' ? data.events : [data.event],
        opts.remediation,
      );
    },
    { connection: connections[1], prefix: opts.bullPrefix, concurrency: 4 },
  );
  for (const w of [results, triggers]) {
    w.on('error', (err) => log.warn({ err }, 'remediation consumer error'));
    w.on('failed', (job, err) =>
      log.warn(
        { jobId: job?.id, queue: w.name, err: err.message },
        'remediation job failed; will retry',
      ),
    );
  }
  return {
    async close(): Promise<void> {
      // With Redis unreachable BullMQ's close waits forever for the connection: cut it short.
      const healthy = connections.every((c) => c.status === 'ready');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([results.close(!healthy), triggers.close(!healthy)]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, healthy ? 10_000 : 200);
        }),
      ]);
      clearTimeout(timer);
      if (healthy) await Promise.allSettled(connections.map((c) => c.quit()));
      else connections.forEach((c) => c.disconnect());
    },
  };
}
