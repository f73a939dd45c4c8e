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
import { DURABLE_EVENT_JOBS, cardEventJobId } from '../queues/card-events';
import { QUEUE_NAMES } from '../queues/names';

/**
 * The remediation side of the bot process: its own trigger queue (new and resolved incidents,
 * the end of a wait) and the consumer of the worker's results. The chat delivery consumes the
 * card events; remediation must not compete with it for those jobs, so the intake's events are
 * fanned out to both queues.
 */

export type TriggerJob =
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
        if (event.change !== 'created' && event.change !== 'resolved') return;
        // The incident event's own id: the outbox relay re-publishing it adds nothing.
        await queue.add(
          'incident',
          { type: 'incident', event },
          { jobId: `trigger-${cardEventJobId(event)}` },
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

/** Publishes to every sink in turn (each is idempotent by job id, so a retry of all is safe). */
export function fanOutSink(...sinks: IncidentEventSink[]): IncidentEventSink {
  return {
    async publish(event: IncidentEvent): Promise<void> {
      for (const sink of sinks) await sink.publish(event);
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

/** Starts the consumers of `action-results` and `remediation-triggers` in the bot process. */
export function startRemediationConsumers(opts: RemediationConsumerOptions): {
  close(): Promise<void>;
} {
  const log = opts.logger.child({ component: 'remediation' });
  const connections = [opts.connection(), opts.connection()] as const;
  const results = new Worker<ActionOutcome>(
    QUEUE_NAMES.actionResults,
    async (job: Job<ActionOutcome>) => handleActionOutcome(job.data, opts),
    { connection: connections[0], prefix: opts.bullPrefix, concurrency: 4 },
  );
  const triggers = new Worker<TriggerJob>(
    QUEUE_NAMES.remediationTriggers,
    async (job: Job<TriggerJob>) => {
      const data = job.data;
      if (data.type === 'timer') return opts.remediation.handleTimer(data);
      if (data.event.change === 'created') {
        await opts.remediation.start(data.event.incidentId);
      } else if (data.event.change === 'resolved') {
        await opts.remediation.stop(data.event.incidentId, 'the incident resolved');
      }
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
