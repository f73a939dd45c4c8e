import type { StepState } from './card';

/**
 * What the chat side reads of a remediation run (src/remediation owns the run). Structural, so
 * the chat core depends only on the fields it shows.
 */
export interface RunStepView {
  state: StepState;
  results: ReadonlyArray<{
    jobId: string;
    actionId: string;
    status: string;
    summary: string;
    command?: string | undefined;
    durationMs: number;
    finishedAt: string;
    raw?: string | undefined;
    reason?: string | undefined;
    params?: Record<string, unknown> | undefined;
    /** The parsed output: the thread reply's tables (output-tables.ts), a get-dag-safety result's evidence. */
    parsed?: unknown;
  }>;
  requestId?: string | undefined;
  sectionId?: string | undefined;
  /** Set while a change's outcome is unknown: the read-only check that settles it. */
  verify?: { actionId: string } | undefined;
  outcome?: string | undefined;
  /** Its own action was started (a manual step: a person was asked). */
  started?: boolean | undefined;
  /** Its job is held by the remediation gate: the sentence that says why, per language. */
  hold?: { text: Partial<Record<string, string>> } | undefined;
}

export interface RunView {
  id: string;
  incidentId: string;
  version: number;
  sectionId: string;
  verifySectionId?: string | null | undefined;
  status: string;
  verdict: string;
  waitUntil: string | null;
  waitShortened?: { runbookSeconds: number; effectiveSeconds: number } | undefined;
  /** Keyed `<section>/<step>` (or the bare step id). */
  steps: Readonly<Record<string, RunStepView>>;
}

/** A step's record on the run, whichever key form the run uses. */
export function runStep(
  run: RunView | null,
  sectionId: string,
  stepId: string,
): RunStepView | null {
  if (!run) return null;
  return run.steps[`${sectionId}/${stepId}`] ?? run.steps[stepId] ?? null;
}
