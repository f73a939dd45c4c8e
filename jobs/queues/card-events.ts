import { Queue, type ConnectionOptions } from 'bullmq';
import { createHash } from 'node:crypto';
import type { IncidentEvent } from '../../src/domain/incidents/incident';
import type { IncidentEventSink } from '../../src/app/intake/ports';
import { QUEUE_NAMES } from './names';

/**
 * A card-events job: the changes (incident, run or approval) that cards must show. The intake
 * hands on everything committed meanwhile as one job, so in a storm a job's own bookkeeping
 * (some 40 Redis commands through its life) is shared by many alerts. A job of one version
 * before batches carried a bare event; `eventsOf` reads both.
 */
export type CardEventJob = { events: IncidentEvent[] } | IncidentEvent;

export function eventsOf(job: CardEventJob): IncidentEvent[] {
  return 'events' in job ? job.events : [job];
}

/** Changes in one job at most (a job's data is one Redis value). */
const MAX_BATCH = 200;

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
 * the change (or the batch of changes), so a retried publish of the same changes is ignored; the
 * outbox relay may hand on a change again in another batch, which the consumers tolerate (a redraw
 * draws the current state, and audit entries are keyed by the incident's version).
 */
export function createCardEventQueue(
  connection: ConnectionOptions,
  bullPrefix: string,
  options: {
    /**
     * While changes come together (a storm's runs), they go in one job at most this often
     * (default 100 ms); a lone change, and a batch already full, go at once.
     */
    handOffMs?: number;
  } = {},
): { queue: Queue<CardEventJob>; sink: IncidentEventSink } {
  const handOffMs = options.handOffMs ?? 100;
  const queue = new Queue<CardEventJob>(QUEUE_NAMES.cardEvents, {
    connection,
    prefix: bullPrefix,
    defaultJobOptions: DURABLE_EVENT_JOBS,
  });
  const add = (events: IncidentEvent[]) =>
    queue.add('incident.changed', { events }, { jobId: batchJobId(events) });
  // Group commit: changes published while an add is in flight go in the next add together, and
  // while they come together (the last add carried more than one: a storm's runs starting at
  // once) the next add also waits until `handOffMs` after the last: each job costs some 40 Redis
  // commands through its life. One publisher at a time (a relay walking its outbox, a click) is
  // never held back. Each promise still resolves only once its change is in Redis, so the
  // outboxes behind it keep their guarantee.
  const waiting: { event: IncidentEvent; done: (err?: unknown) => void }[] = [];
  let flushing = false;
  let lastAdd = Number.NEGATIVE_INFINITY;
  let lastSize = 0;
  async function flush(): Promise<void> {
    flushing = true;
    while (waiting.length > 0) {
      const wait = lastAdd + handOffMs - Date.now();
      if (lastSize > 1 && wait > 0 && waiting.length < MAX_BATCH) {
        await new Promise((r) => setTimeout(r, wait));
      }
      lastAdd = Date.now();
      const batch = waiting.splice(0, MAX_BATCH);
      lastSize = batch.length;
      try {
        await add(batch.map((w) => w.event));
        for (const w of batch) w.done();
      } catch (err) {
        for (const w of batch) w.done(err);
      }
    }
    flushing = false;
  }
  const sink: IncidentEventSink = {
    publish: (event: IncidentEvent) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ event, done: (err) => (err === undefined ? resolve() : reject(err)) });
        if (!flushing) void flush();
      }),
    async publishMany(events: IncidentEvent[]): Promise<void> {
      if (events.length === 0) return;
      await add(events);
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

/** A batch is named by its changes: the same batch published twice is one job. */
export function batchJobId(events: readonly IncidentEvent[], prefix = ''): string {
  if (events.length === 1) return `${prefix}${cardEventJobId(events[0]!)}`;
  const digest = createHash('sha256');
  for (const e of events) digest.update(`${cardEventJobId(e)}\n`);
  return `${prefix}batch-${digest.digest('hex').slice(0, 32)}`;
}
