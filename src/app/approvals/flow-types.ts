import type { ApprovalRequest } from '../../domain/approvals/approval-request';
import type { Actor } from '../../domain/identity/actor';
import type { AuditLog } from '../audit/ports';
import type { Clock, IncidentStore } from '../intake/ports';
import type {
  ApprovalStore,
  ApprovedJobSink,
  GroupResolver,
  IdentityResolver,
  PolicySource,
} from './ports';

// The approval flow's dependencies, inputs and results; the flow itself is in approval-flow.ts.

export interface ApprovalFlowDeps {
  store: ApprovalStore;
  policy: PolicySource;
  jobs: ApprovedJobSink;
  audit: AuditLog;
  /** How long a request waits for approval (APPROVAL_TTL_MINUTES). */
  ttlMs: number;
  groups?: GroupResolver;
  /** Directory identities for the two-person rule (default: the account's own `upn`). */
  identities?: IdentityResolver;
  clock?: Clock;
  /** The site a server belongs to, when an inventory is configured (for scoped roles). */
  siteOf?: (server: string) => string | null;
  /**
   * When given, a step for an incident is refused unless the incident exists and is actionable
   * (an alert whose server name was not valid host-name syntax must never lead to a command).
   */
  incidents?: Pick<IncidentStore, 'get'>;
  /** Concurrent clicks on one request retry on fresh data; this bounds the retries. */
  maxAttempts?: number;
  /**
   * Told when something after a committed change failed (the audit append, the job hand-off). The
   * change stands; `relayAudit` / `relayApproved` finish the work later, and the error must reach
   * the logs.
   */
  onError?: (what: 'audit' | 'enqueue', err: unknown, requestId: string) => void;
  /**
   * Told of every committed change once its audit entry is written (and again by `relayAudit`
   * after a crash, so it must be idempotent): the composition root puts a redraw event for the
   * incident's card on the `incident-events` queue. A failure leaves the change in the audit
   * outbox, so the relay tells again.
   */
  onCommitted?: (change: CommittedChange) => Promise<void>;
}

/** One committed change of a request, as `onCommitted` hears of it. */
export interface CommittedChange {
  requestId: string;
  version: number;
  incidentId: string | null;
  at: string;
}

export type FlowRefusal =
  | 'not-found'
  | 'invalid-params'
  | 'denied'
  | 'not-actionable'
  | 'confirmation-required'
  | 'not-pending'
  | 'expired'
  | 'invalid-transition'
  | 'conflict';

export type FlowResult =
  | { ok: true; request: ApprovalRequest; created?: boolean }
  | {
      ok: false;
      code: FlowRefusal;
      reason: string;
      request?: ApprovalRequest;
      /** Denied, but this requester may break glass with a written reason. */
      breakGlassOpen?: true;
    };

export interface StepRequest {
  actor: Actor;
  incidentId: string | null;
  actionId: string;
  params: unknown;
  note?: string;
  /** A destructive step is asked for only after the person confirmed it (the adapter asks). */
  confirmed?: boolean;
  /** The remediation run step this request is for (carried into the job, back with the result). */
  runId?: string | null;
  stepId?: string | null;
}
