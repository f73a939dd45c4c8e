import type { AlertState, Priority, ServerRef, Severity } from '../alerts/alert';

/** What recording one alert did. */
export type IntakeOutcome = 'created' | 'updated' | 'duplicate' | 'resolved';

export type IncidentStatus = 'open' | 'resolved';

/** One SCOM alert as the incident remembers it. */
export interface IncidentAlert {
  id: string;
  monitor: string | null;
  state: AlertState;
  repeatCount: number;
  /**
   * Repeated deliveries of this alert id we received (a higher RepeatCount or a newer
   * LastModified), beside the first. Absent in incidents stored before it was counted.
   */
  repeats?: number;
  fingerprint: string;
  firstSeen: string;
  lastSeen: string;
}

/**
 * One problem on one server: every alert for the same health set and server while it is open.
 * `version` grows by one with every change; chat cards and jobs refer to a version.
 */
export interface Incident {
  id: string;
  version: number;
  /** `<health set>|<server>` in lower case: the grouping key. */
  key: string;
  status: IncidentStatus;
  healthSet: string | null;
  server: ServerRef | null;
  relatedServer: ServerRef | null;
  /** Monitors seen, in the order they first appeared. */
  monitors: string[];
  targetResources: string[];
  severity: Severity;
  priority: Priority;
  /** The latest alert's Name and failure text. */
  title: string;
  failureText: string | null;
  description: string;
  /** False when no valid server is known: no action may ever target this incident. */
  actionable: boolean;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  /**
   * Occurrences across its alerts: each alert counts once plus its repeats, which are SCOM's
   * RepeatCount or the repeated deliveries we received, whichever is more (one repeat raises both,
   * so they are not added).
   */
  occurrences: number;
  alerts: IncidentAlert[];
}

export type IncidentChange = 'created' | 'updated' | 'resolved';

/**
 * Handed to the chat side for every change it must redraw, through a durable queue: an incident
 * change, a change of the incident's remediation run (`run`: a step started, a result, a verdict,
 * a wait) or of one of its approval requests (`approval`). The chat side redraws the card from
 * current state; the fields say what changed so it can also reply in the thread.
 */
export interface IncidentEvent {
  incidentId: string;
  /** The incident's version; for `run` the run's version, for `approval` the request's. */
  version: number;
  change: IncidentChange | 'run' | 'approval';
  at: string;
  runId?: string;
  runVersion?: number;
  /** The run step whose result this change recorded (`run` only). */
  stepKey?: string;
  requestId?: string;
}
