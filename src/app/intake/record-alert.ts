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
}

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

  async function record(alert: Alert): Promise<RecordResult> {
    const key = incidentKey(alert);
    let reservedId: string | null = null;
    const result = await retryOnConflict<RecordResult>(async () => {
      const now = clock().toISOString();
      const snap = await deps.store.snapshot(key, alert.id);
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
          // After a commit the alert is safe; a queue failure must not turn into an error for
          // SCOM: the relay hands the event on later.
          await events.handOn({
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

  /** Re-publishes events that were committed but never reached the queue. */
  async function relayPending(olderThanMs = 5000): Promise<number> {
    return events.relay(olderThanMs);
  }

  return { record, relayPending };
}

export type AlertIntakeService = ReturnType<typeof createAlertIntake>;
