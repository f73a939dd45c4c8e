import type { Risk } from '../actions/registry';
import type { Actor } from '../identity/actor';

/**
 * One request to run one step, persisted in Redis. `pending` → approved | rejected | expired |
 * cancelled; once approved the worker side moves it on: running → succeeded | failed | unknown.
 */
export const APPROVAL_STATES = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'cancelled',
  'running',
  'succeeded',
  'failed',
  'unknown',
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** States the worker side reports. */
export type ExecutionState = 'running' | 'succeeded' | 'failed' | 'unknown';

/** Nothing more can happen to a request in these states. */
export const FINAL_STATES: readonly ApprovalState[] = [
  'rejected',
  'expired',
  'cancelled',
  'succeeded',
  'failed',
  'unknown',
];

/** Who or what moved a request: a person, the bot itself (expiry) or the worker. */
export type ChangeActor = Actor;

export interface StateChange {
  state: ApprovalState;
  at: string;
  by: ChangeActor;
  note?: string;
}

export interface ApprovalRequest {
  id: string;
  /** Grows by one with every change; the compare-and-set commit compares it. */
  version: number;
  state: ApprovalState;
  incidentId: string | null;
  actionId: string;
  title: string;
  risk: Risk;
  /** Validated parameters, as `buildCommand` returned them. */
  params: Record<string, unknown>;
  /** The exact PowerShell that will run, shown to approvers. */
  command: string;
  server: string | null;
  site: string | null;
  requester: Actor;
  requestedAt: string;
  expiresAt: string;
  /** Why the requester asked (optional free text). */
  note: string | null;
  /** True when the policy needed no approval for this risk. */
  autoApproved: boolean;
  approvedBy: Actor | null;
  approvedAt: string | null;
  breakGlass: { reason: string } | null;
  rejectedBy: Actor | null;
  rejectReason: string | null;
  /** Set by the worker side (job id, last summary). */
  execution: { jobId: string | null; summary: string | null; at: string } | null;
  history: StateChange[];
  /** The remediation run and step this request is for, so the job's result lands on that step. */
  runId?: string | null;
  stepId?: string | null;
}
