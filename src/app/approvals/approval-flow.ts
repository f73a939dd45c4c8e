import { buildCommand } from '../../domain/actions/registry';
import type {
  ApprovalRequest,
  ChangeActor,
  ExecutionState,
} from '../../domain/approvals/approval-request';
import {
  evaluateApproval,
  evaluateCancel,
  evaluateReject,
  evaluateRequest,
  type Target,
} from '../../domain/approvals/evaluate';
import type { Actor, Principal } from '../../domain/identity/actor';
import {
  approveTransition,
  cancelTransition,
  executionTransition,
  expireTransition,
  rejectTransition,
  SYSTEM_ACTOR,
  type Transition,
} from '../../domain/approvals/transitions';
import { t } from '../../domain/strings';
import { LOST_RACE, retryOnConflict } from '../shared/retry-on-conflict';
import { auditRecord, EXECUTION_AUDIT, type AuditNote } from './approval-audit';
import { approvalOutboxes } from './approval-outboxes';
import { draftRequest, plainActor } from './draft-request';
import type { ApprovalFlowDeps, FlowResult, StepRequest } from './flow-types';
import { ACCOUNT_IDENTITY, NO_GROUPS } from './ports';

export type {
  ApprovalFlowDeps,
  CommittedChange,
  FlowRefusal,
  FlowResult,
  StepRequest,
} from './flow-types';

/**
 * The approval use cases the chat adapters call: ask for a step, approve, reject, cancel, expire,
 * and record what the worker reports. Every state change is one compare-and-set in the store, so
 * any number of clicks, replicas and retried deliveries give exactly one outcome and one job.
 */
export function createApprovalFlow(deps: ApprovalFlowDeps) {
  const clock = deps.clock ?? (() => new Date());
  const groups = deps.groups ?? NO_GROUPS;
  const identities = deps.identities ?? ACCOUNT_IDENTITY;
  const retry = { maxAttempts: deps.maxAttempts ?? 50, maxPauseMs: 20 };

  const principal = async (actor: Actor): Promise<Principal> => ({
    ...plainActor(actor),
    groups: await groups.groupsOf(actor),
    identity: await identities.identityOf(actor),
  });
  /** The requester as the two-person rule compares them: with their identity, resolved now. */
  const identified = async (actor: Actor) => ({
    ...actor,
    identity: await identities.identityOf(actor),
  });
  const targetOf = (req: Pick<ApprovalRequest, 'server' | 'site'>): Target => ({
    server: req.server,
    site: req.site,
  });

  const { audits, approved } = approvalOutboxes(deps, clock);

  async function requestStep(input: StepRequest): Promise<FlowResult> {
    const built = buildCommand(input.actionId, input.params);
    if (!built.ok) {
      return {
        ok: false,
        code: 'invalid-params',
        reason: t('en', 'said.flow.notBuilt', {
          problems: built.errors.map((e) => `${e.param} ${e.reason}`).join('; '),
        }),
      };
    }
    if (input.incidentId && deps.incidents) {
      const incident = await deps.incidents.get(input.incidentId);
      if (!incident || !incident.actionable) {
        return {
          ok: false,
          code: 'not-actionable',
          reason: incident
            ? t('en', 'said.flow.noServer', { id: input.incidentId })
            : t('en', 'said.flow.noIncident', { id: input.incidentId }),
        };
      }
    }
    const policy = deps.policy.current();
    const server = typeof built.params.server === 'string' ? built.params.server : null;
    const site = server ? (deps.siteOf?.(server) ?? null) : null;
    const risk = built.action.risk;
    const who = await principal(input.actor);
    const decision = evaluateRequest(policy, { principal: who, risk, target: { server, site } });
    if (!decision.allowed) return { ok: false, code: 'denied', reason: decision.reason };
    if (risk === 'destructive' && !input.confirmed) {
      return {
        ok: false,
        code: 'confirmation-required',
        reason: t('en', 'said.flow.confirmFirst', { title: built.action.title }),
      };
    }
    const now = clock();
    const { request, dedupeKey, record } = draftRequest({
      id: await deps.store.reserveId(),
      input,
      built,
      target: { server, site },
      auto: policy.rules[risk].approval === 'none',
      now,
      ttlMs: deps.ttlMs,
    });
    const auto = request.autoApproved;
    const stored = await deps.store.create(request, { dedupeKey, enqueue: auto, audit: record });
    if (!stored.created) {
      const existing = await deps.store.get(stored.existingId);
      if (existing) return { ok: true, request: existing, created: false };
    }
    await audits.handOn(record);
    if (auto) await approved.handOn(request);
    return { ok: true, request, created: true };
  }

  /**
   * Reads, decides and commits; a lost compare-and-set means someone else changed the request in
   * between, so the decision is made again on what they left (usually: "already approved by …").
   */
  async function change(
    requestId: string,
    decide: (req: ApprovalRequest, now: string) => Promise<FlowResult | Transition>,
    note: (next: ApprovalRequest) => AuditNote,
    enqueue = false,
  ): Promise<FlowResult> {
    const result = await retryOnConflict<FlowResult>(async () => {
      const req = await deps.store.get(requestId);
      if (!req) {
        return {
          ok: false,
          code: 'not-found',
          reason: t('en', 'said.flow.noRequest', { id: requestId }),
        };
      }
      const now = clock().toISOString();
      if (req.state === 'pending' && Date.parse(now) >= Date.parse(req.expiresAt)) {
        await expireOne(req, now);
        return {
          ok: false,
          code: 'expired',
          reason: t('en', 'said.transition.expired', { id: req.id, at: req.expiresAt }),
          request: (await deps.store.get(requestId)) ?? req,
        };
      }
      const outcome = await decide(req, now);
      if (!('next' in outcome)) {
        if (outcome.ok) return outcome;
        return { ...outcome, request: ('request' in outcome && outcome.request) || req };
      }
      const record = auditRecord(outcome.next, note(outcome.next), now);
      if (!(await deps.store.commit(outcome.next, req.version, { enqueue, audit: record }))) {
        return LOST_RACE;
      }
      await audits.handOn(record);
      if (enqueue) await approved.handOn(outcome.next);
      return { ok: true, request: outcome.next };
    }, retry);
    if (result !== LOST_RACE) return result;
    return {
      ok: false,
      code: 'conflict',
      reason: t('en', 'said.flow.tooFast', { id: requestId }),
    };
  }

  async function approve(input: {
    actor: Actor;
    requestId: string;
    breakGlassReason?: string;
  }): Promise<FlowResult> {
    const who = await principal(input.actor);
    return change(
      input.requestId,
      async (req, now) => {
        const gate = approveTransition(req, who, now);
        if (!gate.ok) return gate;
        const decision = evaluateApproval(deps.policy.current(), {
          principal: who,
          risk: req.risk,
          target: targetOf(req),
          requester: await identified(req.requester),
          breakGlassReason: input.breakGlassReason,
        });
        if (!decision.allowed) {
          return {
            ok: false,
            code: 'denied',
            reason: decision.reason,
            ...(decision.breakGlassOpen ? { breakGlassOpen: true as const } : {}),
          };
        }
        const reason = decision.breakGlass ? input.breakGlassReason?.trim() : undefined;
        return approveTransition(req, plainActor(input.actor), now, reason);
      },
      (next) => ({
        action: 'approval.approved',
        by: plainActor(input.actor),
        result: next.breakGlass ? `approved by break glass: ${next.breakGlass.reason}` : 'approved',
        extra: next.breakGlass
          ? { breakGlass: true, breakGlassReason: next.breakGlass.reason }
          : {},
      }),
      true,
    );
  }

  async function reject(input: {
    actor: Actor;
    requestId: string;
    reason: string;
  }): Promise<FlowResult> {
    const who = await principal(input.actor);
    return change(
      input.requestId,
      async (req, now) => {
        const gate = rejectTransition(req, who, now, input.reason);
        if (!gate.ok) return gate;
        const decision = evaluateReject(deps.policy.current(), {
          principal: who,
          risk: req.risk,
          target: targetOf(req),
          reason: input.reason,
        });
        if (!decision.allowed) return { ok: false, code: 'denied', reason: decision.reason };
        return rejectTransition(req, plainActor(input.actor), now, input.reason.trim());
      },
      (next) => ({
        action: 'approval.rejected',
        by: plainActor(input.actor),
        result: `rejected: ${next.rejectReason ?? ''}`,
      }),
    );
  }

  async function cancel(input: { actor: Actor; requestId: string }): Promise<FlowResult> {
    return change(
      input.requestId,
      async (req, now) => {
        const decision = evaluateCancel(deps.policy.current(), {
          actor: await identified(input.actor),
          requester: await identified(req.requester),
        });
        if (!decision.allowed) return { ok: false, code: 'denied', reason: decision.reason };
        return cancelTransition(req, plainActor(input.actor), now);
      },
      () => ({
        action: 'approval.cancelled',
        by: plainActor(input.actor),
        result: 'cancelled by the requester',
      }),
    );
  }

  /**
   * The bot withdraws a pending request itself (its incident resolved, its run stopped). Audited
   * as a cancellation by the system with the reason; not pending any more: nothing changes.
   */
  async function withdraw(input: { requestId: string; reason: string }): Promise<FlowResult> {
    return change(
      input.requestId,
      async (req, now) => cancelTransition(req, SYSTEM_ACTOR, now, input.reason),
      () => ({
        action: 'approval.cancelled',
        by: SYSTEM_ACTOR,
        result: `withdrawn: ${input.reason}`,
      }),
    );
  }

  async function expireOne(req: ApprovalRequest, now: string): Promise<boolean> {
    const t = expireTransition(req, now);
    if (!t.ok) return false;
    const record = auditRecord(
      t.next,
      {
        action: 'approval.expired',
        by: SYSTEM_ACTOR,
        result: `expired at ${req.expiresAt} without a decision`,
      },
      now,
    );
    if (!(await deps.store.commit(t.next, req.version, { enqueue: false, audit: record }))) {
      return false;
    }
    await audits.handOn(record);
    return true;
  }

  /** Expires every pending request past its time; safe to run on every replica at once. */
  async function expireDue(limit = 500): Promise<ApprovalRequest[]> {
    const now = clock();
    const ids = await deps.store.dueForExpiry(now.getTime(), limit);
    const expired: ApprovalRequest[] = [];
    for (const id of ids) {
      const req = await deps.store.get(id);
      if (req && (await expireOne(req, now.toISOString()))) {
        expired.push((await deps.store.get(id)) ?? req);
      }
    }
    return expired;
  }

  /**
   * Records what the worker side reports: running, succeeded, failed (`refused` when the worker
   * would not run the job at all) or unknown. Reporting the current state again changes nothing.
   */
  async function recordExecution(input: {
    requestId: string;
    state: ExecutionState;
    by?: ChangeActor;
    jobId?: string | null;
    summary?: string | null;
    refused?: boolean;
  }): Promise<FlowResult> {
    const by: ChangeActor = input.by ?? { platform: 'worker', id: 'worker' };
    return change(
      input.requestId,
      async (req, now) => {
        if (req.state === input.state) return { ok: true, request: req };
        return executionTransition(req, input.state, by, now, input);
      },
      () => ({
        action: input.refused ? 'job.refused' : EXECUTION_AUDIT[input.state],
        by,
        result: input.summary ?? input.state,
        extra: input.jobId ? { jobId: input.jobId } : {},
      }),
    );
  }

  /** Hands on approved requests whose job hand-off did not complete (a crash, a queue outage). */
  async function relayApproved(olderThanMs = 5000): Promise<number> {
    return approved.relay(olderThanMs);
  }

  /** Appends audit records of committed changes whose append did not complete. */
  async function relayAudit(olderThanMs = 5000): Promise<number> {
    return audits.relay(olderThanMs);
  }

  return {
    requestStep,
    relayAudit,
    approve,
    reject,
    cancel,
    withdraw,
    expireDue,
    recordExecution,
    relayApproved,
    get: (id: string) => deps.store.get(id),
    listForIncident: (incidentId: string, limit?: number) =>
      deps.store.listForIncident(incidentId, limit),
  };
}

export type ApprovalFlow = ReturnType<typeof createApprovalFlow>;
