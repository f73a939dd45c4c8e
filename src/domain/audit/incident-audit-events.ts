import type { Alert } from '../alerts/alert';
import type { Incident, IncidentChange, IntakeOutcome } from '../incidents/incident';
import type { AuditActor, AuditEvent } from './audit-entry';

/**
 * Audit events for the intake side, pure, so whoever records alerts and incident changes (the
 * intake, the incident-event consumer) writes them in one shape: `audit.append(...)` with an
 * idempotency key of `alert:<id>:<fingerprint>` or `incident:<id>:v<version>`.
 */
const SCOM: AuditActor = { platform: 'scom', id: 'scom', displayName: 'SCOM' };

export function alertReceivedEvent(
  alert: Alert,
  result: { incidentId: string | null; outcome: IntakeOutcome },
  at: string,
): AuditEvent {
  return {
    at,
    actor: SCOM,
    action: 'alert.received',
    incidentId: result.incidentId,
    server: alert.server?.name ?? null,
    params: {
      alertId: alert.id,
      name: alert.name,
      healthSet: alert.healthSet,
      monitor: alert.monitor,
      state: alert.state,
      repeatCount: alert.repeatCount,
      fingerprint: alert.fingerprint,
    },
    result: result.outcome,
  };
}

export function incidentChangedEvent(
  incident: Incident,
  change: IncidentChange,
  at: string,
): AuditEvent {
  return {
    at,
    actor: SCOM,
    action: `incident.${change}`,
    incidentId: incident.id,
    server: incident.server?.name ?? null,
    params: {
      version: incident.version,
      healthSet: incident.healthSet,
      monitors: incident.monitors,
      status: incident.status,
      occurrences: incident.occurrences,
      actionable: incident.actionable,
    },
    result: `${incident.status}, version ${incident.version}: ${incident.title}`,
  };
}

export const alertAuditKey = (alert: Pick<Alert, 'id' | 'fingerprint'>): string =>
  `alert:${alert.id}:${alert.fingerprint}`;
export const incidentAuditKey = (incident: Pick<Incident, 'id' | 'version'>): string =>
  `incident:${incident.id}:v${incident.version}`;
