export type {
  RunStatus,
  Verdict,
  StepResult,
  RunStep,
  RunBindings,
  RemediationRun,
} from '../../domain/remediation/run';
export { FINAL_RUN_STATUSES } from '../../domain/remediation/run';
export type { RemediationService, RunOutcome } from './remediation-service';
export { createRemediationService, type RemediationRuntime } from './remediation-service';
export {
  judge,
  summarize,
  runIdFor,
  type RunEffect,
  type MachineContext,
  type Transition,
} from '../../domain/remediation/run-machine';
export type { RunStore, CheckQueue, RunTimers } from './ports';
export { SYSTEM_ACTOR, type Actor } from '../../domain/identity/actor';
