import type { AuditEntry, AuditEvent, StoredAuditEntry } from './audit-entry';

/** Records what happened; the core calls it without knowing where it goes (Redis Stream). */
export interface AuditLog {
  append(event: AuditEvent): Promise<AuditEntry>;
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
