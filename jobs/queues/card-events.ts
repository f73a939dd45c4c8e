import { Queue, type ConnectionOptions } from 'bullmq';
import type { IncidentEvent } from '../../src/domain/incidents/incident';
import type { IncidentEventSink } from '../../src/app/intake/ports';

/** Queue names, in one place; every process uses the same prefix (`redisKeys(prefix).bullPrefix`). */
export const QUEUE_NAMES = {
  incidentEvents: 'incident-events',
} as const;

export type IncidentEventJob = IncidentEvent;

/** Event queues: retried for a while; completed jobs are kept a week, and while they exist a
 * re-add with the same id is ignored (which makes publishing idempotent). */
export const DURABLE_EVENT_JOBS = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/**
 * Incident changes for the chat adapters. The job id names the incident version, so a retried
 * publish or the outbox relay can never post the same change twice; jobs wait in Redis until an
 * adapter consumes them.
 */
export function createIncidentEventQueue(
  connection: ConnectionOptions,
  bullPrefix: string,
): { queue: Queue<IncidentEventJob>; sink: IncidentEventSink } {
  const queue = new Queue<IncidentEventJob>(QUEUE_NAMES.incidentEvents, {
    connection,
    prefix: bullPrefix,
    defaultJobOptions: DURABLE_EVENT_JOBS,
  });
  const sink: IncidentEventSink = {
    async publish(event: IncidentEvent): Promise<void> {
      await queue.add('incident.changed', event, { jobId: incidentEventJobId(event) });
    },
  };
  return { queue, sink };
}

/** One job per change: a re-publish (retry, outbox relay) of the same change is ignored. */
export function incidentEventJobId(
  event: Pick<IncidentEvent, 'incidentId' | 'version'> &
    Partial<Pick<IncidentEvent, 'change' | 'runId' | 'runVersion' | 'requestId'>>,
): string {
  // BullMQ job ids may not contain ':'; incident, run and request ids never do.
  if (event.change === 'run') {
    return `run-${event.runId ?? event.incidentId}-v${event.runVersion ?? event.version}`;
  }
  if (event.change === 'approval') return `approval-${event.requestId ?? '?'}-v${event.version}`;
  return `incident-${event.incidentId}-v${event.version}`;
}
