import type { ApprovalRequest, ChangeActor, ExecutionState } from './approval-request';
import { SYSTEM_ACTOR } from '../identity/actor';
import { describeActor, type Actor } from '../identity/actor';
import { DEFAULT_LANG } from '../runbooks/text';
import { t } from '../strings';

/**
 * Pure state transitions. Each takes the request as read and returns the next version, or why the
 * transition does not apply. Policy checks come first (evaluate.ts); these only guard the states.
 */
export type Transition =
  { ok: true; next: ApprovalRequest } | { ok: false; code: TransitionRefusal; reason: string };

export type TransitionRefusal = 'not-pending' | 'expired' | 'invalid-transition';

function step(
  req: ApprovalRequest,
  patch: Partial<ApprovalRequest>,
  by: ChangeActor,
  at: string,
  note?: string,
): ApprovalRequest {
  const state = patch.state ?? req.state;
  return {
    ...req,
    ...patch,
    version: req.version + 1,
    history: [...req.history, { state, at, by, ...(note ? { note } : {}) }],
  };
}

/**
 * The bot's own withdrawal of a request (its incident resolved, its step was done by hand): when
 * and why, from the cancellation in its history; null for a requester's cancel.
 */
export function withdrawalOf(req: ApprovalRequest): { at: string; reason: string } | null {
  if (req.state !== 'cancelled') return null;
  const last = [...req.history].reverse().find((h) => h.state === 'cancelled');
  if (!last || last.by.platform !== 'system') return null;
  return { at: last.at, reason: last.note ?? '' };
}

/** A sentence saying what already happened, for whoever clicks too late. */
export function describeOutcome(req: ApprovalRequest): string {
  switch (req.state) {
    case 'pending':
      return t('en', 'said.outcome.pending', { at: req.expiresAt });
    case 'approved':
      return req.approvedBy
        ? t('en', 'said.outcome.approvedBy', {
            who: describeActor(req.approvedBy),
            at: req.approvedAt ?? '?',
          })
        : t('en', 'said.outcome.approved', { at: req.approvedAt ?? '?' });
    case 'rejected':
      return t('en', 'said.outcome.rejected', {
        who: req.rejectedBy ? describeActor(req.rejectedBy) : t('en', 'said.someone'),
        reason: req.rejectReason ?? '',
      });
    case 'expired':
      return t('en', 'said.outcome.expired', { at: req.expiresAt });
    case 'cancelled': {
      const w = withdrawalOf(req);
      return w
        ? t(DEFAULT_LANG, 'approval.withdrawnOutcome', { at: w.at, reason: w.reason })
        : t('en', 'said.outcome.cancelled');
    }
    default:
      return t('en', 'said.outcome.after', { state: req.state });
  }
}

function requirePending(req: ApprovalRequest, now: string): Transition | null {
  if (req.state !== 'pending') {
    return {
      ok: false,
      code: 'not-pending',
      reason: t('en', 'said.transition.nothingChanged', {
        id: req.id,
        outcome: describeOutcome(req),
      }),
    };
  }
  if (Date.parse(now) >= Date.parse(req.expiresAt)) {
    return {
      ok: false,
      code: 'expired',
      reason: t('en', 'said.transition.expired', { id: req.id, at: req.expiresAt }),
    };
  }
  return null;
}

export function approveTransition(
  req: ApprovalRequest,
  by: Actor,
  now: string,
  breakGlassReason?: string,
): Transition {
  const refused = requirePending(req, now);
  if (refused) return refused;
  return {
    ok: true,
    next: step(
      req,
      {
        state: 'approved',
        approvedBy: by,
        approvedAt: now,
        breakGlass: breakGlassReason ? { reason: breakGlassReason } : null,
      },
      by,
      now,
      breakGlassReason ? `break glass: ${breakGlassReason}` : undefined,
    ),
  };
}

export function rejectTransition(
  req: ApprovalRequest,
  by: Actor,
  now: string,
  reason: string,
): Transition {
  const refused = requirePending(req, now);
  if (refused) return refused;
  return {
    ok: true,
    next: step(req, { state: 'rejected', rejectedBy: by, rejectReason: reason }, by, now, reason),
  };
}

/** `note`: why, for the bot's own withdrawal (kept in the history, shown on a late click). */
export function cancelTransition(
  req: ApprovalRequest,
  by: ChangeActor,
  now: string,
  note?: string,
): Transition {
  // A requester may withdraw a request even in the instant after it expired: same outcome.
  if (req.state !== 'pending') {
    return {
      ok: false,
      code: 'not-pending',
      reason: t('en', 'said.transition.nothingChanged', {
        id: req.id,
        outcome: describeOutcome(req),
      }),
    };
  }
  return { ok: true, next: step(req, { state: 'cancelled' }, by, now, note) };
}

export { SYSTEM_ACTOR };

export function expireTransition(req: ApprovalRequest, now: string): Transition {
  if (req.state !== 'pending') {
    return {
      ok: false,
      code: 'not-pending',
      reason: t('en', 'said.transition.notPending', { id: req.id, state: req.state }),
    };
  }
  if (Date.parse(now) < Date.parse(req.expiresAt)) {
    return {
      ok: false,
      code: 'invalid-transition',
      reason: t('en', 'said.transition.notYet', { id: req.id, at: req.expiresAt }),
    };
  }
  return { ok: true, next: step(req, { state: 'expired' }, SYSTEM_ACTOR, now) };
}

/** Which states the worker side may report from which; repeating the current state is a no-op. */
const EXECUTION_FROM: Record<ExecutionState, readonly string[]> = {
  running: ['approved'],
  // `failed` straight from approved: the worker refused the job or it could not start.
  succeeded: ['running'],
  failed: ['approved', 'running'],
  // A worker that died mid-job; or one that vanished before it could say it started.
  unknown: ['approved', 'running'],
};

export function executionTransition(
  req: ApprovalRequest,
  state: ExecutionState,
  by: ChangeActor,
  now: string,
  detail: { jobId?: string | null; summary?: string | null },
): Transition {
  if (!EXECUTION_FROM[state].includes(req.state)) {
    return {
      ok: false,
      code: 'invalid-transition',
      reason: t('en', 'said.transition.invalid', { id: req.id, state: req.state, to: state }),
    };
  }
  return {
    ok: true,
    next: step(
      req,
      {
        state,
        execution: {
          jobId: detail.jobId ?? req.execution?.jobId ?? null,
          summary: detail.summary ?? null,
          at: now,
        },
      },
      by,
      now,
      detail.summary ?? undefined,
    ),
  };
}
