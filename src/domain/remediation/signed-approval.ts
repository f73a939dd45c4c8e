import { createHash } from 'node:crypto';
import { stableStringify } from '../shared/stable-json';
import type { Actor } from '../identity/actor';

/**
 * What an approval allowed, exactly: one action with these parameters, for this incident, until
 * this time. A failover's parameters carry the pre-check's seal (`precheck`), so the grant covers
 * the evidence the approvers saw as well.
 */
export interface ApprovalGrant {
  approvalId: string;
  actionId: string;
  params: Record<string, unknown>;
  incidentId: string | null;
  requester: Actor;
  approvers: Actor[];
  approvedAt: string;
  expiresAt: string;
  breakGlassReason?: string;
}

/**
 * What every job's grant binds, reads included: the bot signs these claims (a JWS, see
 * src/infra/signing/job-signing.ts) when it queues the job; the worker runs nothing whose grant
 * does not match the job exactly. Someone who can write to Redis but lacks the key can make the
 * worker run nothing at all.
 */
export interface GrantClaims {
  jobId: string;
  actionId: string;
  /** sha256 of the parameters' canonical JSON (a failover's `precheck` seal included). */
  paramsDigest: string;
  incidentId: string | null;
  runId: string | null;
  stepId: string | null;
  requester: Actor;
  /** Empty for a read; a change names who approved it. */
  approvers: Actor[];
  /** The approval a change runs under (each runs once); null for a read. */
  approvalId: string | null;
  approvedAt: string | null;
  breakGlassReason?: string;
}

export function paramsDigest(params: Record<string, unknown>): string {
  return createHash('sha256').update(stableStringify(params)).digest('hex');
}

/** The job as the worker took it off the queue, the parts the grant binds. */
export interface BoundJob {
  jobId: string;
  actionId: string;
  params: Record<string, unknown>;
  incidentId: string | null;
  runId: string | null;
  stepId: string | null;
  requestedBy: Actor;
}

export type GrantCheck = { ok: true; claims: GrantClaims } | { ok: false; reason: string };

/**
 * Checks that a (genuine, unexpired) grant is for exactly this job. A change also needs an
 * approval with an approver; that each approval runs only once is checked by the worker in Redis.
 */
export function checkGrantBinding(job: BoundJob, claims: GrantClaims, isRead: boolean): GrantCheck {
  const no = (reason: string): GrantCheck => ({ ok: false, reason });
  if (claims.jobId !== job.jobId) return no(`the grant is for job ${claims.jobId}, not this one`);
  if (claims.actionId !== job.actionId) {
    return no(`the grant is for ${claims.actionId}, not ${job.actionId}`);
  }
  if (claims.paramsDigest !== paramsDigest(job.params)) {
    return no('the job parameters differ from the granted ones');
  }
  if ((claims.incidentId ?? null) !== (job.incidentId ?? null)) {
    return no('the grant is for another incident');
  }
  if ((claims.runId ?? null) !== (job.runId ?? null) || (claims.stepId ?? null) !== job.stepId) {
    return no('the grant is for another run step');
  }
  if (stableStringify(claims.requester) !== stableStringify(job.requestedBy)) {
    return no('the grant names another requester');
  }
  if (!isRead) {
    if (!claims.approvalId) return no('the job carries no approval');
    if (!Array.isArray(claims.approvers) || claims.approvers.length === 0) {
      return no('the approval names no approver');
    }
  }
  return { ok: true, claims };
}

/** The claims of a job's grant; `approval` must be for exactly this action, params and incident. */
export function grantClaimsFor(
  job: BoundJob,
  approval: ApprovalGrant | null,
): { ok: true; claims: GrantClaims } | { ok: false; reason: string } {
  if (approval) {
    if (
      approval.actionId !== job.actionId ||
      stableStringify(approval.params) !== stableStringify(job.params) ||
      (approval.incidentId ?? null) !== job.incidentId
    ) {
      return { ok: false, reason: 'the approval is for another action, parameters or incident' };
    }
  }
  return {
    ok: true,
    claims: {
      jobId: job.jobId,
      actionId: job.actionId,
      paramsDigest: paramsDigest(job.params),
      incidentId: job.incidentId,
      runId: job.runId,
      stepId: job.stepId,
      requester: job.requestedBy,
      approvers: approval?.approvers ?? [],
      approvalId: approval?.approvalId ?? null,
      approvedAt: approval?.approvedAt ?? null,
      ...(approval?.breakGlassReason ? { breakGlassReason: approval.breakGlassReason } : {}),
    },
  };
}
