import { findStep, type SectionDef, type StepDef, type StepOutcome } from '../runbooks';
import type { MachineContext } from './machine-types';
import { FINAL_RUN_STATUSES, type RemediationRun, type RunStep } from './run';

/**
 * Small edits every part of the run machine makes on its working copy of the run: copy it, write
 * the history, find or create a step's record, start a wait, finish a step, end the run.
 */

/** The run moves no more (results are still recorded on its steps). */
export const isFinal = (run: RemediationRun): boolean => FINAL_RUN_STATUSES.includes(run.status);

/** A working copy with the version bumped; the caller returns it with its effects. */
export function begin(run: RemediationRun, ctx: MachineContext): RemediationRun {
  const next = structuredClone(run);
  next.version = run.version + 1;
  next.updatedAt = ctx.now.toISOString();
  return next;
}

/** One line of the run's history, at the context's time. */
export function note(run: RemediationRun, ctx: MachineContext, text: string): void {
  run.history.push({ at: ctx.now.toISOString(), note: text });
}

/** The run's record of a step, created pending on first touch. */
export function stepOf(run: RemediationRun, step: StepDef, sectionId: string): RunStep {
  let rs = run.steps[step.id];
  if (!rs) {
    rs = { state: 'pending', results: [], sectionId };
    run.steps[step.id] = rs;
  }
  return rs;
}

/** A section of the catalogue; a run never names one the catalogue lacks. */
export function sectionOf(ctx: MachineContext, id: string): SectionDef {
  const s = ctx.catalog.sections.get(id);
  if (!s) throw new Error(`the catalogue has no section ${id}`);
  return s;
}

/** The step a key names and the section it belongs to, among the sections the run knows. */
export function locate(
  run: RemediationRun,
  ctx: MachineContext,
  stepKey: string,
): { step: StepDef; section: SectionDef } | null {
  const sectionId = run.steps[stepKey]?.sectionId ?? run.sectionId;
  const section = ctx.catalog.sections.get(sectionId);
  const step = section ? findStep(section, stepKey) : undefined;
  if (section && step) return { step, section };
  // A step of a section the run has visited, or is headed for, but has not yet touched.
  for (const id of [...run.sections, ...(run.recoverySectionId ? [run.recoverySectionId] : [])]) {
    const s = ctx.catalog.sections.get(id);
    const found = s ? findStep(s, stepKey) : undefined;
    if (s && found) return { step: found, section: s };
  }
  return null;
}

/** A runbook wait in milliseconds, shortened (and marked so) by RUNBOOK_WAIT_SECONDS. */
export function waitMs(seconds: number, run: RemediationRun, ctx: MachineContext): number {
  if (ctx.waitSeconds === null) return seconds * 1000;
  if (ctx.waitSeconds !== seconds) {
    run.waitShortened = { runbookSeconds: seconds, effectiveSeconds: ctx.waitSeconds };
  }
  return ctx.waitSeconds * 1000;
}

/** A fresh job id for the step's next job. */
export function nextJobId(run: RemediationRun, stepKey: string, rs: RunStep): string {
  rs.jobCount = (rs.jobCount ?? 0) + 1;
  // BullMQ job ids may not contain ':'; run and step ids never do.
  return `${run.id}-${stepKey}-${rs.jobCount}`;
}

/** The verify procedure is still running and has no verdict yet. */
export function isVerifying(run: RemediationRun): boolean {
  return run.sectionId === run.verifySectionId && run.verdict === 'pending';
}

/** Ends the run: nothing more runs by itself. */
export function end(
  run: RemediationRun,
  ctx: MachineContext,
  status: 'recovered' | 'transient' | 'escalated',
  why: string,
): void {
  run.status = status;
  run.waitUntil = null;
  if (run.verdict === 'pending') run.verdict = 'unknown';
  note(run, ctx, `${status}: ${why}`);
}

/** The step is over: what conditions see is set and no job or wait is current. */
export function finish(rs: RunStep, state: RunStep['state'], outcome: StepOutcome): void {
  rs.state = state;
  rs.outcome = outcome;
  rs.currentJobId = null;
  delete rs.waitUntil;
}

/** The step, and so the run, waits until `ms` from now. */
export function setWait(run: RemediationRun, rs: RunStep, ctx: MachineContext, ms: number): void {
  const until = new Date(ctx.now.getTime() + ms).toISOString();
  rs.waitUntil = until;
  run.waitUntil = until;
  run.status = 'waiting';
}
