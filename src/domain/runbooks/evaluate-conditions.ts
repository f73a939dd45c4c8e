import { roleHolds } from './bindings';
import type { Condition, ServerRole } from './schema';

/** What became of a step in a run. A check ends succeeded or failed; other steps end done. */
export type StepOutcome = 'succeeded' | 'failed' | 'done' | 'skipped';

/** Run it, skip it, or ask a person because the server's role decides and is not known. */
export type ConditionVerdict = 'run' | 'skip' | 'ask-role';

/**
 * Decides a step's `when` (all conditions must hold). A condition on a step that did not run (no
 * outcome, or skipped) is false: "if step 2 failed" does not hold when step 2 never ran. `done`
 * holds for any step that ran. A role condition with unknown roles is left to a person, unless
 * another condition already says skip. Pure.
 */
export function evaluateConditions(
  when: readonly Condition[],
  outcomes: Readonly<Record<string, StepOutcome | undefined>>,
  roles: readonly ServerRole[] | null,
): ConditionVerdict {
  let askRole = false;
  for (const c of when) {
    if ('role' in c) {
      const holds = roleHolds(c.role, roles);
      if (holds === false) return 'skip';
      if (holds === null) askRole = true;
      continue;
    }
    const outcome = outcomes[c.step];
    const ran = outcome !== undefined && outcome !== 'skipped';
    const holds = c.outcome === 'done' ? ran : outcome === c.outcome;
    if (!holds) return 'skip';
  }
  return askRole ? 'ask-role' : 'run';
}
