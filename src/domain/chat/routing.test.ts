import { PLATFORM_RULES } from '../../../adapters/registry';
import { sampleIncident } from '../../../test/support/incidents';
import { parseRoutes, routeIncident } from './routing';

const file = `
version: 1
routes:
  - match: { healthSet: [POP.Protocol], site: Site-B }
    channels: { slack: C-POP-B }
  - match: { server: ex01.contoso.com, severity: error }
    channels: { slack: C-EX01, teams: "19:ex01@thread.tacv2" }
defaults: { slack: C-DEFAULT }
`;

test('the first matching rule wins, then the file default, then the adapter default', () => {
  const r = parseRoutes(file, PLATFORM_RULES);
  if (!r.ok) throw new Error(r.error);
  const inc = { ...sampleIncident(), severity: 'warning' as const };
  expect(routeIncident(r.routes, inc, 'Site-B', 'slack', 'C-ENV')).toBe('C-POP-B');
  expect(
    routeIncident(r.routes, { ...inc, severity: 'error' as const }, 'Site-A', 'slack', null),
  ).toBe('C-EX01');
  expect(
    routeIncident(r.routes, { ...inc, severity: 'error' as const }, 'Site-A', 'teams', null),
  ).toBe('19:ex01@thread.tacv2');
  expect(routeIncident(r.routes, inc, 'Site-A', 'slack', 'C-ENV')).toBe('C-DEFAULT');
  expect(routeIncident(r.routes, inc, 'Site-A', 'teams', 'T-ENV')).toBe('T-ENV');
  expect(routeIncident(r.routes, inc, 'Site-A', 'console', null)).toBeNull();
});

test('invalid files are refused with the path of each problem', () => {
  const r = parseRoutes(
    'version: 1\nroutes:\n  - match: { colour: red }\n    channels: {}\n',
    PLATFORM_RULES,
    'routes.yaml',
  );
  expect(r.ok).toBe(false);
  expect(!r.ok && r.error).toMatch(/routes\.yaml: routes\.0\.match/);
  expect(parseRoutes('version: [', PLATFORM_RULES, 'x').ok).toBe(false);
});
