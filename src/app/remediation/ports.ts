import type { Actor } from '../../domain/identity/actor';
import type { RemediationRun } from '../../domain/remediation/run';

/** Remediation runs in Redis (src/infra/redis/redis-run-store.ts); a port so the service stays pure. */
export interface RunStore {
  get(incidentId: string): Promise<RemediationRun | null>;
  /**
   * Writes `run` only if the stored version is still `expectedVersion` (0: no run yet), with its
   * outbox entries, atomically. False when someone else changed the run in between.
   */
  commit(run: RemediationRun, expectedVersion: number, outbox: string[]): Promise<boolean>;
  /** Outbox entries older than the given age (work a crash may have left undone). */
  pendingOutbox(olderThanMs: number, limit?: number): Promise<string[]>;
  markDone(entry: string): Promise<void>;
  /** Incident ids of runs that have not ended. */
  listActive(limit?: number): Promise<string[]>;
}

/** Queues a read-only check (the action producer in jobs/queues/action-jobs.ts). */
export interface CheckQueue {
  enqueue(req: {
    actionId: string;
    params: Record<string, unknown>;
    incidentId: string;
    runId: string;
    stepId: string;
    requestedBy: Actor;
    jobId: string;
    delayMs?: number;
  }): Promise<{ ok: true; jobId: string } | { ok: false; reason: string }>;
}

/** Delayed "the wait is over" jobs for waits without an action (the remediation-triggers queue). */
export interface RunTimers {
  schedule(timer: {
    incidentId: string;
    stepKey: string;
    jobId: string;
    delayMs: number;
  }): Promise<void>;
}
