/**
 * The remediation run's state machine. Pure: every function takes the run as read and returns
 * the next version and the effects to carry out after it is committed (jobs to queue, timers,
 * requests to withdraw). The service (remediation-service.ts) commits both atomically and then
 * performs the effects, so a crash in between loses nothing.
 *
 * This file is its public face; the parts live beside it:
 * - advance-run.ts    create a run and move it on by itself (steps, conditions, waits, gotos);
 * - apply-outcome.ts  a worker's result on its step (judge, summary, verdict, repeats);
 * - people-steps.ts   what people do (run a check, ask for approval, mark done, stop);
 * - bind-step.ts      the one command a step runs now;
 * - step-hold.ts      the remediation gate's hold on a step (shown on the card);
 * - edit-run.ts       the small edits all of them make on the run's working copy;
 * - machine-types.ts  the context they take and the transition and effects they return.
 */

export type { OutcomeInput } from '../actions/outcome';
export type { MachineContext, Refusal, RunEffect, Transition } from './machine-types';
export { isFinal } from './edit-run';
export { bindStep } from './bind-step';
export { setStepHold } from './step-hold';
export { advance, applyTimer, createRun, runIdFor } from './advance-run';
export { applyOutcome, judge, summarize } from './apply-outcome';
export {
  markStepDone,
  recordRequest,
  runCheck,
  stepConditionsHoldFor as stepConditionsHold,
  stopRun,
} from './people-steps';
