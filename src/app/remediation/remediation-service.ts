import type { ServerRef } from '../../domain/alerts/alert';
// `tr`: the run's local `t` is a transition.
import { t as tr } from '../../domain/strings';
import type { FlowResult, ApprovalFlow } from '../approvals/approval-flow';
import type { Actor } from '../../domain/identity/actor';
import type { AuditEvent } from '../../domain/audit/audit-entry';
import type { AuditLog } from '../audit/ports';
import type { IncidentEvent } from '../../domain/incidents/incident';
import type { Clock, IncidentEventSink, IncidentStore } from '../intake/ports';
import { findStep, type Catalog, type ServerRole } from '../../domain/runbooks';
import { matchRunbook } from '../../domain/runbooks/match-runbook';
import { SYSTEM_ACTOR } from '../../domain/identity/actor';
import type { CheckQueue, RunStore, RunTimers } from './ports';
import { outboxRelay } from '../shared/outbox-relay';
import { LOST_RACE, retryOnConflict } from '../shared/retry-on-conflict';
import type { RemediationRun } from '../../domain/remediation/run';
import type { Lang } from '../../domain/runbooks/text';
import {
  advance,
  applyOutcome,
  bindStep,
  applyTimer,
  createRun,
  markStepDone,
  recordRequest,
  runCheck,
  setStepHold,
  stepConditionsHold,
  stopRun,
  type MachineContext,
  type Refusal,
  type RunEffect,
  type Transition,
} from '../../domain/remediation/run-machine';

/** What the chat core calls (see src/app/remediation/index.ts). */
export interface RemediationService {
  getRun(incidentId: string): Promise<RemediationRun | null>;
  /** A person pressed a check step's Run button (or "run all checks"): enqueue it now. */
  runStep(input: {
    incidentId: string;
    sectionId: string;
    stepId: string;
    role?: ServerRole;
    actor: Actor;
    /** "Run read-only checks": leave out a check whose condition on earlier steps does not hold. */
    onlyWhenItsConditionHolds?: boolean;
  }): Promise<{ ok: true; jobIds: string[] } | { ok: false; reason: string }>;
  /**
   * A person pressed a change/destructive step's button: make the approval request (approval
   * flow requestStep) for that step and remember it on the run. Returns the flow's result.
   */
  requestStep(input: {
    incidentId: string;
    sectionId: string;
    stepId: string;
    role?: ServerRole;
    actor: Actor;
    confirmed?: boolean;
    note?: string;
  }): Promise<FlowResult>;
  /** Manual steps: a person says it is done. */
  markDone(input: {
    incidentId: string;
    sectionId: string;
    stepId: string;
    actor: Actor;
  }): Promise<{ ok: true } | { ok: false; reason: string }>;
}

import type { RunOutcome } from '../../domain/actions/outcome';
export type { RunOutcome };

export interface RemediationDeps {
  store: RunStore;
  catalog: Catalog;
  incidents: Pick<IncidentStore, 'get'>;
  checks: CheckQueue;
  timers: RunTimers;
  approvals: Pick<ApprovalFlow, 'requestStep' | 'withdraw'>;
  audit: AuditLog;
  /** The chat side's durable queue (`incident-events`): one event per run change. */
  events: IncidentEventSink;
  /** RUNBOOK_WAIT_SECONDS, or null for the runbooks' own durations. */
  waitSeconds: number | null;
  rolesOf?: (server: ServerRef | null) => ServerRole[] | null;
  clock?: Clock;
  maxAttempts?: number;
  /** Told when an effect of a committed change failed; the relay carries it out later. */
  onError?: (err: unknown, entry: string) => void;
}

/** One outbox entry: an effect of a committed change, with a key unique to that change. */
type OutboxEntry =
  | { key: string; effect: RunEffect; incidentId: string; runId: string }
  | { key: string; event: IncidentEvent }
  | { key: string; audit: AuditEvent };

/**
 * The remediation service: starts a run when an incident is created, moves it on with every job
 * result, person's click and timer, and stops it when the incident resolves. Every change is
 * read → decide (pure, run-machine.ts) → commit with its effects (compare-and-set) → carry the
 * effects out; a lost race decides again on fresh data.
 */
export function createRemediationService(deps: RemediationDeps) {
  const clock = deps.clock ?? (() => new Date());
  const maxAttempts = deps.maxAttempts ?? 50;
  const ctx = (): MachineContext => ({
    catalog: deps.catalog,
    now: clock(),
    waitSeconds: deps.waitSeconds,
    rolesOf: deps.rolesOf ?? (() => null),
  });

  function entriesOf(t: Transition, stepKey?: string): OutboxEntry[] {
    const run = t.run;
    const at = run.updatedAt;
    const base = `${run.id}:v${run.version}`;
    const out: OutboxEntry[] = [];
    t.effects.forEach((effect, i) => {
      out.push({ key: `${base}:${i}`, effect, incidentId: run.incidentId, runId: run.id });
      if (effect.type === 'enqueue') {
        const server = typeof effect.params.server === 'string' ? effect.params.server : null;
        out.push({
          key: `check-run-${effect.jobId}`,
          audit: {
            at,
            actor: effect.actor ?? SYSTEM_ACTOR,
            action: 'check.run',
            incidentId: run.incidentId,
            server,
            params: {
              runId: run.id,
              stepId: effect.stepKey,
              actionId: effect.actionId,
              params: effect.params,
              jobId: effect.jobId,
            },
            result:
              effect.delayMs > 0
                ? `queued, starts in ${Math.round(effect.delayMs / 1000)} s`
                : 'queued',
          },
        });
      }
    });
    out.push({
      key: `${base}:event`,
      event: {
        incidentId: run.incidentId,
        version: run.version,
        change: 'run',
        at,
        runId: run.id,
        runVersion: run.version,
        ...(stepKey ? { stepKey } : {}),
      },
    });
    return out;
  }

  async function carryOut(raw: string): Promise<void> {
    const entry = JSON.parse(raw) as OutboxEntry;
    if ('event' in entry) {
      await deps.events.publish(entry.event);
    } else if ('audit' in entry) {
      await deps.audit.append(entry.audit, { idempotencyKey: entry.key });
    } else {
      const e = entry.effect;
      if (e.type === 'enqueue') {
        const queued = await deps.checks.enqueue({
          actionId: e.actionId,
          params: e.params,
          incidentId: entry.incidentId,
          runId: entry.runId,
          stepId: e.stepKey,
          requestedBy: e.actor ?? SYSTEM_ACTOR,
          jobId: e.jobId,
          delayMs: e.delayMs,
        });
        if (!queued.ok) {
          // It can never be queued (e.g. a server outside the inventory): the step says why.
          const at = clock().toISOString();
          await handleOutcome({
            jobId: e.jobId,
            actionId: e.actionId,
            params: e.params,
            status: 'refused',
            reason: queued.reason,
            stepId: e.stepKey,
            incidentId: entry.incidentId,
            runId: entry.runId,
            startedAt: at,
            finishedAt: at,
            durationMs: 0,
          });
        }
      } else if (e.type === 'timer') {
        await deps.timers.schedule({
          incidentId: entry.incidentId,
          stepKey: e.stepKey,
          jobId: e.jobId,
          delayMs: e.delayMs,
        });
      } else {
        await deps.approvals.withdraw({ requestId: e.requestId, reason: e.reason });
      }
    }
  }

  // The run outbox: carried out right after each commit, and by `relay` after a crash.
  const outbox = outboxRelay<string>(
    { pending: (olderThanMs) => deps.store.pendingOutbox(olderThanMs), done: deps.store.markDone },
    carryOut,
    (err, raw) => deps.onError?.(err, raw),
  );

  // Card events on their way to the queue: a run does not wait for its redraw (the queue gathers
  // a storm's changes for a moment, jobs/queues/card-events.ts), and the outbox holds each until
  // it is queued, so a crash meanwhile loses nothing (the relay hands it on).
  const inFlight = new Set<Promise<unknown>>();
  async function performAll(entries: string[]): Promise<void> {
    for (const raw of entries) {
      if (!('event' in (JSON.parse(raw) as OutboxEntry))) {
        await outbox.handOn(raw);
        continue;
      }
      // handOn reports its own failure (onError) and leaves the entry for the relay.
      const handing = outbox
        .handOn(raw)
        .catch(() => false)
        .finally(() => inFlight.delete(handing));
      inFlight.add(handing);
    }
  }

  /** Resolves once every card event handed on so far is queued (or failed, left to the relay). */
  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  /** Read, decide, commit (compare-and-set), then carry out the effects. */
  async function mutate<R extends Refusal>(
    incidentId: string,
    decide: (run: RemediationRun) => Transition | R | null,
    stepKey?: string,
  ): Promise<{ run: RemediationRun; t: Transition | null } | R | { ok: false; reason: string }> {
    const result = await retryOnConflict<
      { run: RemediationRun; t: Transition | null } | R | { ok: false; reason: string }
    >(
      async () => {
        const run = await deps.store.get(incidentId);
        if (!run) return { ok: false, reason: tr('en', 'said.run.none', { id: incidentId }) };
        const t = decide(run);
        if (t === null) return { run, t: null };
        if ('ok' in t) return t;
        const entries = entriesOf(t, stepKey).map((e) => JSON.stringify(e));
        if (!(await deps.store.commit(t.run, run.version, entries))) return LOST_RACE;
        await performAll(entries);
        return { run: t.run, t };
      },
      { maxAttempts, maxPauseMs: 20 },
    );
    if (result !== LOST_RACE) return result;
    return { ok: false, reason: tr('en', 'said.run.tooFast', { id: incidentId }) };
  }

  /** A new incident: its run starts with the verify procedure. Idempotent per incident. */
  async function start(incidentId: string): Promise<RemediationRun | null> {
    const existing = await deps.store.get(incidentId);
    if (existing) return existing;
    const incident = await deps.incidents.get(incidentId);
    // Resolved before its start came (its trigger handed on late, or retried): nothing to verify,
    // and a stop that came first found no run to stop.
    if (!incident || incident.status === 'resolved') return null;
    const match = matchRunbook(deps.catalog, {
      monitor: incident.monitors[0] ?? null,
      healthSet: incident.healthSet,
    });
    const c = ctx();
    const run = createRun({
      incidentId,
      server: incident.server,
      relatedServer: incident.relatedServer,
      match,
      ctx: c,
    });
    const t = advance(run, c);
    const entries = entriesOf(t).map((e) => JSON.stringify(e));
    if (!(await deps.store.commit(t.run, 0, entries))) return deps.store.get(incidentId);
    await performAll(entries);
    return t.run;
  }

  /** The incident resolved: stop its run and withdraw its pending requests. */
  async function stop(incidentId: string, reason: string): Promise<void> {
    await mutate(incidentId, (run) => stopRun(run, reason, ctx()));
  }

  async function handleOutcome(o: RunOutcome): Promise<void> {
    if (!o.incidentId || !o.stepId) return;
    const run = await deps.store.get(o.incidentId);
    if (!run || (o.runId !== null && o.runId !== run.id)) return;
    await mutate(o.incidentId, (r) => applyOutcome(r, o, ctx()), o.stepId);
  }

  async function handleTimer(t: { incidentId: string; stepKey: string; jobId: string }) {
    await mutate(t.incidentId, (run) => applyTimer(run, t.stepKey, t.jobId, ctx()), t.stepKey);
  }

  /** The remediation gate held a step's job (its sentence per language), or started it (null). */
  async function setHold(
    incidentId: string,
    stepKey: string,
    hold: Record<Lang, string> | null,
  ): Promise<void> {
    await mutate(incidentId, (run) => setStepHold(run, stepKey, hold, ctx()), stepKey);
  }

  /** Carries out effects of committed changes whose hand-off did not complete. */
  function relay(olderThanMs = 5000): Promise<number> {
    return outbox.relay(olderThanMs);
  }

  const stepInSection = (run: RemediationRun, sectionId: string, stepId: string) => {
    const section = deps.catalog.sections.get(sectionId);
    const step = section ? findStep(section, stepId) : undefined;
    if (!section || !step) return null;
    // The card shows the recovery section during the verify procedure: its buttons work too.
    if (!run.sections.includes(sectionId) && sectionId !== run.recoverySectionId) return null;
    return step;
  };

  const service: RemediationService = {
    getRun: (incidentId) => deps.store.get(incidentId),

    async runStep(input) {
      const run = await deps.store.get(input.incidentId);
      if (!run) return { ok: false, reason: tr('en', 'said.run.none', { id: input.incidentId }) };
      if (!stepInSection(run, input.sectionId, input.stepId)) {
        return { ok: false, reason: tr('en', 'said.run.notInIncident', { step: input.stepId }) };
      }
      if (
        input.onlyWhenItsConditionHolds &&
        stepConditionsHold(run, input.stepId, ctx()) === false
      ) {
        return {
          ok: false,
          reason: tr('en', 'said.run.conditionOpen', { step: input.stepId }),
        };
      }
      let jobIds: string[] = [];
      const r = await mutate(input.incidentId, (current) => {
        const t = runCheck(
          current,
          {
            stepKey: input.stepId,
            ...(input.role ? { role: input.role } : {}),
            actor: chatActor(input.actor),
          },
          ctx(),
        );
        if ('jobIds' in t) jobIds = t.jobIds;
        return t;
      });
      if ('ok' in r) return r;
      return { ok: true, jobIds };
    },

    async requestStep(input) {
      const run = await deps.store.get(input.incidentId);
      const step = run ? stepInSection(run, input.sectionId, input.stepId) : null;
      if (!run || !step) {
        return {
          ok: false,
          code: 'not-found',
          reason: tr('en', 'said.run.notInRunOf', { step: input.stepId, id: input.incidentId }),
        };
      }
      if (step.kind !== 'change' && step.kind !== 'destructive') {
        return {
          ok: false,
          code: 'invalid-params',
          reason: tr('en', 'said.run.needsNoApproval', { step: input.stepId, kind: step.kind }),
        };
      }
      const bound = boundParams(run, input.stepId, input.role);
      if (!bound.ok) return { ok: false, code: 'invalid-params', reason: bound.reason };
      const result = await deps.approvals.requestStep({
        actor: input.actor,
        incidentId: input.incidentId,
        actionId: bound.actionId,
        params: bound.params,
        runId: run.id,
        stepId: input.stepId,
        ...(input.confirmed !== undefined ? { confirmed: input.confirmed } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
      });
      if (result.ok) {
        const requestId = result.request.id;
        await mutate(input.incidentId, (current) => {
          const t = recordRequest(current, input.stepId, requestId, ctx());
          return 'ok' in t ? null : t;
        });
      }
      return result;
    },

    async markDone(input) {
      const run = await deps.store.get(input.incidentId);
      if (!run || !stepInSection(run, input.sectionId, input.stepId)) {
        return { ok: false, reason: tr('en', 'said.run.notInIncident', { step: input.stepId }) };
      }
      const who = input.actor.displayName ?? `${input.actor.platform}:${input.actor.id}`;
      const r = await mutate(input.incidentId, (current) =>
        markStepDone(current, input.stepId, ctx(), who),
      );
      return 'ok' in r ? r : { ok: true };
    },
  };

  /** The same values the run would use for this step (and role). */
  function boundParams(
    run: RemediationRun,
    stepId: string,
    role: ServerRole | undefined,
  ):
    | { ok: true; actionId: string; params: Record<string, unknown> }
    | { ok: false; reason: string } {
    const sectionId = run.steps[stepId]?.sectionId ?? run.sectionId;
    const section = deps.catalog.sections.get(sectionId);
    const step = section ? findStep(section, stepId) : undefined;
    if (!step) return { ok: false, reason: tr('en', 'said.run.noStep', { step: stepId }) };
    const cmd = bindStep(run, step, role ?? run.steps[stepId]?.role ?? undefined);
    return cmd.ok
      ? cmd
      : { ok: false, reason: tr('en', 'said.run.cannotRun', { step: stepId, reason: cmd.reason }) };
  }

  return { ...service, start, stop, handleOutcome, handleTimer, relay, setHold, idle };
}

export type RemediationRuntime = ReturnType<typeof createRemediationService>;

function chatActor(a: Actor): { platform: Actor['platform']; id: string; displayName?: string } {
  return {
    platform: a.platform,
    id: a.id,
    ...(a.displayName ? { displayName: a.displayName } : {}),
  };
}
