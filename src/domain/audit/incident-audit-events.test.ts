import { normalizeAlert } from '../alerts/normalize-alert';
import { applyAlert } from '../incidents/apply-alert';
import { ps51Alert } from '../../../test/fixtures/scom-alerts';
import {
  alertAuditKey,
  alertReceivedEvent,
  incidentAuditKey,
  incidentChangedEvent,
} from './incident-audit-events';

test('alert and incident events carry who, what, where and how it ended', () => {
  const parsed = normalizeAlert(ps51Alert(), { timeZone: 'UTC' });
  if (!parsed.ok) throw new Error('fixture');
  const at = '2026-11-27T03:00:00.000Z';
  const decision = applyAlert(parsed.alert, {
    open: null,
    record: null,
    now: at,
    newIncidentId: () => 'INC-1',
  });
  if (decision.outcome !== 'created') throw new Error(decision.outcome);
  const received = alertReceivedEvent(
    parsed.alert,
    { incidentId: 'INC-1', outcome: 'created' },
    at,
  );
  expect(received).toMatchObject({
    action: 'alert.received',
    actor: { platform: 'scom' },
    incidentId: 'INC-1',
    server: 'EX01.contoso.com',
    params: { alertId: parsed.alert.id, healthSet: 'POP.Protocol' },
    result: 'created',
  });
  const changed = incidentChangedEvent(decision.incident, decision.change, at);
  expect(changed).toMatchObject({
    action: 'incident.created',
    incidentId: 'INC-1',
    params: { version: 1, status: 'open', actionable: true },
  });
  expect(incidentAuditKey(decision.incident)).toBe('incident:INC-1:v1');
  expect(alertAuditKey(parsed.alert)).toBe(`alert:${parsed.alert.id}:${parsed.alert.fingerprint}`);
});
