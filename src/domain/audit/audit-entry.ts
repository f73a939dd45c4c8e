import type { Actor } from '../identity/actor';
/**
 * One line of the audit trail: who did what to which incident, with what, and how it ended.
 * Entries are chained by hash (hash-chain.ts); the store appends them atomically.
 */
export const AUDIT_ACTIONS = [
  'alert.received',
  'incident.created',
  'incident.updated',
  'incident.resolved',
  'card.posted',
  'card.updated',
  'check.run',
  'approval.requested',
  'approval.approved',
  'approval.rejected',
  'approval.expired',
  'approval.cancelled',
  'job.started',
  'job.finished',
  'job.failed',
  'job.outcome-unknown',
  'job.refused',
  'step.held',
  'step.admitted',
  'outage.holds-released',
  'policy.reloaded',
  'policy.reload-failed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who did it: a person on a chat platform, or `system` (the bot itself), `worker`, `scom`. */
export type AuditActor = Omit<Actor, 'upn'>;

/** What a caller records; the store adds the position and the hashes. */
export interface AuditEvent {
  at: string;
  actor: AuditActor;
  action: AuditAction;
  incidentId: string | null;
  /** The server the action was about, so `audit EX01` can find it. */
  server: string | null;
  params: Record<string, unknown>;
  /** One line saying how it ended. */
  result: string;
}

/** As stored: the event, its 1-based position, the previous entry's hash and its own. */
export interface AuditEntry extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

/** An entry as read back, with the stream id that locates it in Redis. */
export interface StoredAuditEntry {
  id: string;
  /** Null when the stored fields could not be read as an entry at all. */
  entry: AuditEntry | null;
  raw: Record<string, string>;
}
