import { buildStepCommands, type BindingContext, type ServerRole, type StepDef } from '../runbooks';
import { isDagSafetyOutput, sealOf } from '../safety/dag-safety';
import type { FailoverSeal } from '../actions/params';
import type { RemediationRun } from './run';

/** The seal of the run's latest failover pre-check on its current server (what was shown). */
function latestSeal(run: RemediationRun): FailoverSeal | null {
  let best: { at: string; seal: FailoverSeal } | null = null;
  const server = run.bindings.server?.name.split('.')[0]?.toLowerCase();
  for (const rs of Object.values(run.steps)) {
    for (const r of rs.results) {
      if (r.status !== 'succeeded' || !isDagSafetyOutput(r.parsed)) continue;
      if (r.parsed.evidence.server.split('.')[0]?.toLowerCase() !== server) continue;
      if (!best || r.finishedAt > best.at)
        best = { at: r.finishedAt, seal: sealOf(r.parsed.failover) };
    }
  }
  return best?.seal ?? null;
}

/** What the runbook's parameter bindings read of the run. */
function bindingContext(run: RemediationRun): BindingContext {
  const b = run.bindings;
  return {
    server: b.server,
    relatedServer: b.relatedServer,
    healthSet: b.healthSet,
    probe: b.probe,
    roles: b.roles,
    failoverPrecheck: latestSeal(run),
  };
}

/** `role`: it cannot run until a person chooses the server's role. */
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
