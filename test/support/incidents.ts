import { normalizeAlert } from '../../src/domain/alerts/normalize-alert';
import { applyAlert } from '../../src/domain/incidents/apply-alert';
import type { Incident } from '../../src/domain/incidents/incident';
import { ps51Alert } from '../fixtures/scom-alerts';

/** An incident as the intake would open it for one SCOM alert (PopDeepTestMonitor on EX01 by default). */
export function sampleIncident(overrides: Record<string, unknown> = {}, id = 'INC-7'): Incident {
  const r = normalizeAlert(ps51Alert(overrides), { timeZone: 'UTC' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const d = applyAlert(r.alert, {
    open: null,
    record: null,
    now: '2026-11-27T03:00:00.000Z',
    newIncidentId: () => id,
  });
  if (d.outcome !== 'created') throw new Error(d.outcome);
  return d.incident;
}
