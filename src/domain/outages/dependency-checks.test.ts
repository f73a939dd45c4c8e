import { loadCatalog } from '../../infra/files/load-catalog';
import type { Catalog } from '../runbooks/catalog';
import { planDependencyChecks } from './dependency-checks';
import { OUTAGE_T0, outageMember, outageOf } from '../../../test/support/outages';

const catalog: Catalog = loadCatalog();
const member = (i: number, dependencies: string[], status: 'open' | 'resolved' = 'open') =>
  outageMember(i, {
    server: `EX0${i}`,
    healthSet: 'POP.Protocol',
    monitor: 'PopDeepTestMonitor',
    dependencies,
    status,
    resolvedAt: status === 'resolved' ? OUTAGE_T0 : null,
  });
const outage = outageOf;
// The POP deep test's dependencies, as the seed's table gives them.
const deep = ['active-directory', 'authentication', 'information-store', 'high-availability'];

test('reads each checked cause’s health sets once, on an open member’s server', () => {
  const plan = planDependencyChecks(
    outage([member(1, deep, 'resolved'), member(2, deep), member(3, deep)]),
    catalog,
  );
  expect(plan).toEqual({
    server: 'EX02',
    causes: [
      { dependencyId: 'active-directory', healthSets: ['AD'] },
      { dependencyId: 'authentication', healthSets: [] },
      { dependencyId: 'information-store', healthSets: ['Store'] },
    ],
    reads: ['AD', 'Store'],
    // Authentication, a likely cause, is read by nothing: the reads cannot release the holds.
    autoRelease: false,
    unread: ['authentication'],
  });
});

test('the reads release the holds by themselves only when every checked cause was read', () => {
  const covered = {
    dependencies: catalog.dependencies.map((d) =>
      d.id === 'authentication' ? { ...d, checkHealthSets: ['AD'] } : d,
    ),
  };
  const plan = planDependencyChecks(outage([member(1, deep), member(2, deep)]), covered);
  expect(plan?.reads).toEqual(['AD', 'Store']);
  expect(plan?.autoRelease).toBe(true);
  // The outage's own key must be read: keyed on a dependency nothing reads, nothing is released.
  const withMbxAuth = ['mailbox-server-authentication', ...deep];
  const keyed = outage([member(1, withMbxAuth), member(2, withMbxAuth)]);
  keyed.key = { kind: 'dependency', id: 'mailbox-server-authentication' };
  expect(planDependencyChecks(keyed, covered)?.autoRelease).toBe(false);
});

test('one read of the whole server when no checked cause names a health set', () => {
  const bare = { dependencies: catalog.dependencies.map((d) => ({ ...d, checkHealthSets: [] })) };
  const plan = planDependencyChecks(outage([member(1, deep), member(2, deep)]), bare);
  expect(plan?.causes.map((c) => c.healthSets)).toEqual([[null], [null], [null]]);
  expect(plan?.reads).toEqual([null]);
  // The whole server Healthy is enough evidence: every checked cause was read, by that read.
  expect(plan?.autoRelease).toBe(true);
});

test('nothing to check without members or shared causes', () => {
  expect(planDependencyChecks(outage([]), catalog)).toBeNull();
  expect(planDependencyChecks(outage([member(1, []), member(2, [])]), catalog)).toBeNull();
});
