import type { ServerRef } from '../alerts/alert';
import {
  evaluateConditions,
  followGoto,
  type Catalog,
  type MonitorDef,
  type SectionDef,
  type StepDef,
  type StepOutcome,
} from '../runbooks';
import type { RunbookMatch } from '../runbooks/match-runbook';
import { bindStep } from './bind-step';
import {
  begin,
  end,
  finish,
  isFinal,
  isVerifying,
  nextJobId,
  note,
  sectionOf,
  setWait,
  stepOf,
  waitMs,
} from './edit-run';
import type { MachineContext, RunEffect, Transition } from './machine-types';
import type { RemediationRun, RunBindings, RunStep } from './run';

/**
 * Moving a run on by itself: create it, walk its sections' steps in order (conditions, groups,
 * waits, gotos) and start every step that can run now, up to the first that must wait for a
 * result, a timer or a person.
 */

export function runIdFor(incidentId: string): string {
  return `RUN-${incidentId}`;
}

/** Creates the run for a new incident (not yet advanced: call `advance`). */
export function createRun(input: {
  incidentId: string;
  server: ServerRef | null;
  relatedServer: ServerRef | null;
  match: RunbookMatch;
  ctx: MachineContext;
}): RemediationRun {
  const { match, ctx } = input;
  const at = ctx.now.toISOString();
  const recovery = match.section.kind === 'recovery' ? match.section.id : null;
  return {
    id: runIdFor(input.incidentId),
    incidentId: input.incidentId,
    version: 0,
    sectionId: match.verifySection.id,
    verifySectionId: match.verifySection.id,
    recoverySectionId: recovery,
    sections: [match.verifySection.id],
    bindings: {
      server: input.server,
      relatedServer: input.relatedServer,
      healthSet: match.healthSet,
      monitor: match.monitor
        ? { name: match.monitor.name, healthSet: match.monitor.healthSet }
        : null,
      probe: match.probe ? { name: match.probe.name, healthSet: match.probe.healthSet } : null,
      roles: ctx.rolesOf(input.server),
    },
    status: 'verifying',
    verdict: 'pending',
    waitUntil: null,
    recoveredAt: null,
    steps: {},
    createdAt: at,
    updatedAt: at,
    history: [
      {
        at,
        note: `verify procedure ${match.verifySection.id}${recovery ? `, then ${recovery}` : ''}`,
      },
    ],
  };
}

function outcomes(run: RemediationRun): Record<string, StepOutcome | undefined> {
  const out: Record<string, StepOutcome | undefined> = {};
  for (const [id, rs] of Object.entries(run.steps)) out[id] = rs.outcome;
  return out;
}

/**
 * Whether a step's conditions on earlier steps hold now ("only if step 5 failed"): what a person
 * may do by hand (mark done, run the section's checks) follows the same conditions as the run.
 */
export function stepConditionsHold(run: RemediationRun, step: StepDef): boolean {
  const onSteps = step.when.filter((c) => 'step' in c);
  return evaluateConditions(onSteps, outcomes(run), run.bindings.roles) === 'run';
}

function hasStepCondition(step: StepDef): boolean {
  return step.when.some((c) => 'step' in c);
}

type WalkResult = 'continue' | 'stop' | 'goto' | 'ended';

/** Runs every step that can run now, up to the first that must wait. */
export function advance(run: RemediationRun, ctx: MachineContext): Transition {
  const next = begin(run, ctx);
  const effects: RunEffect[] = [];
  advanceInPlace(next, ctx, effects);
  return { run: next, effects };
}

/** `advance` on a working copy the caller has already begun (after recording a result or a click). */
export function advanceInPlace(
  run: RemediationRun,
  ctx: MachineContext,
  effects: RunEffect[],
): void {
  if (isFinal(run)) return;
  for (let guard = 0; guard < 20; guard++) {
    const section = sectionOf(ctx, run.sectionId);
    const result = walk(run, section, section.steps, ctx, effects);
    if (result === 'goto') continue;
    if (result === 'ended') return;
    // The step the walk stopped at has set the status (settle).
    if (result === 'stop') return;
    // The section has nothing left to do.
    if (section.kind === 'verify') {
      if (run.verdict === 'transient') return end(run, ctx, 'transient', 'verify probe succeeded');
      if (run.verdict === 'pending') run.verdict = 'unknown';
      const recovery = run.recoverySectionId;
      if (recovery && !run.sections.includes(recovery)) {
        enterSection(run, ctx, recovery, null);
        continue;
      }
      return end(run, ctx, 'escalated', 'the verify procedure ended; no recovery section applies');
    }
    return run.recoveredAt
      ? end(run, ctx, 'recovered', `section ${section.id} finished after the probe succeeded`)
      : end(run, ctx, 'escalated', `section ${section.id} ended without a successful probe`);
  }
  end(run, ctx, 'escalated', 'too many sections followed');
}

function enterSection(
  run: RemediationRun,
  ctx: MachineContext,
  sectionId: string,
  bindings: Partial<RunBindings> | null,
): void {
  run.sectionId = sectionId;
  run.sections.push(sectionId);
  if (bindings) Object.assign(run.bindings, bindings);
  note(run, ctx, `section ${sectionId}`);
}

function walk(
  run: RemediationRun,
  section: SectionDef,
  steps: readonly StepDef[],
  ctx: MachineContext,
  effects: RunEffect[],
): WalkResult {
  for (const step of steps) {
    const rs = stepOf(run, step, section.id);
    if (rs.outcome !== undefined) continue;
    if (!rs.entered) {
      let verdict = evaluateConditions(step.when, outcomes(run), run.bindings.roles);
      // "Stop as soon as a re-run probe succeeds": once recovered, only steps that a condition
      // ties to earlier results (the fail-back, undoing a protocol log) still run.
      if (run.recoveredAt !== null && section.kind === 'recovery' && !hasStepCondition(step)) {
        verdict = 'skip';
      }
      if (verdict === 'skip') {
        skip(run, step, section.id);
        continue;
      }
      if (verdict === 'ask-role') {
        rs.state = 'blocked';
        rs.note = 'server role unknown: decide before running';
        settle(run, rs);
        return 'stop';
      }
      rs.entered = true;
      if (rs.state === 'blocked') delete rs.note;
      if (step.steps.length > 0) rs.state = 'running';
    }
    if (step.steps.length > 0 && !rs.subsDone) {
      const sub = walk(run, section, step.steps, ctx, effects);
      if (sub !== 'continue') return sub;
      rs.subsDone = true;
    }
    if (step.steps.length > 0 && step.action === undefined) {
      finish(rs, 'done', 'done');
      continue;
    }
    if (rs.started) {
      settle(run, rs);
      return 'stop';
    }
    const r = startStep(run, section, step, rs, ctx, effects);
    if (r === 'stop') settle(run, rs);
    if (r !== 'continue') return r;
  }
  return 'continue';
}

/** The run's status follows the step it waits on. */
function settle(run: RemediationRun, rs: RunStep): void {
  if (rs.state === 'awaiting-approval') run.status = 'awaiting-approval';
  else if (rs.state === 'failed') run.status = 'failed';
  else if (rs.state === 'running' && rs.waitUntil) run.status = 'waiting';
  else run.status = isVerifying(run) ? 'verifying' : 'running';
}

function skip(run: RemediationRun, step: StepDef, sectionId: string): void {
  const rs = stepOf(run, step, sectionId);
  rs.state = 'skipped';
  rs.outcome = 'skipped';
  for (const sub of step.steps) skip(run, sub, sectionId);
}

function startStep(
  run: RemediationRun,
  section: SectionDef,
  step: StepDef,
  rs: RunStep,
  ctx: MachineContext,
  effects: RunEffect[],
): WalkResult {
  switch (step.kind) {
    case 'check':
    case 'wait': {
      if (step.action === undefined) {
        if (step.kind === 'check') {
          // A check without an action only informs (read the alert, review the output).
          finish(rs, 'done', 'done');
          return 'continue';
        }
        rs.started = true;
        rs.state = 'running';
        const ms = waitMs((step.wait?.minutes ?? 0) * 60, run, ctx);
        const jobId = nextJobId(run, step.id, rs);
        rs.currentJobId = jobId;
        setWait(run, rs, ctx, ms);
        effects.push({ type: 'timer', stepKey: step.id, jobId, delayMs: ms });
        return 'stop';
      }
      const cmd = bindStep(run, step, rs.role ?? undefined);
      if (!cmd.ok) {
        if (section.kind === 'verify' && !cmd.role) {
          // The verify procedure goes on without a value it lacks (a monitor without a probe).
          rs.state = 'skipped';
          rs.outcome = 'skipped';
          rs.note = `cannot run: ${cmd.reason}`;
          return 'continue';
        }
        rs.state = 'blocked';
        rs.note = cmd.reason;
        return 'stop';
      }
      rs.started = true;
      rs.state = 'running';
      const ms = step.kind === 'wait' ? waitMs((step.wait?.minutes ?? 0) * 60, run, ctx) : 0;
      const jobId = nextJobId(run, step.id, rs);
      rs.currentJobId = jobId;
      rs.tries = 1;
      if (ms > 0) setWait(run, rs, ctx, ms);
      effects.push({
        type: 'enqueue',
        stepKey: step.id,
        actionId: cmd.actionId,
        params: cmd.params,
        jobId,
        delayMs: ms,
      });
      return 'stop';
    }
    case 'change':
    case 'destructive': {
      const cmd = bindStep(run, step, rs.role ?? undefined);
      if (!cmd.ok && !cmd.role) {
        rs.state = 'blocked';
        rs.note = cmd.reason;
        return 'stop';
      }
      rs.started = true;
      rs.state = 'awaiting-approval';
      run.status = 'awaiting-approval';
      run.waitUntil = null;
      return 'stop';
    }
    case 'manual': {
      // The escalation step: the runbook has nothing more to try.
      rs.started = true;
      rs.state = 'pending';
      rs.note = 'a person takes over (escalation)';
      end(run, ctx, 'escalated', `escalation step ${step.id}`);
      return 'ended';
    }
    case 'goto': {
      finish(rs, 'done', 'done');
      const goto = step.goto;
      if (!goto) return 'continue';
      const monitor = findMonitor(ctx.catalog, run.bindings.monitor);
      const target = followGoto(ctx.catalog, goto, {
        server: run.bindings.server,
        relatedServer: run.bindings.relatedServer,
        healthSet: run.bindings.healthSet,
        monitor,
      });
      if (!target) {
        rs.note = 'nowhere to go: the failing monitor is not known';
        return 'continue';
      }
      if (run.sections.includes(target.section.id)) {
        end(run, ctx, 'escalated', `section ${target.section.id} was already followed`);
        return 'ended';
      }
      enterSection(run, ctx, target.section.id, {
        server: target.server,
        relatedServer: target.relatedServer,
        healthSet: target.healthSet,
        monitor: target.monitor
          ? { name: target.monitor.name, healthSet: target.monitor.healthSet }
          : null,
        probe: target.probe ? { name: target.probe.name, healthSet: target.probe.healthSet } : null,
        roles:
          target.server === run.bindings.server ? run.bindings.roles : ctx.rolesOf(target.server),
      });
      return 'goto';
    }
  }
}

function findMonitor(
  catalog: Catalog,
  m: { name: string; healthSet: string } | null,
): MonitorDef | null {
  if (!m) return null;
  const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return (
    catalog.monitors.find((x) => eq(x.name, m.name) && eq(x.healthSet, m.healthSet)) ??
    catalog.monitors.find((x) => eq(x.name, m.name)) ??
    null
  );
}

/** A wait without an action has run out. Null when that timer is not the step's current one. */
export function applyTimer(
  run: RemediationRun,
  stepKey: string,
  jobId: string,
  ctx: MachineContext,
): Transition | null {
  const rs = run.steps[stepKey];
  if (!rs || rs.currentJobId !== jobId || rs.outcome !== undefined || isFinal(run)) return null;
  const next = begin(run, ctx);
  const effects: RunEffect[] = [];
  finish(next.steps[stepKey]!, 'done', 'done');
  next.waitUntil = null;
  note(next, ctx, `${stepKey}: the wait is over`);
  advanceInPlace(next, ctx, effects);
  return { run: next, effects };
}
