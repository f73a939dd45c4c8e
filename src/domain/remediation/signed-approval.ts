import { createHmac, timingSafeEqual } from 'node:crypto';
import { stableStringify } from '../shared/stable-json';
import type { Actor } from '../identity/actor';

/**
 * What an approval allowed, exactly: one action with these parameters, for this incident, until
 * this time. The bot signs it with JOB_SIGNING_KEY when a person approves; the worker runs a
 * `change` or `destructive` job only with a valid grant for exactly that job. Someone who can
 * write to Redis but lacks the key cannot make the worker change anything.
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

export interface SignedApproval {
  grant: ApprovalGrant;
  /** Hex HMAC-SHA256 of the grant's canonical JSON. */
  signature: string;
}

export function signApproval(grant: ApprovalGrant, key: string): SignedApproval {
  return { grant, signature: hmac(grant, key) };
}

export type GrantCheck = { ok: true; grant: ApprovalGrant } | { ok: false; reason: string };

/**
 * Checks that a job carries a genuine, unexpired grant for exactly its own action and parameters.
 * (That each grant runs only once is checked by the worker against Redis.)
 */
export function verifyApproval(
  job: { actionId: string; params: Record<string, unknown>; incidentId: string | null },
  signed: SignedApproval | null | undefined,
  key: string,
  now: Date,
): GrantCheck {
  if (
    !signed ||
    typeof signed !== 'object' ||
    !signed.grant ||
    typeof signed.signature !== 'string'
  ) {
    return { ok: false, reason: 'the job carries no approval' };
  }
  const expected = Buffer.from(hmac(signed.grant, key), 'hex');
  const given = Buffer.from(signed.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason: 'the approval signature is not valid (altered, or signed with another key)',
    };
  }
  const g = signed.grant;
  if (g.actionId !== job.actionId) {
    return { ok: false, reason: `the approval is for ${g.actionId}, not ${job.actionId}` };
  }
  if (stableStringify(g.params) !== stableStringify(job.params)) {
    return { ok: false, reason: 'the job parameters differ from the approved ones' };
  }
  if ((g.incidentId ?? null) !== (job.incidentId ?? null)) {
    return { ok: false, reason: 'the approval is for another incident' };
  }
  const expires = Date.parse(g.expiresAt);
  if (!Number.isFinite(expires) || now.getTime() > expires) {
    return { ok: false, reason: `the approval expired at ${g.expiresAt}` };
  }
  if (g.approvers.length === 0) return { ok: false, reason: 'the approval names no approver' };
  return { ok: true, grant: g };
}

function hmac(grant: ApprovalGrant, key: string): string {
  return createHmac('sha256', key).update(stableStringify(grant)).digest('hex');
}
