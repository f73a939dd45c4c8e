import type { ServerRef } from '../alerts/alert';
import type { ServerRole, StepOutcome } from '../runbooks';
import type { Lang } from '../runbooks/text';

/**
 * A remediation run: one incident's runbook, executed step by step. It is persisted in Redis (see
 * src/infra/redis/redis-run-store.ts) and moved on only by the pure functions in run-machine.ts, so any
 * bot replica can advance it and a restart loses nothing. docs/runbooks.md says how a run proceeds.
 */

/**
 * - `verifying`: the verify procedure runs by itself (Get-ServerHealth, then the probe);
 * - `running`: a check runs, or a step waits for a person (a role to choose, a value missing);
 * - `awaiting-approval`: a change or destructive step waits for someone to ask and approve;
 * - `waiting`: a runbook wait, or a repeated check's interval, is running as a delayed job;
 * - `recovered`: a re-run probe succeeded and the section has nothing left to do;
 * - `transient`: the verify probe succeeded: the fault had already cleared;
 * - `escalated`: the runbook's escalation step was reached, or it has nothing more to offer;
 * - `stopped`: the incident resolved (pending requests withdrawn);
 * - `failed`: a step could not run or its outcome is unknown; a person re-runs the check,
 *   verifies, asks again or marks it done, and the run goes on.
 */
export type RunStatus =
  | 'verifying'
  | 'running'
  | 'awaiting-approval'
  | 'waiting'
  | 'recovered'
  | 'transient'
  | 'escalated'
  | 'stopped'
  | 'failed';

/** The runs in these states move no more (results are still recorded on their steps). */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'recovered',
  'transient',
  'escalated',
  'stopped',
];

/** What the verify procedure found: still failing (`confirmed`) or already cleared (`transient`). */
export type Verdict = 'pending' | 'confirmed' | 'transient' | 'unknown';

/**
 * Where a step is. A run never sets `not-applicable`: the card shows it for a step the server's
 * role rules out while no run state is given. Adapters choose an icon for each.
 */
export type StepState =
  | 'pending'
  | 'not-applicable'
  | 'blocked'
  | 'awaiting-approval'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'done';

/** One job's result on a run step, as the worker reported it (raw output kept in full, inline). */
export interface StepResult {
  jobId: string;
  actionId: string;
  params: Record<string, unknown>;
  status: 'succeeded' | 'failed' | 'refused' | 'unknown';
  command?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** One line for the card and the thread ("ResultType Failed: …", "2 active copies"). */
  summary: string;
  parsed?: unknown;
  raw?: string;
  reason?: string;
  timedOut?: boolean;
  /** How the step's `expect` judged it, when it has one. */
  expectation?: 'met' | 'not-met' | 'unreadable';
  /** A read-only check run to verify a change whose outcome was unknown. */
  verification?: boolean;
}

/**
 * One step of the run, keyed by its step id in `RemediationRun.steps` (step ids are unique in the
 * merged catalogue; a run enters each section at most once).
 */
export interface RunStep {
  state: StepState;
  results: StepResult[];
  /** The approval request made for this step (the latest, when asked again). */
  requestId?: string;
  sectionId: string;
  /** What conditions (`when`) see; unset while the step has not finished. */
  outcome?: StepOutcome;
  /** Its `when` held (a group's sub-steps then run). */
  entered?: boolean;
  /** A group's sub-steps have all finished. */
  subsDone?: boolean;
  /** Its own action was started (job queued, approval awaited, person asked). */
  started?: boolean;
  /** The job whose result moves the step on (others are recorded only). */
  currentJobId?: string | null;
  /** Jobs made for this step so far (job ids count with it). */
  jobCount?: number;
  /** Tries of a `repeat` gate so far. */
  tries?: number;
  /** The role a person chose for a role-dependent step. */
  role?: ServerRole | null;
  /** Why it is blocked or failed, or what happened, for the card. */
  note?: string;
  /** A change whose outcome is unknown: the read-only check that verifies it. */
  verify?: { actionId: string; params: Record<string, unknown> };
  waitUntil?: string;
  /**
   * Its job is held by the remediation gate (an outage, the blast radius; see docs/outages.md):
   * the sentence the card shows, per language. Gone when the job starts.
   */
  hold?: { text: Record<Lang, string>; since: string };
}

/** The values the current section's parameters bind to (a goto may hand over another server). */
export interface RunBindings {
  server: ServerRef | null;
  relatedServer: ServerRef | null;
  healthSet: string | null;
  monitor: { name: string; healthSet: string } | null;
  probe: { name: string; healthSet: string } | null;
  roles: ServerRole[] | null;
}

export interface RemediationRun {
  id: string;
  incidentId: string;
  /** Grows by one with every change; the store's compare-and-set compares it. */
  version: number;
  /** The section the run is in now. */
  sectionId: string;
  verifySectionId: string | null;
  /** The matched monitor's recovery section (null when the alert matched no monitor). */
  recoverySectionId: string | null;
  /** Sections entered, in order. */
  sections: string[];
  bindings: RunBindings;
  status: RunStatus;
  verdict: Verdict;
  /** When the running wait (or repeat interval) ends. */
  waitUntil: string | null;
  /** Set when RUNBOOK_WAIT_SECONDS shortened a wait: the card says "shortened for the demo". */
  waitShortened?: { runbookSeconds: number; effectiveSeconds: number };
  /** When a re-run probe succeeded in a recovery section (the incident recovered). */
  recoveredAt: string | null;
  /** Keyed by step id. */
  steps: Record<string, RunStep>;
  createdAt: string;
  updatedAt: string;
  history: { at: string; note: string }[];
}
