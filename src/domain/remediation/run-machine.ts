import { AFTER_CHANGE } from '../actions/build-script';
import { isActionId, type ActionOutput } from '../actions';
import type { ServerRef } from '../alerts/alert';
import {
  buildStepCommands,
  evaluateConditions,
  findStep,
  followGoto,
  type BindingContext,
  type Catalog,
  type MonitorDef,
  type SectionDef,
  type ServerRole,
  type StepDef,
  type StepOutcome,
} from '../runbooks';
import type { RunbookMatch } from '../runbooks/match-runbook';
import {
  FINAL_RUN_STATUSES,
  type RemediationRun,
  type RunBindings,
  type RunStep,
  type StepResult,
} from './run';

/**
 * The remediation run's state machine. Pure: every function takes the run as read and returns
 * the next version and the effects to carry out after it is committed (jobs to queue, timers,
 * requests to withdraw). The service (remediation-service.ts) commits both atomically and then
 * performs the effects, so a crash in between loses nothing.
 */

export interface MachineContext {
  catalog: Catalog;
  now: Date;
  /** RUNBOOK_WAIT_SECONDS: when set, every wait and repeat interval lasts this long. */
  waitSeconds: number | null;
  /** The roles of a server from the inventory (null: unknown). */
  rolesOf: (server: ServerRef | null) => ServerRole[] | null;
}

export type RunEffect =
  | {
      type: 'enqueue';
      stepKey: string;
      actionId: string;
      params: Record<string, unknown>;
      jobId: string;
      delayMs: number;
      /** Who pressed Run; absent when the run started it by itself. */
      actor?: Actor;
    }
  | { type: 'timer'; stepKey: string; jobId: string; delayMs: number }
  | { type: 'withdraw'; requestId: string; reason: string };

export interface Transition {
  run: RemediationRun;
  effects: RunEffect[];
}

import type { OutcomeInput } from '../actions/outcome';
import type { Actor } from '../identity/actor';
export type { OutcomeInput };

export const isFinal = (run: RemediationRun): boolean => FINAL_RUN_STATUSES.includes(run.status);

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

/** A working copy with the version bumped; the caller returns it with its effects. */
function begin(run: RemediationRun, ctx: MachineContext): RemediationRun {
  const next = structuredClone(run);
  next.version = run.version + 1;
  next.updatedAt = ctx.now.toISOString();
  return next;
}

function note(run: RemediationRun, ctx: MachineContext, text: string): void {
  run.history.push({ at: ctx.now.toISOString(), note: text });
}

function stepOf(run: RemediationRun, step: StepDef, sectionId: string): RunStep {
  let rs = run.steps[step.id];
  if (!rs) {
    rs = { state: 'pending', results: [], sectionId };
    run.steps[step.id] = rs;
  }
  return rs;
}

function sectionOf(ctx: MachineContext, id: string): SectionDef {
  const s = ctx.catalog.sections.get(id);
  if (!s) throw new Error(`the catalogue has no section ${id}`);
  return s;
}

function locate(
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

function bindingContext(run: RemediationRun): BindingContext {
  const b = run.bindings;
  return {
    server: b.server,
    relatedServer: b.relatedServer,
    healthSet: b.healthSet,
    probe: b.probe,
    roles: b.roles,
  };
}

function outcomes(run: RemediationRun): Record<string, StepOutcome | undefined> {
  const out: Record<string, StepOutcome | undefined> = {};
  for (const [id, rs] of Object.entries(run.steps)) out[id] = rs.outcome;
  return out;
}

function waitMs(seconds: number, run: RemediationRun, ctx: MachineContext): number {
  if (ctx.waitSeconds === null) return seconds * 1000;
  if (ctx.waitSeconds !== seconds) {
    run.waitShortened = { runbookSeconds: seconds, effectiveSeconds: ctx.waitSeconds };
  }
  return ctx.waitSeconds * 1000;
}

function nextJobId(run: RemediationRun, stepKey: string, rs: RunStep): string {
  rs.jobCount = (rs.jobCount ?? 0) + 1;
  // BullMQ job ids may not contain ':'; run and step ids never do.
  return `${run.id}-${stepKey}-${rs.jobCount}`;
}

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

function hasStepCondition(step: StepDef): boolean {
  return step.when.some((c) => 'step' in c);
}

type Command =
  | { ok: true; actionId: string; params: Record<string, unknown> }
  | { ok: false; reason: string; role: boolean };

/** The one command a step runs now: its bound parameters, or why it cannot run yet. */
export function bindStep(
  run: RemediationRun,
  step: StepDef,
  role: ServerRole | null | undefined,
): Command {
  const commands = buildStepCommands(step, bindingContext(run));
  const chosen =
    commands.length > 1 ? commands.filter((c) => role !== undefined && c.role === role) : commands;
  if (chosen.length !== 1) {
    return {
      ok: false,
      role: true,
      reason: 'server role unknown: choose client-access or mailbox before running',
    };
  }
  const c = chosen[0]!;
  if (!c.complete || c.params === null) {
    return { ok: false, role: false, reason: c.problems.join('; ') || 'values missing' };
  }
  return { ok: true, actionId: c.actionId, params: c.params };
}

type WalkResult = 'continue' | 'stop' | 'goto' | 'ended';

function isVerifying(run: RemediationRun): boolean {
  return run.sectionId === run.verifySectionId && run.verdict === 'pending';
}

/** Runs every step that can run now, up to the first that must wait. */
export function advance(run: RemediationRun, ctx: MachineContext): Transition {
  const next = begin(run, ctx);
  const effects: RunEffect[] = [];
  advanceInPlace(next, ctx, effects);
  return { run: next, effects };
}

function advanceInPlace(run: RemediationRun, ctx: MachineContext, effects: RunEffect[]): void {
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

function end(
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

function finish(rs: RunStep, state: RunStep['state'], outcome: StepOutcome): void {
  rs.state = state;
  rs.outcome = outcome;
  rs.currentJobId = null;
  delete rs.waitUntil;
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

function setWait(run: RemediationRun, rs: RunStep, ctx: MachineContext, ms: number): void {
  const until = new Date(ctx.now.getTime() + ms).toISOString();
  rs.waitUntil = until;
  run.waitUntil = until;
  run.status = 'waiting';
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

/** How a step's `expect` judges a check's parsed output. */
export function judge(
  step: Pick<StepDef, 'expect' | 'healthSetFilter'>,
  parsed: unknown,
): 'met' | 'not-met' | 'unreadable' | null {
  if (step.expect === undefined) return null;
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

export type Refusal = { ok: false; reason: string };

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
  if (!where) return { ok: false, reason: `step ${input.stepKey} is not part of this run` };
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
    return { ok: false, reason: `step ${step.id} is a ${step.kind} step, not a check` };
  }
  if (step.action === undefined) return { ok: false, reason: `step ${step.id} has nothing to run` };
  if (input.role) {
    rs.role = input.role;
    if (!rs.entered && rs.state === 'blocked' && section.id === next.sectionId) {
      // A person decided the server's role: role conditions and role values follow it.
      next.bindings.roles = [input.role];
    }
  }
  const cmd = bindStep(next, step, rs.role ?? input.role);
  if (!cmd.ok) return { ok: false, reason: `step ${step.id} cannot run: ${cmd.reason}` };

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
  if (!where) return { ok: false, reason: `step ${stepKey} is not part of this run` };
  const next = begin(run, ctx);
  const rs = stepOf(next, where.step, where.section.id);
  if (rs.requestId === requestId) return { ok: false, reason: 'already recorded' };
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
  if (!where) return { ok: false, reason: `step ${stepKey} is not part of this run` };
  const { step } = where;
  const rs = run.steps[stepKey];
  const changeInDoubt =
    (step.kind === 'change' || step.kind === 'destructive') &&
    rs !== undefined &&
    rs.outcome === undefined &&
    (rs.state === 'failed' || rs.state === 'awaiting-approval' || rs.state === 'blocked');
  if (step.kind !== 'manual' && !changeInDoubt) {
    return { ok: false, reason: `step ${stepKey} is not a manual step awaiting a person` };
  }
  if (rs?.outcome === 'done') return { ok: false, reason: `step ${stepKey} is already done` };
  const next = begin(run, ctx);
  const effects: RunEffect[] = [];
  const s = stepOf(next, step, where.section.id);
  // Done by hand: a request still pending for it must not run it a second time.
  if (s.requestId) {
    effects.push({
      type: 'withdraw',
      requestId: s.requestId,
      reason: `${stepKey} was marked done`,
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
