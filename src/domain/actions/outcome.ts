/** How a job ended, as the worker reports it. */
export type ActionStatus = 'succeeded' | 'failed' | 'refused' | 'unknown';

/**
 * What the worker reports for every job it took, on the durable results queue. The one outcome
 * type: the run machine, the approval flow, metrics and chat all read (parts of) this.
 */
export interface ActionOutcome {
  jobId: string;
  actionId: string;
  params: Record<string, unknown>;
  incidentId: string | null;
  runId: string | null;
  stepId: string | null;
  site: string;
  workerId: string;
  status: ActionStatus;
  /** Why a job was refused or failed, or why its outcome is unknown. */
  reason?: string;
  command?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  parsed?: unknown;
  /** The shell's output, in full. */
  raw?: string;
  timedOut?: boolean;
}

/** The part of an outcome the run machine reads (where it ran does not change a run). */
export type OutcomeInput = Omit<ActionOutcome, 'incidentId' | 'runId' | 'site' | 'workerId'>;

/** An outcome as the remediation service applies it: the run it belongs to, the worker if known. */
export type RunOutcome = OutcomeInput &
  Pick<ActionOutcome, 'incidentId' | 'runId'> &
  Partial<Pick<ActionOutcome, 'workerId'>>;
