import { AFTER_CHANGE } from '../actions/build-script';
import { isActionId, type ActionOutput } from '../actions';
import type { OutcomeInput } from '../actions/outcome';
import type { StepDef } from '../runbooks';
import { advanceInPlace } from './advance-run';
import {
  begin,
  end,
  finish,
  isFinal,
  locate,
  nextJobId,
  note,
  setWait,
  stepOf,
  waitMs,
} from './edit-run';
import type { MachineContext, RunEffect, Transition } from './machine-types';
import type { RemediationRun, RunStep, StepResult } from './run';
import { isDagSafetyOutput } from '../safety/dag-safety';

/**
 * A worker's result on its step: how the step's `expect` judges it, the one-line summary, the
 * verify procedure's verdict, whether the incident recovered, and the run moving on (or asking
 * again, or stopping at a failure a person must look at).
 */

/** A check that says the incident recovered: a re-run probe, or the alert server's health. */
function isRecoveryCheck(step: StepDef): boolean {
  if (step.expect === 'probe-succeeded') return true;
  const server = step.params.server;
  return (
    step.expect === 'healthy' &&
    typeof server === 'object' &&
    server !== null &&
    'from' in server &&
    server.from === 'server'
  );
}

/** How a step's `expect` judges a check's parsed output. */
export function judge(
  step: Pick<StepDef, 'expect' | 'healthSetFilter'>,
  parsed: unknown,
): 'met' | 'not-met' | 'unreadable' | null {
  if (step.expect === undefined) return null;
  if (
    step.expect === 'failover-safe' ||
    step.expect === 'restart-safe' ||
    step.expect === 'no-hold'
  ) {
    if (!isDagSafetyOutput(parsed)) return 'unreadable';
    // A restart also waits while the server is in maintenance or Managed Availability is
    // recovering it: a restart would fight its responder (the card lists both conditions).
    const ok =
      step.expect === 'failover-safe'
        ? parsed.failover.ok
        : step.expect === 'restart-safe'
          ? parsed.restart.ok && parsed.hold.ok
          : parsed.hold.ok;
    return ok ? 'met' : 'not-met';
  }
  const out = parsed as ActionOutput | undefined;
  if (!out || typeof out !== 'object' || !('kind' in out)) return 'unreadable';
  switch (step.expect) {
    case 'probe-succeeded':
      if (out.kind !== 'probe') return 'unreadable';
      return out.results.length > 0 && out.resultType === 'Succeeded' ? 'met' : 'not-met';
    case 'no-active-database-copy':
      if (out.kind !== 'copy-status') return 'unreadable';
      return out.anyActive ? 'not-met' : 'met';
    case 'healthy': {
      if (out.kind !== 'server-health') return 'unreadable';
      const filter = step.healthSetFilter;
      const fits = (name: string | null): boolean => {
        if (!filter) return true;
        const n = (name ?? '').toLowerCase();
        const f = filter.toLowerCase();
        return f.endsWith('*') ? n.startsWith(f.slice(0, -1)) : n === f;
      };
      return out.unhealthy.some((m) => fits(m.healthSet)) ? 'not-met' : 'met';
    }
  }
}

/** One line for a result. */
export function summarize(o: OutcomeInput, expectation?: StepResult['expectation']): string {
  if (o.status === 'refused') return `refused by the worker: ${o.reason ?? ''}`.trim();
  if (o.status === 'unknown') return 'outcome unknown, verify';
  if (o.status === 'failed') {
    return `failed${o.timedOut ? ' (timed out)' : ''}: ${o.reason ?? 'error'}`;
  }
  const out = o.parsed as ActionOutput | undefined;
  const judged =
    expectation === 'met'
      ? ' (as expected)'
      : expectation === 'not-met'
        ? ' (not as expected)'
        : '';
  if (isDagSafetyOutput(o.parsed)) {
    const p = o.parsed;
    const held = [...p.hold.reasons, ...(p.failover.ok ? [] : p.failover.reasons)];
    const restart = p.restart.ok || !p.failover.ok ? [] : p.restart.reasons;
    // The step's own verdict leads; the others follow, so the card says what holds it.
    const lines = expectation === 'met' ? [] : [...new Set([...held, ...restart])].slice(0, 3);
    return lines.length === 0 ? `safety checks pass${judged}` : `held: ${lines.join('; ')}`;
  }
  if (!out || typeof out !== 'object') return `succeeded${judged}`;
  switch (out.kind) {
    case 'probe':
      return `probe ${out.resultType}${out.error ? `: ${out.error}` : ''}`;
    case 'copy-status':
      return out.anyActive
        ? `${out.activeDatabases.length} active database cop${out.activeDatabases.length === 1 ? 'y' : 'ies'}: ${out.activeDatabases.join(', ')}`
        : 'no active database copy';
    case 'server-health':
      return out.unhealthy.length === 0
        ? `${out.monitors.length} monitors, none unhealthy`
        : `${out.unhealthy.length} unhealthy: ${out.unhealthy.map((m) => m.name).join(', ')}`;
    case 'change':
      return `done${judged}`;
    default:
      return `succeeded${judged}`;
  }
}

function resultOf(o: OutcomeInput, expectation?: StepResult['expectation']): StepResult {
  return {
    jobId: o.jobId,
    actionId: o.actionId,
    params: o.params,
    status: o.status,
    ...(o.command !== undefined ? { command: o.command } : {}),
    startedAt: o.startedAt,
    finishedAt: o.finishedAt,
    durationMs: o.durationMs,
    summary: summarize(o, expectation),
    ...(o.parsed !== undefined ? { parsed: o.parsed } : {}),
    ...(o.raw !== undefined ? { raw: o.raw } : {}),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.timedOut ? { timedOut: true } : {}),
    ...(expectation ? { expectation } : {}),
  };
}

function isApprovalJobFor(rs: RunStep, jobId: string): boolean {
  return (
    rs.requestId !== undefined &&
    jobId === `approval-${rs.requestId.replace(/[^A-Za-z0-9_-]/g, '_')}`
  );
}

/**
 * Records a worker's result on its step and moves the run on. Null when it changes nothing: an
 * unknown step, or a result already recorded (a redelivered outcome).
 */
export function applyOutcome(
  run: RemediationRun,
  o: OutcomeInput,
  ctx: MachineContext,
): Transition | null {
  const key = o.stepId;
  if (key === null) return null;
  const where = locate(run, ctx, key);
  if (!where) return null;
  const existing = run.steps[key];
  if (existing?.results.some((r) => r.jobId === o.jobId)) return null;

  const next = begin(run, ctx);
  const effects: RunEffect[] = [];
  const { step, section } = where;
  const rs = stepOf(next, step, section.id);
  const current = rs.currentJobId === o.jobId || isApprovalJobFor(rs, o.jobId);
  const verification = o.jobId.includes('-verify-');
  const readStep = step.kind === 'check' || step.kind === 'wait';
  const expectation =
    o.status === 'succeeded' && readStep && !verification ? judge(step, o.parsed) : null;
  const result = resultOf(o, expectation ?? undefined);
  if (verification) result.verification = true;
  rs.results.push(result);

  if (!current || isFinal(next) || rs.outcome !== undefined) {
    if (verification) note(next, ctx, `${step.id} verified: ${result.summary}`);
    return { run: next, effects };
  }
  if (rs.waitUntil || next.waitUntil) {
    delete rs.waitUntil;
    next.waitUntil = null;
  }

  if (readStep) {
    if (o.status !== 'succeeded' || expectation === 'unreadable') {
      rs.state = 'failed';
      rs.note =
        o.status === 'succeeded'
          ? 'the output could not be read; run the check again'
          : `the check could not run (${result.summary}); run it again`;
      next.status = 'failed';
      note(next, ctx, `${step.id}: ${rs.note}`);
      return { run: next, effects };
    }
    const met = expectation === null || expectation === 'met';
    if (!met && step.repeat && (rs.tries ?? 1) < step.repeat.maxAttempts) {
      // A bounded gate: ask again after the interval.
      rs.tries = (rs.tries ?? 1) + 1;
      const ms = waitMs(step.repeat.intervalSeconds, next, ctx);
      const jobId = nextJobId(next, step.id, rs);
      rs.currentJobId = jobId;
      rs.state = 'running';
      setWait(next, rs, ctx, ms);
      effects.push({
        type: 'enqueue',
        stepKey: step.id,
        actionId: o.actionId,
        params: o.params,
        jobId,
        delayMs: ms,
      });
      note(
        next,
        ctx,
        `${step.id}: not yet (try ${(rs.tries ?? 2) - 1} of ${step.repeat.maxAttempts})`,
      );
      return { run: next, effects };
    }
    finish(rs, met ? 'succeeded' : 'failed', met ? 'succeeded' : 'failed');
    note(next, ctx, `${step.id}: ${result.summary}`);
    if (section.kind === 'verify' && step.expect === 'probe-succeeded') {
      next.verdict = met ? 'transient' : 'confirmed';
      note(next, ctx, `verdict: ${next.verdict}`);
      if (met) {
        end(next, ctx, 'transient', 'the probe succeeded when re-run');
        return { run: next, effects };
      }
    } else if (section.kind === 'recovery' && isRecoveryCheck(step)) {
      next.recoveredAt = met ? ctx.now.toISOString() : null;
      if (met) note(next, ctx, 'incident recovered: the probe succeeds');
    }
    if (!met && step.repeat) {
      end(
        next,
        ctx,
        'escalated',
        `${step.id} still not as expected after ${step.repeat.maxAttempts} tries: the procedure stops here`,
      );
      return { run: next, effects };
    }
  } else if (o.status === 'succeeded') {
    finish(rs, 'succeeded', 'succeeded');
    note(next, ctx, `${step.id}: ${result.summary}`);
  } else {
    rs.state = 'failed';
    if (o.status === 'unknown') {
      const follow = isActionId(o.actionId) ? AFTER_CHANGE[o.actionId]?.(o.params) : undefined;
      if (follow) rs.verify = { actionId: follow.actionId, params: follow.params };
      rs.note = 'outcome unknown, verify';
    } else {
      rs.note = `${result.summary}; ask again, or mark it done if it was done by hand`;
    }
    next.status = 'failed';
    note(next, ctx, `${step.id}: ${rs.note}`);
    return { run: next, effects };
  }
  advanceInPlace(next, ctx, effects);
  return { run: next, effects };
}
