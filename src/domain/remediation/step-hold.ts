import type { Lang } from '../runbooks/text';
import { begin, note } from './edit-run';
import type { MachineContext, Transition } from './machine-types';
import type { RemediationRun } from './run';

/**
 * The remediation gate held a step's job, or started it after a hold: the step carries the
 * hold's sentence while it lasts, so the card names what holds it back. Null when nothing changes
 * (the same hold again, or no hold to clear), so a repeat commits nothing.
 */
export function setStepHold(
  run: RemediationRun,
  stepKey: string,
  hold: Record<Lang, string> | null,
  ctx: MachineContext,
): Transition | null {
  const rs = run.steps[stepKey];
  if (!rs) return null;
  if (hold === null && !rs.hold) return null;
  if (hold !== null && JSON.stringify(rs.hold?.text) === JSON.stringify(hold)) return null;
  const next = begin(run, ctx);
  const step = next.steps[stepKey]!;
  if (hold === null) {
    delete step.hold;
    note(next, ctx, `${stepKey}: started after its hold`);
  } else {
    step.hold = { text: hold, since: step.hold?.since ?? ctx.now.toISOString() };
    note(next, ctx, `${stepKey}: ${hold.en}`);
  }
  return { run: next, effects: [] };
}
