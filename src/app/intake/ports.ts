import type { Alert } from '../../domain/alerts/alert';
import type { AlertRecord } from '../../domain/incidents/apply-alert';
import type { Incident, IncidentChange, IncidentEvent } from '../../domain/incidents/incident';

/** What intake reads before deciding: the key's open incident and the alert's last delivery. */
export interface IntakeSnapshot {
  /** The key's open-incident pointer as stored (the commit compares against it). */
  openId: string | null;
  open: Incident | null;
  record: AlertRecord | null;
  /** A new incident id, reserved in the same read when asked for (`ReserveIf`) and needed. */
  reservedId?: string;
}

/**
 * Reserve a new incident id in the snapshot's read if it finds nothing open for the key and no
 * recorded delivery with this fingerprint: then the alert (an open one) makes a new incident.
 */
export interface ReserveIf {
  fingerprint: string;
}

/** One atomic write: applied whole only if nothing it read has changed since. */
export interface IncidentCommit {
  key: string;
  expected: { openId: string | null; openVersion: number; recordFingerprint: string | null };
  /** The incident's new version, when the alert changed one. */
  incident?: { doc: Incident; change: IncidentChange; otherAlertIds: string[] };
  alert: Alert;
  incidentId: string | null;
  at: string;
}

/** Incidents in Redis (src/infra/redis/redis-incident-store.ts); a port so intake stays pure. */
export interface IncidentStore {
  snapshot(key: string, alertId: string, reserve?: ReserveIf): Promise<IntakeSnapshot>;
  reserveIncidentId(): Promise<string>;
  /** False when a concurrent delivery changed what the decision was based on. */
  commit(commit: IncidentCommit): Promise<boolean>;
  get(incidentId: string): Promise<Incident | null>;
  listOpen(limit?: number): Promise<Incident[]>;
  /** Events committed with an incident change but not yet handed to the queue. */
  pendingEvents(olderThanMs: number, limit?: number): Promise<IncidentEvent[]>;
  markEventPublished(event: IncidentEvent): Promise<void>;
  /** The same for many, in one write. */
  markEventsPublished(events: IncidentEvent[]): Promise<void>;
}

/** The durable path to the chat side (a BullMQ queue in jobs/). Publishing twice is harmless. */
export interface IncidentEventSink {
  publish(event: IncidentEvent): Promise<void>;
  /** Many at once, in one round trip where the queue allows (else one `publish` each). */
  publishMany?(events: IncidentEvent[]): Promise<void>;
}

export type Clock = () => Date;
