import type { Alert } from '../alerts/alert';
import { normalizeAlert } from '../alerts/normalize-alert';
import { ps51Alert } from '../../../test/fixtures/scom-alerts';
import { applyAlert, type ApplyContext } from './apply-alert';
import type { Incident } from './incident';

const NOW = '2026-11-26T10:00:00.000Z';

function alert(overrides: Record<string, unknown> = {}): Alert {
  const r = normalizeAlert(ps51Alert(overrides), { timeZone: 'UTC' });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.alert;
}

const ctx = (over: Partial<ApplyContext> = {}): ApplyContext => ({
  open: null,
  record: null,
  now: NOW,
  newIncidentId: () => 'INC-1',
  ...over,
});

function created(a: Alert): Incident {
  const d = applyAlert(a, ctx());
  if (d.outcome !== 'created') throw new Error(d.outcome);
  return d.incident;
}

test('a first alert opens an incident keyed by health set and server', () => {
  const inc = created(alert());
  expect(inc).toMatchObject({
    id: 'INC-1',
    version: 1,
    key: 'pop.protocol|ex01',
    status: 'open',
    monitors: ['PopDeepTestMonitor'],
    occurrences: 1,
    actionable: true,
  });
});

test('the exact same payload again is a duplicate and changes nothing', () => {
  const a = alert();
  const inc = created(a);
  const d = applyAlert(
    a,
    ctx({ open: inc, record: { alertId: a.id, incidentId: inc.id, fingerprint: a.fingerprint } }),
  );
  expect(d).toEqual({ outcome: 'duplicate', incidentId: 'INC-1', recordAlert: false });
});

test('a repeat (higher RepeatCount) updates count and version', () => {
  const a = alert();
  const inc = created(a);
  const repeat = alert({ RepeatCount: 3, LastModified: '/Date(1715685753000)/' });
  const d = applyAlert(
    repeat,
    ctx({ open: inc, record: { alertId: a.id, incidentId: inc.id, fingerprint: a.fingerprint } }),
  );
  expect(d.outcome).toBe('updated');
  if (d.outcome !== 'updated') return;
  expect(d.incident).toMatchObject({ version: 2, occurrences: 4 });
  expect(d.incident.alerts).toHaveLength(1);
});

/** Delivers `next` after `inc`, recorded with the fingerprint of `last`. */
function deliver(inc: Incident, last: Alert, next: Alert): Incident {
  const d = applyAlert(
    next,
    ctx({
      open: inc,
      record: { alertId: last.id, incidentId: inc.id, fingerprint: last.fingerprint },
    }),
  );
  if (d.outcome !== 'updated') throw new Error(d.outcome);
  return d.incident;
}

test('a repeat without a higher RepeatCount (newer LastModified) counts as an occurrence', () => {
  const a = alert();
  const b = alert({ LastModified: '/Date(1715685753000)/' });
  const c = alert({ LastModified: '/Date(1715685853000)/' });
  const twice = deliver(created(a), a, b);
  expect(twice.occurrences).toBe(2);
  expect(deliver(twice, b, c).occurrences).toBe(3);
});

test("SCOM's RepeatCount and our count of repeats are not added up", () => {
  const a = alert();
  const r1 = alert({ RepeatCount: 1, LastModified: '/Date(1715685753000)/' });
  const r2 = alert({ RepeatCount: 2, LastModified: '/Date(1715685853000)/' });
  expect(deliver(deliver(created(a), a, r1), r1, r2).occurrences).toBe(3);
});

test('an edit, a late delivery or a resolution is no repeat', () => {
  const a = alert({ LastModified: '/Date(1715685753000)/' });
  const inc = created(a);
  // The same LastModified, another ticket: the alert was edited, the monitor did not fail again.
  const edited = alert({ LastModified: '/Date(1715685753000)/', TicketId: 'T-1' });
  expect(deliver(inc, a, edited)).toMatchObject({ occurrences: 1, version: 2 });
  const late = alert({ LastModified: '/Date(1715680000000)/', TicketId: 'T-2' });
  expect(deliver(inc, a, late).occurrences).toBe(1);
  const b = alert({ Id: 'bbbbbbbb-0000-0000-0000-000000000001' });
  const two = deliver(inc, a, b);
  const resolving = alert({ ResolutionState: 255, LastModified: '/Date(1715689000000)/' });
  expect(deliver(two, a, resolving).occurrences).toBe(2);
});

test('another alert for the same key joins the incident and adds its monitor', () => {
  const inc = created(alert());
  const other = alert({
    Id: 'bbbbbbbb-0000-0000-0000-000000000001',
    Description:
      'POP.Protocol health set unhealthy (PopSelfTestMonitor/MSExchangePOP3BE) - self test failed',
    Severity: 1,
    Priority: 2,
  });
  const d = applyAlert(other, ctx({ open: inc }));
  if (d.outcome !== 'updated') throw new Error(d.outcome);
  expect(d.incident.monitors).toEqual(['PopDeepTestMonitor', 'PopSelfTestMonitor']);
  expect(d.incident.severity).toBe('error'); // the worst seen stays
  expect(d.incident.priority).toBe('high');
  expect(d.incident.occurrences).toBe(2);
});

test('resolution closes the incident only when all its alerts are closed', () => {
  const a = alert();
  const b = alert({ Id: 'bbbbbbbb-0000-0000-0000-000000000001' });
  let inc = created(a);
  const joined = applyAlert(b, ctx({ open: inc }));
  if (joined.outcome !== 'updated') throw new Error();
  inc = joined.incident;
  const first = applyAlert(alert({ ResolutionState: 254 }), ctx({ open: inc }));
  expect(first.outcome).toBe('updated');
  if (first.outcome !== 'updated') return;
  const second = applyAlert(
    alert({
      Id: 'bbbbbbbb-0000-0000-0000-000000000001',
      ResolutionState: 255,
      TimeResolved: '/Date(1715689000000)/',
    }),
    ctx({ open: first.incident }),
  );
  expect(second.outcome).toBe('resolved');
  if (second.outcome !== 'resolved') return;
  expect(second.incident.status).toBe('resolved');
  expect(second.incident.resolvedAt).toBe('2024-05-14T12:16:40.000Z');
});

test('a resolution for nothing open is recorded as a duplicate', () => {
  const d = applyAlert(alert({ ResolutionState: 255 }), ctx());
  expect(d).toEqual({ outcome: 'duplicate', incidentId: null, recordAlert: true });
});

test('an alert with an invalid server opens a non-actionable incident', () => {
  const inc = created(alert({ PrincipalName: 'EX01;Restart-Computer' }));
  expect(inc.actionable).toBe(false);
  expect(inc.key).toBe('pop.protocol|invalid:ex01;restart-computer');
});
