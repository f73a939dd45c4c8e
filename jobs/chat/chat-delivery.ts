// Over 450 lines, kept whole for now: one delivery pipeline (fan-out per platform, the redraw
// lock, posting and updating, outage cards, budgets) whose steps share one closure of queues and
// locks. The next split is the outage routing and the thread replies into files of their own.
import {
  DelayedError,
  Queue,
  UnrecoverableError,
  Worker,
  type ConnectionOptions,
  type Job,
} from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import type { RedisClient } from '../../src/infra/redis/redis';
import type { PlatformId } from '../../src/domain/identity/actor';
import type { Card } from '../../src/domain/cards/card';
import { formatResult } from '../../src/app/chat/format-result';
import type { PrefsPort } from '../../src/app/chat/core-ports';
import {
  ChatDeliveryError,
  type ChatSurface,
  type MessageRef,
  type Reply,
} from '../../src/app/chat/ports';
import type { RunView } from '../../src/domain/cards/run-view';
import type { Incident } from '../../src/domain/incidents/incident';
import type { Logger } from '../../src/infra/logger';
import { acquireLease } from '../../src/infra/redis/lease';
import type { RedisKeys } from '../../src/infra/redis/redis-keys';
import type { Lang } from '../../src/domain/runbooks/text';
import type { DeliveryCall, PlatformLimits } from '../../src/app/chat/delivery-limits';
import { eventsOf, type CardEventJob } from '../queues/card-events';
import type { IncidentEvent } from '../../src/domain/incidents/incident';
import { BudgetWait, createRateGate, type RateGate } from './rate-gate';
import type { OutageRouting, ScopedEffects } from '../../src/app/outages/outage-routing';
import type { Outage } from '../../src/domain/outages/outage';
import { chatQueueName, QUEUE_NAMES } from '../queues/names';
import { plural } from '../../src/domain/strings';

/**
 * The durable path from the core to chat. Every card event is fanned out to one queue per
 * platform (`chat-slack`, `chat-teams`, `chat-console`), so a Slack outage or rate limit holds up
 * nothing on Teams. A delivery job redraws the incident's card from the current state (so order
 * and repeats do not matter), posts it once and then updates it in place, and posts each step
 * result in the card's thread once. A job completes only after the platform accepted the message.
 */
export type DeliveryJob =
  | { type: 'incident'; incidentId: string }
  | {
      type: 'outage';
      /** The outage state's scope (a site, or `*`). */
      scope: string;
      outageId: string;
    }
  | { type: 'reply'; channel: string; reply: Reply };

/** Outage mode: members of an outage are lines on one outage card instead of cards of their own. */
export interface OutageDelivery {
  routing: OutageRouting;
  buildCard(outage: Outage, lang: Lang): Card | Promise<Card>;
  /** The one thread message when the outage resolves. */
  resolvedMessage(outage: Outage, lang: Lang): string;
  /** What a member's own card (posted before it joined) becomes: a pointer to the outage. */
  pointer(outage: Outage, incident: Incident, lang: Lang): Card;
  /** How often holds that ended and outages that expired are looked for (default 1 s). */
  tickMs?: number;
  /**
   * An open outage's card is updated at most once this often on a platform with limits (the
   * setting `cardUpdateMs`); its first post and its end state are not held back. Default 0.
   */
  cardUpdateMs?: number;
}

export interface ChatDeliveryDeps {
  connection: ConnectionOptions;
  /** A new connection for each BullMQ worker (blocking reads need `maxRetriesPerRequest: null`). */
  workerConnection: () => RedisClient;
  bullPrefix: string;
  redis: RedisClient;
  keys: RedisKeys;
  surfaces: readonly ChatSurface[];
  /** The channel an incident's card goes to on a platform; null: this platform shows it nowhere. */
  routeFor(incident: Incident, platform: PlatformId): Promise<string | null>;
  incidents: { get(id: string): Promise<Incident | null> };
  runs: { getRun(incidentId: string): Promise<RunView | null> };
  buildCard(incident: Incident, lang: Lang): Promise<Card>;
  /** How a step result is introduced in the thread ("Step 2 · Re-run a probe"). */
  stepLabel?: (run: RunView, stepKey: string, actionId: string, lang: Lang) => string;
  prefs: PrefsPort;
  logger: Logger;
  /** A link to a result's whole output, when links are configured (PUBLIC_URL). */
  fullTextUrl?: (incidentId: string, jobId: string) => string | undefined;
  /** Runs for every card event before it is fanned out; a failure retries the event. */
  onIncidentEvent?: (event: IncidentEvent) => Promise<void>;
  /** Told when a card was posted or updated (the audit trail). */
  onCard?: (
    kind: 'posted' | 'updated',
    platform: PlatformId,
    incidentId: string,
    ref: MessageRef,
    deliveryId: string,
  ) => Promise<void>;
  /** Told of each delivery attempt: no error when it succeeded (metrics). */
  onDelivery?: (platform: PlatformId, err?: unknown) => void;
  /** How long one redraw may hold its incident's lock. */
  lockMs?: number;
  /** Outage mode; absent: every incident has its own card. */
  outages?: OutageDelivery;
  /** Each platform's published limits (its module's `limits`): budgets spent before each call. */
  limits?: Partial<Record<PlatformId, PlatformLimits | undefined>>;
  /**
   * False: only queue (redraws, replies); another process consumes the queues and runs the outage
   * timer (BOT_ROLE=web). Default true.
   */
  consume?: boolean;
}

export interface ChatDelivery {
  /** Queues a message for a channel (a command's result); `jobId` makes it idempotent. */
  sendReply(platform: PlatformId, channel: string, reply: Reply, jobId: string): Promise<void>;
  /** Queues a redraw of an incident's card on every platform (tests, manual refresh). */
  redraw(incidentId: string): Promise<void>;
  /** Queues a redraw of an outage's card (its holds changed). */
  redrawOutage(outage: Pick<Outage, 'id' | 'site'>): Promise<void>;
  close(): Promise<void>;
}

const JOB_DEFAULTS = {
  attempts: 50,
  backoff: { type: 'custom' },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/** How long the message of an incident is remembered (longer than incident retention). */
const KEEP_MS = 90 * 24 * 3600 * 1000;

/** 1 s, 2 s, 4 s … capped at a minute: about 45 minutes of retries before a job gives up. */
export function deliveryBackoff(attemptsMade: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * BullMQ priorities (1 is first): a new card (a new incident or outage) before anything else; then
 * an outage card's change (one card telling the story of many incidents: bench (f) showed it
 * waiting 30 s behind single incidents' updates when it shared their priority); then a
 * resolution; then any other update. A command's reply answers a person: first too.
 */
export const DELIVERY_PRIORITY = { new: 1, outage: 2, resolved: 3, update: 4 } as const;

function priorityOf(change: IncidentEvent['change'] | undefined): number {
  if (change === 'created') return DELIVERY_PRIORITY.new;
  if (change === 'resolved') return DELIVERY_PRIORITY.resolved;
  return DELIVERY_PRIORITY.update;
}

/**
 * The surface with the platform's budgets in front of every call: a call the budget does not
 * allow throws BudgetWait (nothing reached the platform), and a 429 closes the platform to every
 * replica for its Retry-After.
 */
function budgeted(surface: ChatSurface, gate: RateGate): ChatSurface {
  const go = async <T>(call: DeliveryCall, channel: string, fn: () => Promise<T>): Promise<T> => {
    const { waitMs, platformWide } = await gate.take(surface.platform, call, channel);
    if (waitMs > 0) throw new BudgetWait(waitMs, platformWide);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ChatDeliveryError && err.retryAfterMs !== undefined) {
        await gate.block(surface.platform, err.retryAfterMs);
      }
      throw err;
    }
  };
  return {
    platform: surface.platform,
    postCard: (channel, card) => go('post', channel, () => surface.postCard(channel, card)),
    updateCard: (ref, card) => go('update', ref.channel, () => surface.updateCard(ref, card)),
    postInThread: (ref, reply) => go('post', ref.channel, () => surface.postInThread(ref, reply)),
    postToChannel: (channel, reply) =>
      go('post', channel, () => surface.postToChannel(channel, reply)),
  };
}

export function startChatDelivery(deps: ChatDeliveryDeps): ChatDelivery {
  const { keys, redis, logger } = deps;
  const lockMs = deps.lockMs ?? 30_000;
  const consume = deps.consume !== false;
  const gate = createRateGate(redis, keys.chatRateTag, deps.limits ?? {});
  const queues = new Map<PlatformId, Queue<DeliveryJob>>();
  const workers: Worker[] = [];
  const workerConnections: RedisClient[] = [];
  const blocking = (): RedisClient => {
    const c = deps.workerConnection();
    c.on('error', () => undefined);
    workerConnections.push(c);
    return c;
  };

  for (const platformSurface of deps.surfaces) {
    const surface = budgeted(platformSurface, gate);
    const queue = new Queue<DeliveryJob>(chatQueueName(surface.platform), {
      connection: deps.connection,
      prefix: deps.bullPrefix,
      defaultJobOptions: JOB_DEFAULTS,
    });
    queues.set(surface.platform, queue);
    const worker: Worker<DeliveryJob> = new Worker<DeliveryJob>(
      chatQueueName(surface.platform),
      async (job, token) => {
        try {
          if (job.data.type === 'reply') {
            await surface.postToChannel(job.data.channel, job.data.reply);
          } else if (job.data.type === 'outage') {
            await deliverOutage(surface, job, token);
          } else {
            await deliverIncident(surface, job, token);
          }
          deps.onDelivery?.(surface.platform);
        } catch (err) {
          if (err instanceof DelayedError) throw err;
          if (err instanceof BudgetWait && err.platformWide) {
            // Every call of the platform waits (an app-wide budget, a Retry-After): its queue
            // pauses, on every replica, and the job goes back to its place, so the next call is
            // the most urgent waiting one. (A delay per job woke every waiting job at the same
            // moment to find the budget spent again: in bench (f) some 80 jobs, 30 commands
            // each, per slot of Slack's update budget.)
            await queue.rateLimit(err.waitMs);
            throw Worker.RateLimitError();
          }
          if (err instanceof BudgetWait) {
            // Only this channel's budget: the job waits in Redis (keeping its priority) and the
            // platform's other channels go on.
            await job.moveToDelayed(Date.now() + err.waitMs, token);
            throw new DelayedError();
          }
          deps.onDelivery?.(surface.platform, err);
          if (err instanceof ChatDeliveryError) {
            if (!err.retryable) {
              logger.error(
                { platform: surface.platform, job: job.id, err: err.message },
                'chat delivery failed for good',
              );
              throw new UnrecoverableError(err.message);
            }
            if (err.retryAfterMs !== undefined) {
              // The platform said how long to wait: the gate now holds every call to it, on
              // every replica, that long (a worker's own rateLimit binds only that worker).
              logger.warn(
                { platform: surface.platform, job: job.id, retryAfterMs: err.retryAfterMs },
                'chat platform rate limit: holding every call',
              );
              await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
              throw new DelayedError();
            }
          }
          logger.warn(
            { platform: surface.platform, job: job.id, err: errorText(err) },
            'chat delivery will retry',
          );
          throw err;
        }
      },
      {
        connection: blocking(),
        prefix: deps.bullPrefix,
        concurrency: 4,
        autorun: consume,
        // Far above any platform's budget: set only so that a pause (`queue.rateLimit`) holds
        // every worker of the queue, which BullMQ checks only for a queue with a limiter.
        limiter: { max: 1000, duration: 1000 },
        settings: { backoffStrategy: (attemptsMade: number) => deliveryBackoff(attemptsMade) },
      },
    );
    worker.on('error', (err) => logger.warn({ err: err.message }, 'chat delivery worker error'));
    workers.push(worker);
  }

  // Fan-out: a job's changes (one, or a batch the intake handed on) become at most one redraw
  // per card and platform, at the most urgent of its changes' priorities.
  const fanOut = new Worker<CardEventJob>(
    QUEUE_NAMES.cardEvents,
    async (job) => {
      const events = eventsOf(job.data);
      const id = job.id ?? randomUUID();
      // At once: the audit trail's group commit writes their entries together. One that fails
      // holds up no other card of the batch: the redraws go on, then the job is retried (every
      // part is idempotent).
      const audited = await Promise.allSettled(events.map((e) => deps.onIncidentEvent?.(e)));
      const cards = new Map<string, number>();
      for (const e of events) {
        cards.set(e.incidentId, Math.min(priorityOf(e.change), cards.get(e.incidentId) ?? 99));
      }
      if (deps.outages) {
        const changed = [
          ...new Set(events.filter((e) => isIncidentChange(e.change)).map((e) => e.incidentId)),
        ];
        const incidents = (await Promise.all(changed.map((i) => deps.incidents.get(i)))).filter(
          (i): i is Incident => i !== null,
        );
        const applied = await deps.outages.routing.applyMany(incidents);
        const byScope = new Map<string, ScopedEffects['effects']>();
        applied.forEach((change, i) => {
          byScope.set(change.scope, [...(byScope.get(change.scope) ?? []), ...change.effects]);
          // A held incident or a member has no card of its own to draw (a member's old card
          // became a pointer through the outage's `retract`).
          if (change.decision.kind !== 'own-card') cards.delete(incidents[i]!.id);
        });
        for (const [scope, effects] of byScope) {
          if (effects.length > 0) await outageEffects({ scope, effects }, id);
        }
        // A run or approval change of a held incident or an outage member draws nothing: it has
        // no card of its own (a pointer shows none of its run), and the outage card shows its
        // holds, which redraw it themselves. In a storm that was a chat job per member run step.
        const { routing } = deps.outages;
        const others = [...cards.keys()].filter((i) => !changed.includes(i));
        const shown = await Promise.all(
          others.map(async (incidentId) => {
            const incident = await deps.incidents.get(incidentId);
            return incident ? (await routing.view(incident)).kind : 'own-card';
          }),
        );
        others.forEach((incidentId, i) => {
          if (shown[i] !== 'own-card') cards.delete(incidentId);
        });
      }
      await Promise.all(
        [...cards].flatMap(([incidentId, priority]) =>
          [...queues.keys()].map((platform) =>
            queueRedraw(platform, incidentId, `${platform}-${id}-${incidentId}`, priority),
          ),
        ),
      );
      const failed = audited.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    { connection: blocking(), prefix: deps.bullPrefix, concurrency: 8, autorun: consume },
  );
  fanOut.on('error', (err) => logger.warn({ err: err.message }, 'incident event fan-out error'));

  /**
   * Queues a redraw of a card. A redraw draws the current state, so one waiting job per card and
   * priority is enough: BullMQ's deduplication folds later changes into the job that waits (also
   * while it waits for the platform's budget), and a change that comes while the card is being
   * drawn queues exactly one more (`keepLastIfActive`). The redraw number counts the changes, for
   * the card's "N updates pending" and for skipping a redraw that has nothing new to draw.
   */
  async function queueCardRedraw(
    platform: PlatformId,
    cardId: string,
    data: DeliveryJob,
    jobId: string,
    priority: number,
    /** A redraw that must not fold into one waiting out the card's pacing (its end state). */
    lane = '',
  ) {
    const q = queues.get(platform);
    if (!q) return;
    const genKey = keys.chatRedrawGen(platform, cardId);
    // One round trip (every chat key shares the `{chat}` slot).
    const replies = await redis
      .multi()
      .incr(genKey)
      .pexpire(genKey, KEEP_MS)
      .exists(keys.chatMessage(platform, cardId))
      .exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error('redraw not counted: Redis aborted');
    // While the card is not posted yet it is a new card, whatever the change (an update that
    // overtook the creation still posts a card).
    if (replies[2]?.[1] === 0) priority = DELIVERY_PRIORITY.new;
    await q.add(data.type, data, {
      jobId,
      priority,
      deduplication: { id: `${cardId}-p${priority}${lane}`, keepLastIfActive: true },
    });
  }

  function queueRedraw(
    platform: PlatformId,
    incidentId: string,
    jobId: string,
    priority: number = DELIVERY_PRIORITY.update,
  ) {
    return queueCardRedraw(platform, incidentId, { type: 'incident', incidentId }, jobId, priority);
  }

  /** Queues a redraw of an outage's card on every platform, coalesced like an incident's. */
  async function queueOutageRedraw(
    scope: string,
    outageId: string,
    jobId: string,
    priority: number,
    lane = '',
  ) {
    await Promise.all(
      [...queues.keys()].map((platform) =>
        queueCardRedraw(
          platform,
          outageCardId(outageId),
          { type: 'outage', scope, outageId },
          `${platform}-${jobId}-${safeId(outageId)}${lane}`,
          priority,
          lane,
        ),
      ),
    );
  }

  /** Turns what changed in the outage state into redraws (docs/outages.md, "Chat"). */
  async function outageEffects({ scope, effects }: ScopedEffects, jobId: string) {
    const redrawIncident = (incidentId: string, priority: number) =>
      Promise.all(
        [...queues.keys()].map((platform) =>
          queueRedraw(platform, incidentId, `${platform}-${jobId}-${incidentId}`, priority),
        ),
      );
    const outages = new Map<string, number>();
    const redrawOutage = (outageId: string, priority: number) =>
      outages.set(outageId, Math.min(priority, outages.get(outageId) ?? priority));
    // The end state is drawn at once, not folded into a redraw that waits out the pacing.
    const ended = new Set<string>();
    for (const e of effects) {
      switch (e.type) {
        case 'outage-opened':
          redrawOutage(e.outageId, DELIVERY_PRIORITY.new);
          // Their own cards become pointers to the outage card.
          for (const id of e.retract) await redrawIncident(id, DELIVERY_PRIORITY.update);
          break;
        case 'outage-resolved':
          redrawOutage(e.outageId, DELIVERY_PRIORITY.outage);
          ended.add(e.outageId);
          break;
        case 'member-left':
          redrawOutage(e.outageId, DELIVERY_PRIORITY.outage);
          await redrawIncident(e.incidentId, DELIVERY_PRIORITY.new);
          break;
        case 'post-own-card':
          await redrawIncident(e.incidentId, DELIVERY_PRIORITY.new);
          break;
        case 'outage-expired':
          // Its card stays as last drawn; nothing will change it again.
          await Promise.all(
            [...queues.keys()].map((platform) =>
              redis.del(
                keys.chatMessage(platform, outageCardId(e.outageId)),
                keys.chatPosted(platform, outageCardId(e.outageId)),
              ),
            ),
          );
          break;
        default:
          redrawOutage(e.outageId, DELIVERY_PRIORITY.outage);
      }
    }
    for (const [outageId, priority] of outages) {
      await queueOutageRedraw(scope, outageId, jobId, priority, ended.has(outageId) ? '-end' : '');
    }
  }

  async function deliverOutage(surface: ChatSurface, job: Job<DeliveryJob>, token?: string) {
    if (job.data.type !== 'outage' || !deps.outages) return;
    const { scope, outageId } = job.data;
    const platform = surface.platform;
    const cardId = outageCardId(outageId);
    if ((await lastDrawn(platform, cardId)).upToDate) return;
    const lease = await acquireLease(redis, keys.chatLock(platform, cardId), lockMs);
    if (!lease) {
      await job.moveToDelayed(Date.now() + 300, token);
      throw new DelayedError();
    }
    const renew = async (): Promise<void> => {
      if (!(await lease.renew())) throw new Error('redraw lock lost to another replica; retrying');
    };
    try {
      // Read again under the lease: a draw that just ended may have changed both.
      const last = await lastDrawn(platform, cardId);
      if (last.upToDate) return;
      const drawing = await redrawGen(platform, cardId);
      const outage = await deps.outages.routing.outage(scope, outageId);
      if (!outage) return;
      const refKey = keys.chatMessage(platform, cardId);
      const stored = await redis.get(refKey);
      let ref: MessageRef | null = stored ? (JSON.parse(stored) as MessageRef) : null;
      let channel = ref?.channel ?? null;
      if (!channel) {
        const first = outage.members[0];
        const incident = first ? await deps.incidents.get(first.incidentId) : null;
        channel = incident ? await deps.routeFor(incident, platform) : null;
      }
      if (!channel) return;
      // Paced while open: the newest state is drawn when the wait is over (changes meanwhile
      // fold into this job). The first post and the end state go at once.
      const pacedKey = keys.chatPaced(platform, cardId);
      const paceMs = deps.limits?.[platform] ? (deps.outages.cardUpdateMs ?? 0) : 0;
      // A redraw of the end state is never paced, even if the outage reopened meanwhile.
      const endLane = typeof job.id === 'string' && job.id.endsWith('-end');
      if (ref && paceMs > 0 && outage.status === 'open' && !endLane) {
        const wait = await redis.pttl(pacedKey);
        if (wait > 0) {
          await job.moveToDelayed(Date.now() + wait, token);
          throw new DelayedError();
        }
      }
      const lang = await deps.prefs.langOf({ platform, id: channel });
      const card = await behind(
        platform,
        cardId,
        drawing,
        await deps.outages.buildCard(outage, lang),
      );
      const digest = cardDigest(card);
      if (ref) {
        if (digest !== last.digest) {
          await renew();
          await surface.updateCard(ref, card);
          await drew(platform, cardId, last.gen, digest);
          if (paceMs > 0) await redis.set(pacedKey, '1', 'PX', paceMs);
        }
      } else {
        await renew();
        ref = await surface.postCard(channel, card);
        await redis.set(refKey, JSON.stringify(ref), 'PX', KEEP_MS);
        await drew(platform, cardId, last.gen, digest);
        if (paceMs > 0) await redis.set(pacedKey, '1', 'PX', paceMs);
      }
      if (outage.status === 'resolved' && outage.resolvedAt) {
        // One resolution message per resolution (a reopened outage resolves again later).
        const postedKey = keys.chatPosted(platform, cardId);
        const mark = `resolved-${outage.resolvedAt}`;
        if (!(await redis.sismember(postedKey, mark))) {
          await renew();
          await surface.postInThread(ref, { text: deps.outages.resolvedMessage(outage, lang) });
          await redis.sadd(postedKey, mark);
          await redis.pexpire(postedKey, KEEP_MS);
        }
      }
      // After the thread message: one that waits for its budget is not skipped on the retry.
      await drew(platform, cardId, drawing, digest);
    } finally {
      await lease.release();
    }
  }

  async function deliverIncident(surface: ChatSurface, job: Job<DeliveryJob>, token?: string) {
    if (job.data.type !== 'incident') return;
    const { incidentId } = job.data;
    const platform = surface.platform;
    // Drawn since this job was queued (another job of the card, or one of another priority).
    if ((await lastDrawn(platform, incidentId)).upToDate) return;
    const lease = await acquireLease(redis, keys.chatLock(platform, incidentId), lockMs);
    if (!lease) {
      // Another replica is redrawing this card; it will draw the current state, but draw
      // again shortly in case this job carries a newer change.
      await job.moveToDelayed(Date.now() + 300, token);
      throw new DelayedError();
    }
    // The lease outlives one slow platform call only if it is renewed as the redraw goes on.
    const renew = async (): Promise<void> => {
      if (!(await lease.renew())) throw new Error('redraw lock lost to another replica; retrying');
    };
    const refKey = keys.chatMessage(platform, incidentId);
    const remember = async (ref: MessageRef): Promise<void> => {
      await redis.set(refKey, JSON.stringify(ref), 'PX', KEEP_MS);
    };
    try {
      // Read again under the lease: a draw that just ended may have changed both.
      const last = await lastDrawn(platform, incidentId);
      if (last.upToDate) return;
      const drawing = await redrawGen(platform, incidentId);
      const incident = await deps.incidents.get(incidentId);
      if (!incident) return;
      const stored = await redis.get(refKey);
      let ref: MessageRef | null = stored ? (JSON.parse(stored) as MessageRef) : null;
      const view = deps.outages ? await deps.outages.routing.view(incident) : null;
      // Held: no card yet (the timer posts it when the hold ends and no outage formed).
      if (view?.kind === 'held') return;
      // A member: a line on the outage card; a card it had before it joined points there.
      if (view?.kind === 'member' && !ref) return;
      const channel = ref?.channel ?? (await deps.routeFor(incident, platform));
      if (!channel) return;
      const lang = await deps.prefs.langOf({ platform, id: channel });
      if (view?.kind === 'member' && ref && deps.outages) {
        const pointer = deps.outages.pointer(view.outage, incident, lang);
        const digest = cardDigest(pointer);
        if (digest !== last.digest) {
          await renew();
          await surface.updateCard(ref, pointer);
        }
        await drew(platform, incidentId, drawing, digest);
        return;
      }
      const built = await deps.buildCard(incident, lang);
      const card = await behind(platform, incidentId, drawing, built);
      const digest = cardDigest(card);
      if (ref && digest === last.digest) {
        // The card would look exactly as it does: no platform call (new results still go below).
        await redis.pexpire(refKey, KEEP_MS);
      } else if (ref) {
        try {
          await renew();
          await surface.updateCard(ref, card);
          await drew(platform, incidentId, last.gen, digest);
          await deps.onCard?.('updated', platform, incidentId, ref, job.id ?? '');
        } catch (err) {
          if (!(err instanceof ChatDeliveryError) || err.retryable) throw err;
          // The message is gone (deleted, or the platform will not edit it any more): start a
          // new card and thread rather than leave the incident frozen.
          logger.warn(
            { platform, incidentId, err: err.message },
            'incident card cannot be updated; posting a new one',
          );
          await redis.del(refKey, keys.chatPosted(platform, incidentId));
          ref = null;
        }
      }
      if (!ref) {
        await renew();
        ref = await surface.postCard(channel, card);
        // Posted but not recorded (a crash right here) means one duplicate card on retry:
        // at-least-once is the honest guarantee a chat API without idempotency keys allows.
        await remember(ref);
        await drew(platform, incidentId, last.gen, digest);
        await deps.onCard?.('posted', platform, incidentId, ref, job.id ?? '');
      } else {
        await redis.pexpire(refKey, KEEP_MS);
      }
      await postNewResults(surface, ref, incidentId, lang, renew);
      // Only now: a result still to post (its budget made the job wait) must not be skipped.
      await drew(platform, incidentId, drawing, digest);
    } finally {
      await lease.release();
    }
  }

  const redrawGen = async (platform: PlatformId, cardId: string): Promise<number> =>
    Number((await redis.get(keys.chatRedrawGen(platform, cardId))) ?? 0);

  /**
   * What the card was last drawn with: every change up to redraw number `gen` is on it (and in its
   * thread), and the platform shows the card of `digest`. Up to date when no change came since.
   */
  async function lastDrawn(
    platform: PlatformId,
    cardId: string,
  ): Promise<{ upToDate: boolean; gen: number; digest: string | null }> {
    const [gen, drawn] = await redis.mget(
      keys.chatRedrawGen(platform, cardId),
      keys.chatDrawn(platform, cardId),
    );
    if (!drawn) return { upToDate: false, gen: 0, digest: null };
    const [drawnGen, digest] = drawn.split(' ');
    return {
      upToDate: Number(drawnGen) >= Number(gen ?? 0),
      gen: Number(drawnGen),
      digest: digest ?? null,
    };
  }

  /**
   * The card now shows `digest`, with every change up to redraw number `gen`. Written as soon as
   * the platform took the card (with the number it had), so a retry whose thread post waited for
   * the budget does not spend the budget on the same card again; and with the new number once the
   * thread is done too.
   */
  async function drew(platform: PlatformId, cardId: string, gen: number, digest: string) {
    await redis.set(keys.chatDrawn(platform, cardId), `${gen} ${digest}`, 'PX', KEEP_MS);
  }

  /**
   * "N updates pending": changes queued for the card after its state was read (`drawing`, the
   * redraw number then) are not on the card drawn now. Each waits behind the platform's budget as
   * one coalesced redraw, which draws the newest state and so removes the note. Read just before
   * the call, so the note costs one GET and no platform call of its own.
   */
  async function behind(
    platform: PlatformId,
    cardId: string,
    drawing: number,
    card: Card,
  ): Promise<Card> {
    const pending = (await redrawGen(platform, cardId)) - drawing;
    if (pending <= 0) return card;
    return { ...card, notes: [plural(card.lang, 'outage.pending', pending), ...card.notes] };
  }

  async function postNewResults(
    surface: ChatSurface,
    ref: MessageRef,
    incidentId: string,
    lang: Lang,
    renew: () => Promise<void>,
  ) {
    const run = await deps.runs.getRun(incidentId);
    if (!run) return;
    const postedKey = keys.chatPosted(surface.platform, incidentId);
    const posted = new Set(await redis.smembers(postedKey));
    for (const [stepKey, step] of Object.entries(run.steps)) {
      for (const result of step.results) {
        if (posted.has(result.jobId)) continue;
        const stepLabel =
          deps.stepLabel?.(run, stepKey, result.actionId, lang) ??
          (stepKey.includes('/') ? stepKey.slice(stepKey.indexOf('/') + 1) : stepKey);
        const fullTextUrl = deps.fullTextUrl?.(incidentId, result.jobId);
        await renew();
        await surface.postInThread(
          ref,
          formatResult(result, { lang, stepLabel, ...(fullTextUrl ? { fullTextUrl } : {}) }),
        );
        await redis.sadd(postedKey, result.jobId);
        await redis.pexpire(postedKey, KEEP_MS);
      }
    }
  }

  // Holds that end and outages that expire are found by every replica's timer; the state's
  // compare-and-set hands each effect to exactly one of them.
  let ticking = false;
  const tickTimer =
    deps.outages && consume
      ? setInterval(() => {
          if (ticking || !deps.outages) return;
          ticking = true;
          void (async () => {
            for (const scoped of await deps.outages!.routing.tick()) {
              await outageEffects(scoped, `tick-${randomUUID()}`);
            }
          })()
            .catch((err: unknown) => logger.warn({ err: errorText(err) }, 'outage timer failed'))
            .finally(() => (ticking = false));
        }, deps.outages.tickMs ?? 1000)
      : undefined;
  tickTimer?.unref();

  return {
    async sendReply(platform, channel, reply, jobId) {
      const q = queues.get(platform);
      if (!q) {
        logger.warn({ platform }, 'reply for a platform that is not enabled; dropped');
        return;
      }
      await q.add(
        'reply',
        { type: 'reply', channel, reply },
        { jobId: `reply-${jobId}`, priority: DELIVERY_PRIORITY.new },
      );
    },
    async redraw(incidentId) {
      await Promise.all(
        [...queues.keys()].map((platform) =>
          queueRedraw(platform, incidentId, `${platform}-redraw-${randomUUID()}`),
        ),
      );
    },
    async redrawOutage(outage) {
      if (!deps.outages) return;
      // The scope the outage state keeps it under: its site, or `*` across sites.
      const scope = (await deps.outages.routing.outage(outage.site, outage.id)) ? outage.site : '*';
      await queueOutageRedraw(scope, outage.id, `holds-${randomUUID()}`, DELIVERY_PRIORITY.outage);
    },
    async close() {
      clearInterval(tickTimer);
      // With Redis unreachable BullMQ's close waits forever for the connection: cut it short.
      const healthy = workerConnections.every((c) => c.status === 'ready');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([
          fanOut.close(!healthy),
          ...workers.map((w) => w.close(!healthy)),
          ...[...queues.values()].map((q) => q.close()),
        ]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, healthy ? 10_000 : 200);
        }),
      ]);
      clearTimeout(timer);
      if (healthy) await Promise.allSettled(workerConnections.map((c) => c.quit()));
      else workerConnections.forEach((c) => c.disconnect());
    },
  };
}

/** What a card looks like, in short: the same digest, the same card on the platform. */
function cardDigest(card: Card): string {
  return createHash('sha1').update(JSON.stringify(card)).digest('base64url');
}

function isIncidentChange(change: IncidentEvent['change']): boolean {
  return change === 'created' || change === 'updated' || change === 'resolved';
}

/** The id an outage's card is kept under, beside incidents' (`chatMessage`, `chatRedrawGen`). */
function outageCardId(outageId: string): string {
  return `outage:${outageId}`;
}

/** BullMQ job ids may not contain ':'. */
function safeId(id: string): string {
  return id.replace(/:/g, '_');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
