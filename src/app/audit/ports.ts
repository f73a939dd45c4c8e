import type { AuditEntry, AuditEvent, StoredAuditEntry } from '../../domain/audit/audit-entry';

/** Records what happened; the core calls it without knowing where it goes (Redis Stream). */
export interface AuditLog {
  /**
   * Appends one entry. With an idempotency key, a second append with the same key (a relay after
   * a crash) writes nothing and returns null.
   */
  append(event: AuditEvent, options?: { idempotencyKey?: string }): Promise<AuditEntry | null>;
}

export interface AuditQuery {
  incidentId?: string;
  server?: string;
  /** ISO time: only entries at or after it. */
  since?: string;
}

/** Reading the trail back: for export, verification and the chat view. */
export interface AuditReader {
  /** Every stored entry in order, in pages. */
  scan(pageSize?: number): AsyncIterable<StoredAuditEntry>;
  head(): Promise<{ seq: number; hash: string } | null>;
  /** The newest entries matching the query, newest first. */
  latest(query: AuditQuery, limit: number): Promise<AuditEntry[]>;
}
