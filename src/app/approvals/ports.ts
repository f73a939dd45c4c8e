import type { ApprovalRequest } from '../../domain/approvals/approval-request';
import type { Actor } from '../../domain/identity/actor';
import type { Policy } from '../../domain/approvals/policy';

/** Approval requests in Redis (src/infra/redis/redis-approval-store.ts); a port so the flow stays pure. */
export interface ApprovalStore {
  reserveId(): Promise<string>;
  /**
   * Stores a new request. `dedupeKey` names "the same step for the same incident": while one such
   * request is pending, the existing one is returned instead (a double click, a retried delivery).
   */
  create(
    request: ApprovalRequest,
    options: { dedupeKey: string | null; enqueue: boolean; audit?: string },
  ): Promise<{ created: true } | { created: false; existingId: string }>;
  get(id: string): Promise<ApprovalRequest | null>;
  /**
   * Writes `next` only if the stored version is still `expectedVersion` (compare-and-set). With
   * `enqueue`, the request also enters the outbox of approved jobs, and `audit` (a serialized
   * audit record) the audit outbox, in the same atomic write: a committed change cannot lose its
   * job or its audit entry.
   */
  commit(
    next: ApprovalRequest,
    expectedVersion: number,
    options: { enqueue: boolean; audit?: string },
  ): Promise<boolean>;
  listForIncident(incidentId: string, limit?: number): Promise<ApprovalRequest[]>;
  /** Ids of pending requests whose expiry is at or before `nowMs`. */
  dueForExpiry(nowMs: number, limit?: number): Promise<string[]>;
  /** Approved requests committed but not yet handed to the job sink, older than the given age. */
  pendingEnqueues(olderThanMs: number, nowMs: number, limit?: number): Promise<string[]>;
  markEnqueued(id: string): Promise<void>;
  /** Audit records committed with a change but not yet appended to the trail. */
  pendingAudits(olderThanMs: number, nowMs: number, limit?: number): Promise<string[]>;
  markAudited(record: string): Promise<void>;
}

/**
 * Where an approved request goes to run: the lead wires the signed BullMQ job (issue 4) here.
 * Must be idempotent by `approval.id` (use it as the job id): the outbox relay may hand the same
 * approval on again after a crash, and that must never make a second job.
 */
export interface ApprovedJobSink {
  enqueue(approval: ApprovalRequest): Promise<void>;
}

/** Resolves the platform groups an actor belongs to (Slack user groups through the Web API). */
export interface GroupResolver {
  groupsOf(actor: Actor): Promise<readonly string[]>;
}

/**
 * The directory identity behind an account (Slack: the verified email; Teams: the UPN; the
 * console: its login), lower-cased, or null when it cannot be told. The two-person rule compares
 * these, so one person's Slack and Teams accounts count as one person without a `people:` entry.
 */
export interface IdentityResolver {
  identityOf(actor: Actor): Promise<string | null>;
}

/**
 * The identity an account carries itself: its `upn` (Teams gets it from the member record, the
 * console sets its login there). Slack accounts need a look-up (adapters/slack/identities.ts).
 */
export const ACCOUNT_IDENTITY: IdentityResolver = {
  identityOf: async (actor) => normalizeIdentity(actor.upn),
};

export function normalizeIdentity(value: string | null | undefined): string | null {
  const v = value?.trim().toLowerCase();
  return v ? v : null;
}

/** Gives the policy in force right now (hot-reloaded; see policy-provider.ts). */
export interface PolicySource {
  current(): Policy;
}

export const NO_GROUPS: GroupResolver = { groupsOf: async () => [] };
