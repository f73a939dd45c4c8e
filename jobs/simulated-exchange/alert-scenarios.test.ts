import { normalizeAlert } from '../../src/domain/alerts/normalize-alert';
import { loadCatalog } from '../../src/infra/files/load-catalog';
import { matchRunbook } from '../../src/domain/runbooks/match-runbook';
import {
  ALERT_SCENARIOS,
  alertIdFor,
  buildScenarioAlert,
  demoScenarioOf,
  UnknownScenarioError,
} from './alert-scenarios';
import { createDemoOrg } from './org-state';
import { applyScenario } from './scenarios';

const catalog = loadCatalog();
const now = new Date('2026-11-27T04:00:00Z');

test('one scenario per POP monitor section, one per DAG safety check, plus a resolution', () => {
  expect(ALERT_SCENARIOS.map((s) => s.name)).toEqual([
    'pop-backend-hung',
    'pop-needs-reboot',
    'pop-transient',
    'pop-ctp-failure',
    'pop-command-time',
    'dag-no-healthy-copy',
    'dag-member-restarting',
    'ma-recovery-in-progress',
    'server-in-maintenance',
    'fail-back-to-preferred',
    'pop-resolved',
  ]);
  const sections = new Set(ALERT_SCENARIOS.map((s) => s.section));
  expect([...sections].sort()).toEqual(['pop-60s', 'pop-ctp', 'pop-deep']);
});

describe.each(ALERT_SCENARIOS.map((s) => [s.name, s] as const))('%s', (name, scenario) => {
  const payload = buildScenarioAlert(name, { now });
  const normalized = normalizeAlert(payload, { timeZone: 'UTC' });

  it('is a valid SCOM alert that names its health set, monitor and server', () => {
    if (!normalized.ok) throw new Error(JSON.stringify(normalized.errors));
    const raised = scenario.resolves
      ? ALERT_SCENARIOS.find((s) => s.name === scenario.resolves)!
      : scenario;
    expect(normalized.alert).toMatchObject({
      healthSet: raised.healthSet,
      monitor: raised.monitor,
      targetResource: raised.targetResource,
      state: scenario.resolves ? 'closed' : 'new',
      actionable: true,
    });
    expect(normalized.alert.server?.name).toBe(`${scenario.server}.contoso.com`);
  });

  it('opens the runbook section it is meant for', () => {
    if (!normalized.ok) throw new Error('invalid');
    const match = matchRunbook(catalog, normalized.alert);
    expect(match.matchedBy).toBe('monitor');
    expect(match.section.id).toBe(scenario.section);
  });

  it('sets a simulator fault on the same server and monitor', () => {
    if (scenario.simulatorScenario === null) {
      expect(scenario.resolves).toBeDefined();
      return;
    }
    const state = createDemoOrg();
    applyScenario(state, scenario.simulatorScenario, { server: scenario.server, now });
    expect(state.faults).toEqual([
      expect.objectContaining({
        server: scenario.server,
        healthSet: scenario.healthSet,
        monitor: scenario.monitor,
      }),
    ]);
  });

  it('names itself in the payload, for a demo that receives it', () => {
    expect(demoScenarioOf(payload)).toEqual({ scenario, server: scenario.server });
  });
});

test('the resolution closes the very alert its scenario raised; ids are stable per server', () => {
  const raised = buildScenarioAlert('pop-backend-hung', { now });
  const closed = buildScenarioAlert('pop-resolved', { now });
  expect(closed.Id).toBe(raised.Id);
  expect(closed.ResolutionState).toBe(255);
  expect(buildScenarioAlert('pop-backend-hung', { resolve: true, now }).Id).toBe(raised.Id);
  expect(raised.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);

  const other = buildScenarioAlert('pop-backend-hung', { server: 'ex03.fabrikam.com', now });
  expect(other.Id).toBe(alertIdFor('pop-backend-hung', 'ex03.fabrikam.com'));
  expect(other.Id).not.toBe(raised.Id);
  expect(other.PrincipalName).toBe('ex03.fabrikam.com');
  expect(other.NetbiosComputerName).toBe('EX03');
});

test('an unknown scenario is refused with the known names', () => {
  expect(() => buildScenarioAlert('pop-on-fire')).toThrow(UnknownScenarioError);
  expect(() => buildScenarioAlert('pop-on-fire')).toThrow(/known: pop-backend-hung, /);
  expect(demoScenarioOf({ CustomField2: 'demo-scenario:pop-on-fire' })).toBeNull();
  expect(demoScenarioOf('text')).toBeNull();
});
