import type { ServerRole } from '../runbooks';
import { t } from '../strings';
import { advanceInPlace, stepConditionsHold } from './advance-run';
import { bindStep } from './bind-step';
import { begin, finish, isFinal, isVerifying, locate, nextJobId, note, stepOf } from './edit-run';
import type { Actor } from '../identity/actor';
import type { MachineContext, Refusal, RunEffect, Transition } from './machine-types';
import type { RemediationRun } from './run';

/**
 * What people do to a run from a card: run a check again, ask for approval of a change, mark a
 * step done by hand, and (when the incident resolves) stop it.
 */

/**
 * A person pressed a check's Run button. The run's current check (failed, blocked, or waiting
 * for a role) starts again and moves the run on; any other check runs and is only recorded; a
 * change whose outcome is unknown runs its verifying read.
 */
export function runCheck(
  run: RemediationRun,
  input: { stepKey: string; role?: ServerRole; actor?: Actor },
  ctx: MachineContext,
): (Transition & { jobIds: string[] }) | Refusal {
  const where = locate(run, ctx, input.stepKey);
  if (!where) return { ok: false, reason: t('en', 'said.run.notPart', { step: input.stepKey }) };
  const { step, section } = where;
  const next = begin(run, ctx);
  const effects: RunEffect[] = [];
  const rs = stepOf(next, step, section.id);
  const actor = input.actor ? { actor: input.actor } : {};

  if (rs.verify && rs.outcome === undefined) {
    rs.jobCount = (rs.jobCount ?? 0) + 1;
    const jobId = `${next.id}-${step.id}-verify-${rs.jobCount}`;
    effects.push({ type: 'enqueue', stepKey: step.id, ...rs.verify, jobId, delayMs: 0, ...actor });
    note(next, ctx, `${step.id}: verifying with ${rs.verify.actionId}`);
    return { run: next, effects, jobIds: [jobId] };
  }
  if (step.kind !== 'check' && step.kind !== 'wait') {
    return { ok: false, reason: t('en', 'said.run.notCheck', { step: step.id, kind: step.kind }) };
  }
  if (step.action === undefined)
    return { ok: false, reason: t('en', 'said.run.nothingToRun', { step: step.id }) };
  if (input.role) {
    rs.role = input.role;
    if (!rs.entered && rs.state === 'blocked' && section.id === next.sectionId) {
      // A person decided the server's role: role conditions and role values follow it.
      next.bindings.roles = [input.role];
    }
  }
  const cmd = bindStep(next, step, rs.role ?? input.role);
  if (!cmd.ok)
    return {
      ok: false,
      reason: t('en', 'said.run.cannotRun', { step: step.id, reason: cmd.reason }),
    };

  const resumable =
    section.id === next.sectionId &&
    !isFinal(next) &&
    rs.outcome === undefined &&
    (rs.state === 'failed' || rs.state === 'blocked');
  if (resumable && !rs.started) {
    // Blocked before it started (a role or a value): let the walk start it.
    rs.state = 'pending';
    delete rs.note;
    advanceInPlace(next, ctx, effects);
    const jobIds = effects.flatMap((e) => (e.type === 'enqueue' ? [e.jobId] : []));
    for (const e of effects)
      if (e.type === 'enqueue' && e.stepKey === step.id) Object.assign(e, actor);
    return { run: next, effects, jobIds };
  }
  const jobId = nextJobId(next, step.id, rs);
  effects.push({
    type: 'enqueue',
    stepKey: step.id,
    actionId: cmd.actionId,
    params: cmd.params,
    jobId,
    delayMs: 0,
    ...actor,
  });
  if (resumable) {
    rs.currentJobId = jobId;
    rs.state = 'running';
    delete rs.note;
    next.status = isVerifying(next) ? 'verifying' : 'running';
  }
  note(next, ctx, `${step.id}: run by a person`);
  return { run: next, effects, jobIds: [jobId] };
}

/** Remembers the approval request made for a change or destructive step. */
export function recordRequest(
  run: RemediationRun,
  stepKey: string,
  requestId: string,
  ctx: MachineContext,
): Transition | Refusal {
  const where = locate(run, ctx, stepKey);
  if (!where) return { ok: false, reason: t('en', 'said.run.notPart', { step: stepKey }) };
  const next = begin(run, ctx);
  const rs = stepOf(next, where.step, where.section.id);
  if (rs.requestId === requestId) return { ok: false, reason: t('en', 'said.run.alreadyRecorded') };
  rs.requestId = requestId;
  if (rs.outcome === undefined && (rs.state === 'failed' || rs.started)) {
    rs.state = 'awaiting-approval';
    delete rs.note;
    delete rs.verify;
    if (!isFinal(next) && where.section.id === next.sectionId) next.status = 'awaiting-approval';
  }
  note(next, ctx, `${stepKey}: approval requested (${requestId})`);
  return { run: next, effects: [] };
}

/** A person says a manual step (or a change whose outcome was unknown) is done. */
export function markStepDone(
  run: RemediationRun,
  stepKey: string,
  ctx: MachineContext,
  by: string,
): Transition | Refusal {
  const where = locate(run, ctx, stepKey);
  if (!where) return { ok: false, reason: t('en', 'said.run.notPart', { step: stepKey }) };
  const { step } = where;
  const rs = run.steps[stepKey];
  const changeInDoubt =
    (step.kind === 'change' || step.kind === 'destructive') &&
    rs !== undefined &&
    rs.outcome === undefined &&
    (rs.state === 'failed' || rs.state === 'awaiting-approval' || rs.state === 'blocked');
  if (step.kind !== 'manual' && !changeInDoubt) {
    return { ok: false, reason: t('en', 'said.run.notManual', { step: stepKey }) };
  }
  if (rs?.outcome === 'done')
    return { ok: false, reason: t('en', 'said.run.alreadyDone', { step: stepKey }) };
  if (step.kind === 'manual' && !stepConditionsHold(run, step)) {
    return {
      ok: false,
      reason: t('en', 'said.run.conditionOpen', { step: stepKey }),
    };
  }
  const next = begin(run, ctx);
  const effects: RunEffect[] = [];
  const s = stepOf(next, step, where.section.id);
  // Done by hand: a request still pending for it must not run it a second time.
  if (s.requestId) {
    effects.push({
      type: 'withdraw',
      requestId: s.requestId,
      reason: t('en', 'said.run.markedDone', { step: stepKey }),
    });
  }
  finish(s, 'done', 'done');
  s.note = `marked done by ${by}`;
  delete s.verify;
  note(next, ctx, `${stepKey}: marked done by ${by}`);
  if (next.status === 'failed') advanceInPlace(next, ctx, effects);
  return { run: next, effects };
}

/** The incident resolved: the run stops, and pending approval requests are withdrawn. */
export function stopRun(
  run: RemediationRun,
  reason: string,
  ctx: MachineContext,
): Transition | null {
  if (run.status === 'stopped') return null;
  const pending = Object.values(run.steps).filter((rs) => rs.requestId && rs.outcome === undefined);
  // A run that already ended keeps its status (recovered, transient, escalated).
  if (isFinal(run) && pending.length === 0) return null;
  const next = begin(run, ctx);
  const effects: RunEffect[] = pending.map((rs) => ({
    type: 'withdraw' as const,
    requestId: rs.requestId as string,
    reason,
  }));
  if (!isFinal(run)) next.status = 'stopped';
  next.waitUntil = null;
  note(next, ctx, `stopped: ${reason}`);
  return { run: next, effects };
}

/** `stepConditionsHold` by step key, for the chat side (null: the step is not in this run). */
export function stepConditionsHoldFor(
  run: RemediationRun,
  stepKey: string,
  ctx: MachineContext,
): boolean | null {
  const where = locate(run, ctx, stepKey);
  return where ? stepConditionsHold(run, where.step) : null;
}
