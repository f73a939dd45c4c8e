import type { Alert } from '../alerts/alert';
import type { Incident, IncidentAlert, IncidentChange, IntakeOutcome } from './incident';
import { incidentKey } from './incident-key';

/** What the store knows about one alert id. */
export interface AlertRecord {
  alertId: string;
  incidentId: string | null;
  fingerprint: string;
}

export interface ApplyContext {
  /** The open incident for the alert's key, if any. */
  open: Incident | null;
  /** The last recorded delivery of this alert id, if any. */
  record: AlertRecord | null;
  now: string;
  /** Called only when a new incident is opened. */
  newIncidentId: () => string;
}

export type Decision =
  | { outcome: 'duplicate'; incidentId: string | null; recordAlert: boolean }
  | {
      outcome: Exclude<IntakeOutcome, 'duplicate'>;
      change: IncidentChange;
      incident: Incident;
    };

/**
 * The heart of intake, with no I/O: given what is stored, what one alert does. The store commits
 * the decision atomically, or reports a conflict and the caller decides again on fresh data.
 */
export function applyAlert(alert: Alert, ctx: ApplyContext): Decision {
  const { open, record } = ctx;
  if (record && record.fingerprint === alert.fingerprint) {
    return { outcome: 'duplicate', incidentId: record.incidentId, recordAlert: false };
  }

  const closing = alert.state === 'resolved' || alert.state === 'closed';
  if (closing) {
    const known = open?.alerts.find((a) => a.id === alert.id);
    if (!open || !known) {
      // A resolution for nothing open here changes nothing, but is remembered so the same
      // payload again is recognised.
      return { outcome: 'duplicate', incidentId: record?.incidentId ?? null, recordAlert: true };
    }
    const incident = touch(open, alert, ctx.now);
    const stillOpen = incident.alerts.some((a) => a.state !== 'resolved' && a.state !== 'closed');
    if (stillOpen) return { outcome: 'updated', change: 'updated', incident };
    return {
      outcome: 'resolved',
      change: 'resolved',
      incident: { ...incident, status: 'resolved', resolvedAt: alert.resolvedAt ?? ctx.now },
    };
  }

  if (open) return { outcome: 'updated', change: 'updated', incident: touch(open, alert, ctx.now) };

  const incident: Incident = {
    id: ctx.newIncidentId(),
    version: 0,
    key: incidentKey(alert),
    status: 'open',
    healthSet: alert.healthSet,
    server: alert.server,
    relatedServer: alert.relatedServer,
    monitors: [],
    targetResources: [],
    severity: alert.severity,
    priority: alert.priority,
    title: alert.name,
    failureText: alert.failureText,
    description: alert.description,
    actionable: alert.actionable,
    firstSeen: alert.raisedAt ?? ctx.now,
    lastSeen: ctx.now,
    resolvedAt: null,
    occurrences: 0,
    alerts: [],
  };
  return { outcome: 'created', change: 'created', incident: touch(incident, alert, ctx.now) };
}

const SEVERITY_RANK = { information: 0, warning: 1, error: 2 } as const;
const PRIORITY_RANK = { low: 0, normal: 1, high: 2 } as const;

/** Folds one alert into an incident: a new version with the alert's latest facts. */
function touch(incident: Incident, alert: Alert, now: string): Incident {
  const previous = incident.alerts.find((a) => a.id === alert.id);
  const repeats = (previous?.repeats ?? 0) + (previous && isRepeat(alert, previous) ? 1 : 0);
  const entry: IncidentAlert = {
    id: alert.id,
    monitor: alert.monitor,
    state: alert.state,
    // A count never goes down: a resolution may be sent without the repeat count.
    repeatCount: Math.max(alert.repeatCount, previous?.repeatCount ?? 0),
    ...(repeats > 0 ? { repeats } : {}),
    fingerprint: alert.fingerprint,
    firstSeen: previous?.firstSeen ?? alert.raisedAt ?? now,
    lastSeen: alert.modifiedAt ?? now,
  };
  const alerts = [...incident.alerts.filter((a) => a.id !== alert.id), entry];
  const monitors =
    alert.monitor &&
    !incident.monitors.some((m) => m.toLowerCase() === alert.monitor?.toLowerCase())
      ? [...incident.monitors, alert.monitor]
      : incident.monitors;
  const targets =
    alert.targetResource && !incident.targetResources.includes(alert.targetResource)
      ? [...incident.targetResources, alert.targetResource]
      : incident.targetResources;
  return {
    ...incident,
    version: incident.version + 1,
    relatedServer: alert.relatedServer ?? incident.relatedServer,
    monitors,
    targetResources: targets,
    severity:
      SEVERITY_RANK[alert.severity] > SEVERITY_RANK[incident.severity]
        ? alert.severity
        : incident.severity,
    priority:
      PRIORITY_RANK[alert.priority] > PRIORITY_RANK[incident.priority]
        ? alert.priority
        : incident.priority,
    title: alert.name || incident.title,
    failureText: alert.failureText ?? incident.failureText,
    description: alert.description || incident.description,
    lastSeen: now > incident.lastSeen ? now : incident.lastSeen,
    occurrences: alerts.reduce((sum, a) => sum + occurrencesOf(a), 0),
    alerts,
  };
}

/**
 * Whether a delivery of an alert already on the incident (with another fingerprint: an exact
 * resend is a duplicate before this) is the monitor failing again: a higher RepeatCount, or a
 * newer LastModified while the alert is still open (a sender that does not raise RepeatCount,
 * like `send-alert`, still shows each repeat). A resolution, or an older or equal LastModified (a
 * late or re-ordered delivery, an edit of the same state), is not.
 */
function isRepeat(alert: Alert, previous: IncidentAlert): boolean {
  if (alert.state === 'resolved' || alert.state === 'closed') return false;
  if (alert.repeatCount > previous.repeatCount) return true;
  if (!alert.modifiedAt) return false;
  return Date.parse(alert.modifiedAt) > Date.parse(previous.lastSeen);
}

/** One alert's occurrences: once, plus SCOM's count or ours, whichever saw more repeats. */
function occurrencesOf(alert: IncidentAlert): number {
  return 1 + Math.max(alert.repeatCount, alert.repeats ?? 0);
}
