import { Queue, type ConnectionOptions } from 'bullmq';
import type { IncidentEvent } from '../../src/domain/incidents/incident';
import type { IncidentEventSink } from '../../src/app/intake/ports';
import { QUEUE_NAMES } from './names';

/** A card event: an incident, run or approval change that the incident's card must show. */
export type CardEventJob = IncidentEvent;

/** Event queues: retried for a while; completed jobs are kept a week, and while they exist a
 * re-add with the same id is ignored (which makes publishing idempotent). */
export const DURABLE_EVENT_JOBS = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/**
 * The card-redraw queue: incident, run and approval changes for the chat delivery. The job id names
 * the change, so a retried publish or the outbox relay can never post the same change twice; jobs
 * wait in Redis until the delivery consumes them.
 */
export function createCardEventQueue(
  connection: ConnectionOptions,
  bullPrefix: string,
): { queue: Queue<CardEventJob>; sink: IncidentEventSink } {
  const queue = new Queue<CardEventJob>(QUEUE_NAMES.cardEvents, {
    connection,
    prefix: bullPrefix,
    defaultJobOptions: DURABLE_EVENT_JOBS,
  });
  const sink: IncidentEventSink = {
    async publish(event: IncidentEvent): Promise<void> {
      await queue.add('incident.changed', event, { jobId: cardEventJobId(event) });
    },
    // One round trip for the batch (BullMQ sends the adds in one MULTI); ids dedupe as above.
    async publishMany(events: IncidentEvent[]): Promise<void> {
      await queue.addBulk(
        events.map((event) => ({
          name: 'incident.changed',
          data: event,
          opts: { jobId: cardEventJobId(event) },
        })),
      );
    },
  };
  return { queue, sink };
}

/** One job per change: a re-publish (retry, outbox relay) of the same change is ignored. */
export function cardEventJobId(
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
