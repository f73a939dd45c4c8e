/** The one shape every SCOM alert is turned into, whichever way SCOM sent it. */

export type Severity = 'information' | 'warning' | 'error';
export type Priority = 'low' | 'normal' | 'high';
/** SCOM's ResolutionState, reduced to what the bot acts on; `resolutionState` keeps the number. */
export type AlertState = 'new' | 'acknowledged' | 'resolved' | 'closed' | 'other';

export interface ServerRef {
  /** As the alert gave it (trimmed). */
  name: string;
  /** Lower-case fully qualified name, when the alert gave one. */
  fqdn: string | null;
  /** The first label, upper-case, as Exchange admins write server names. */
  short: string;
  /** False when the name is not valid host-name syntax: such a server is shown, never targeted. */
  valid: boolean;
  reason?: string;
}

export interface Alert {
  /** SCOM AlertId: lower-case, braces removed. */
  id: string;
  name: string;
  description: string;
  healthSet: string | null;
  monitor: string | null;
  targetResource: string | null;
  /** The text after the escalation subject's " - ", when there is one. */
  failureText: string | null;
  server: ServerRef | null;
  /** The mailbox server a CTP probe error names (`_Mbx: <server>`). */
  relatedServer: ServerRef | null;
  severity: Severity;
  priority: Priority;
  state: AlertState;
  /** SCOM's numeric resolution state when known (0 New, 249 Acknowledged, 254 Resolved, 255 Closed). */
  resolutionState: number | null;
  raisedAt: string | null;
  modifiedAt: string | null;
  resolvedAt: string | null;
  repeatCount: number;
  monitoringObjectPath: string | null;
  monitoringObjectDisplayName: string | null;
  /** False when no valid server is known: no action may ever target this alert. */
  actionable: boolean;
  /** SHA-256 of the alert as received (keys in a stable order): equal payloads, equal fingerprints. */
  fingerprint: string;
  /** The alert as received, unknown fields included. */
  raw: Record<string, unknown>;
}

export interface FieldError {
  /** The field as the sender named it (or `(alert)` for the whole object). */
  field: string;
  reason: string;
}

export type NormalizeResult =
  { ok: true; alert: Alert } | { ok: false; alertId: string | null; errors: FieldError[] };
