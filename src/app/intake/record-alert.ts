import type { Alert } from '../../domain/alerts/alert';
import { applyAlert, type Decision } from '../../domain/incidents/apply-alert';
import type { IncidentEvent, IntakeOutcome } from '../../domain/incidents/incident';
import { incidentKey } from '../../domain/incidents/incident-key';
import { outboxRelay } from '../shared/outbox-relay';
import { LOST_RACE, retryOnConflict } from '../shared/retry-on-conflict';
import type { Clock, IncidentEventSink, IncidentStore } from './ports';

export interface AlertIntakeDeps {
  store: IncidentStore;
  events: IncidentEventSink;
  clock?: Clock;
  /** Conflicting concurrent deliveries retry; this bounds the retries. */
  maxAttempts?: number;
  /** Told when the queue could not take an event; the relay hands it on later. */
  onPublishError?: (event: IncidentEvent, err: unknown) => void;
  /**
   * While changes keep coming, they are handed on at most once this often, together (default
   * 100 ms); the first after a quiet moment, and a batch already full, go at once.
   */
  handOffMs?: number;
}

/** Events handed to the queue in one call at most (one round trip each batch). */
const MAX_PUBLISH_BATCH = 200;

export interface RecordResult {
  incidentId: string | null;
  outcome: IntakeOutcome;
  /** The incident version this alert produced, when it changed one. */
  version?: number;
}

const PROVISIONAL_ID = 'provisional';

/**
 * Records one normalized alert: decide (pure), commit atomically, hand the change to the chat side.
 * A conflict with a concurrent delivery means deciding again on fresh data, so twenty identical
 * deliveries at once still make one incident.
 */
export function createAlertIntake(deps: AlertIntakeDeps) {
  const clock = deps.clock ?? (() => new Date());
  const retry = { maxAttempts: deps.maxAttempts ?? 50, maxPauseMs: 50, pauseStepMs: 2 };
  /**
   * Queue the event, then clear it from the store's outbox. If the process dies in between, the
   * relay finds it in the outbox and queues it again; the queue's job id makes that harmless.
   */
  const events = outboxRelay<IncidentEvent>(
    {
      pending: (olderThanMs) => deps.store.pendingEvents(olderThanMs),
      done: (event) => deps.store.markEventPublished(event),
    },
    (event) => deps.events.publish(event),
    (err, event) => deps.onPublishError?.(event, err),
  );

  /**
   * Committed changes on their way to the queue. The commit already holds each in the store's
   * outbox, so the alert is answered without waiting for the queue: the change is durable either
   * way, and what a crash leaves in the outbox the relay hands on. Changes committed while a batch
   * is in flight go together in the next one (one queue round trip and one outbox write).
   */
  const waiting: IncidentEvent[] = [];
  let publishing: Promise<void> | null = null;
  // Why wait at all: each hand-off is a job on each queue, some 40 Redis commands through its
  // life, and in a storm most alerts came alone (bench (f): 1.5 card-event jobs per alert). The
  // change is already durable in the outbox, so waiting delays only the card, by at most this.
  const handOffMs = deps.handOffMs ?? 100;
  let lastHandOff = Number.NEGATIVE_INFINITY;
  async function publishWaiting(): Promise<void> {
    while (waiting.length > 0) {
      const wait = lastHandOff + handOffMs - Date.now();
      if (wait > 0 && waiting.length < MAX_PUBLISH_BATCH) {
        await new Promise((r) => setTimeout(r, wait));
      }
      lastHandOff = Date.now();
      const batch = waiting.splice(0, MAX_PUBLISH_BATCH);
      try {
        if (deps.events.publishMany) await deps.events.publishMany(batch);
        else for (const event of batch) await deps.events.publish(event);
      } catch (err) {
        // Left in the outbox: the relay hands them on later.
        for (const event of batch) deps.onPublishError?.(event, err);
        continue;
      }
      try {
        await deps.store.markEventsPublished(batch);
      } catch {
        // Still in the outbox: the relay publishes them again, which the job ids make harmless.
      }
    }
  }
  function handOn(event: IncidentEvent): void {
    waiting.push(event);
    publishing ??= publishWaiting().finally(() => {
      publishing = null;
    });
  }

  async function record(alert: Alert): Promise<RecordResult> {
    const key = incidentKey(alert);
    let reservedId: string | null = null;
    const result = await retryOnConflict<RecordResult>(async () => {
      const now = clock().toISOString();
      // An open alert may make a new incident: reserve its id in the same read (once).
      const opens = alert.state !== 'resolved' && alert.state !== 'closed';
      const snap = await deps.store.snapshot(
        key,
        alert.id,
        opens && reservedId === null ? { fingerprint: alert.fingerprint } : undefined,
      );
      reservedId ??= snap.reservedId ?? null;
      const ctx = { open: snap.open, record: snap.record, now };
      let decision: Decision = applyAlert(alert, { ...ctx, newIncidentId: () => PROVISIONAL_ID });
      if (decision.outcome === 'created') {
        reservedId ??= await deps.store.reserveIncidentId();
        const id = reservedId;
        decision = applyAlert(alert, { ...ctx, newIncidentId: () => id });
      }
      if (decision.outcome === 'duplicate' && !decision.recordAlert) {
        return { incidentId: decision.incidentId, outcome: 'duplicate' };
      }
      const expected = {
        openId: snap.openId,
        openVersion: snap.open?.version ?? 0,
        recordFingerprint: snap.record?.fingerprint ?? null,
      };
      if (decision.outcome === 'duplicate') {
        const ok = await deps.store.commit({
          key,
          expected,
          alert,
          incidentId: decision.incidentId,
          at: now,
        });
        if (ok) return { incidentId: decision.incidentId, outcome: 'duplicate' };
      } else {
        const doc = decision.incident;
        const ok = await deps.store.commit({
          key,
          expected,
          incident: {
            doc,
            change: decision.change,
            otherAlertIds: doc.alerts.map((a) => a.id).filter((id) => id !== alert.id),
          },
          alert,
          incidentId: doc.id,
          at: now,
        });
        if (ok) {
          // After a commit the alert and its change are safe (the outbox holds the change); the
          // queue is not waited for, and a queue failure must not turn into an error for SCOM.
          handOn({
            incidentId: doc.id,
            version: doc.version,
            change: decision.change,
            at: now,
          });
          return { incidentId: doc.id, outcome: decision.outcome, version: doc.version };
        }
      }
      // Lost a race with a concurrent delivery: decide again on fresh data.
      return LOST_RACE;
    }, retry);
    if (result === LOST_RACE) {
      throw new Error(`could not record alert ${alert.id}: too many concurrent changes`);
    }
    return result;
  }

  /**
   * Records alerts of one request together: alerts of different incident keys at once (their
   * reads and commits share round trips), those of one key in their order (a batch may hold an
   * alert and, later, its resolution). `after` runs for each alert right after it is recorded,
   * before the next alert of its key (the webhook's audit entry). Results in the order of
   * `alerts`; if one fails, the others still finish before the first error is thrown.
   */
  async function recordMany(
    alerts: readonly Alert[],
    after?: (alert: Alert, result: RecordResult) => Promise<void>,
  ): Promise<RecordResult[]> {
    const byKey = new Map<string, number[]>();
    alerts.forEach((alert, i) => {
      const key = incidentKey(alert);
      const list = byKey.get(key);
      if (list) list.push(i);
      else byKey.set(key, [i]);
    });
    const results: RecordResult[] = new Array<RecordResult>(alerts.length);
    const settled = await Promise.allSettled(
      [...byKey.values()].map(async (indexes) => {
        for (const i of indexes) {
          const alert = alerts[i] as Alert;
          const result = await record(alert);
          await after?.(alert, result);
          results[i] = result;
        }
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results;
  }

  /** Re-publishes events that were committed but never reached the queue. */
  async function relayPending(olderThanMs = 5000): Promise<number> {
    return events.relay(olderThanMs);
  }

  /** Resolves once every committed change handed on so far reached the queue (or failed). */
  async function idle(): Promise<void> {
    while (publishing) await publishing;
  }

  return { record, recordMany, relayPending, idle };
}

export type AlertIntakeService = ReturnType<typeof createAlertIntake>;
