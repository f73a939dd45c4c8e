import {
  EMPTY_ADMISSION,
  decide,
  dropStale,
  healthReportIsHealthy,
  planAdmissions,
  pruneReleases,
  type AdmissionState,
  type WaitingSlot,
} from './admission';
import type { ActionSlot, HoldContext } from './holds';
import type { Outage } from './outage';

const now = new Date('2026-12-01T12:00:00Z');
const slot = (over: Partial<ActionSlot> = {}): ActionSlot => ({
  incidentId: 'INC-1',
  stepKey: 'RUN-INC-1:pop.1',
  title: 'Restart an Exchange service',
  server: 'EX01',
  site: 'site-a',
  dag: null,
  risk: 'change',
  ...over,
});
const waiting = (jobId: string, over: Partial<WaitingSlot> = {}): WaitingSlot => ({
  ...slot({ stepKey: jobId }),
  jobId,
  queuedAt: now.toISOString(),
  notBefore: null,
  hold: null,
  kinds: [],
  request: { jobId },
  ...over,
});
const calm = (): HoldContext => ({
  memberOf: null,
  cause: '',
  released: false,
  siteHasOutage: false,
});
const limits = { changesPerSite: 1, checksPerSite: 1 };

describe('admission plan', () => {
  it('admits waiting steps in order, each counting against the ones after it', () => {
    const state: AdmissionState = {
      ...EMPTY_ADMISSION,
      waiting: [waiting('a', { server: 'EX01' }), waiting('b', { server: 'EX02' })],
    };
    const plan = planAdmissions(state, calm, limits, now);
    expect(plan.admit.map((w) => w.jobId)).toEqual(['a']);
    expect(plan.state.running.map((r) => r.jobId)).toEqual(['a']);
    expect(plan.state.running[0]).toMatchObject({ handed: false, request: { jobId: 'a' } });
    // b is held now, and says by what (a hold it did not have before: a change to show).
    expect(plan.changed.map((w) => w.jobId)).toEqual(['b']);
    expect(plan.state.waiting[0]!.kinds).toEqual(['site-changes']);
    expect(plan.state.waiting[0]!.hold?.en).toContain('Restart an Exchange service on EX01');
    expect(plan.state.waiting[0]!.hold?.['zh-TW']).toBeTruthy();
  });

  it('does not consider a delayed step before it is due', () => {
    const later = new Date(now.getTime() + 10_000).toISOString();
    const state = { ...EMPTY_ADMISSION, waiting: [waiting('a', { notBefore: later })] };
    expect(planAdmissions(state, calm, limits, now).admit).toEqual([]);
    expect(
      planAdmissions(state, calm, limits, new Date(now.getTime() + 10_000)).admit,
    ).toHaveLength(1);
  });

  it('lets a check pass a held change (different limits), and reports no change for the same hold', () => {
    const running = planAdmissions(
      { ...EMPTY_ADMISSION, waiting: [waiting('a')] },
      calm,
      limits,
      now,
    ).state;
    const state = {
      ...running,
      waiting: [waiting('b'), waiting('c', { risk: 'read' })],
    };
    const first = planAdmissions(state, calm, limits, now);
    expect(first.admit.map((w) => w.jobId)).toEqual(['c']);
    const again = planAdmissions(
      { ...first.state, waiting: first.state.waiting },
      calm,
      limits,
      now,
    );
    expect(again.changed).toEqual([]);
  });

  it('lets a check of an incident in no outage go before the waiting checks of an outage’s members', () => {
    const outage = { id: 'o1', status: 'open' } as Outage;
    const ctx = (s: ActionSlot): HoldContext => ({
      memberOf: s.incidentId === 'INC-LATE' ? null : outage,
      cause: 'Active Directory',
      released: false,
      siteHasOutage: true,
    });
    const check = (jobId: string, incidentId: string) =>
      waiting(jobId, { risk: 'read', incidentId, server: `S-${jobId}` });
    const state = {
      ...EMPTY_ADMISSION,
      waiting: [check('m1', 'INC-1'), check('m2', 'INC-2'), check('late', 'INC-LATE')],
    };
    const plan = planAdmissions(state, ctx, limits, now);
    expect(plan.admit.map((w) => w.jobId)).toEqual(['late']);
    // The members keep their order behind it.
    expect(plan.state.waiting.map((w) => w.jobId)).toEqual(['m1', 'm2']);
  });

  it('holds an outage member’s change until the outage is released', () => {
    const outage = { id: 'o1', status: 'open' } as Outage;
    const ctx = (_s: ActionSlot, released: readonly { outageId: string }[]): HoldContext => ({
      memberOf: outage,
      cause: 'Active Directory',
      released: released.some((r) => r.outageId === 'o1'),
      siteHasOutage: true,
    });
    const state = { ...EMPTY_ADMISSION, waiting: [waiting('a')] };
    expect(planAdmissions(state, ctx, limits, now).state.waiting[0]!.kinds).toEqual([
      'outage-member',
    ]);
    const released = {
      ...state,
      released: [{ outageId: 'o1', at: now.toISOString(), by: 'slack:U1', reason: 'AD is back' }],
    };
    expect(planAdmissions(released, ctx, limits, now).admit).toHaveLength(1);
    // A release is forgotten with its outage.
    expect(pruneReleases(released, []).released).toEqual([]);
    expect(pruneReleases(released, ['o1'])).toBe(released);
  });

  it('lets go of a slot whose result never came', () => {
    const { state } = planAdmissions(
      { ...EMPTY_ADMISSION, waiting: [waiting('a')] },
      calm,
      limits,
      now,
    );
    expect(dropStale(state, new Date(now.getTime() + 59_000), 60_000)).toBe(state);
    expect(dropStale(state, new Date(now.getTime() + 60_000), 60_000).running).toEqual([]);
  });

  it('decides with the sentence in every language', () => {
    const d = decide(
      slot({ risk: 'read' }),
      [slot({ risk: 'read', stepKey: 'x' })],
      () => ({
        ...calm(),
        siteHasOutage: true,
      }),
      limits,
    );
    expect(d.holds.map((h) => h.kind)).toEqual(['site-checks']);
    expect(Object.keys(d.text ?? {})).toEqual(['en', 'zh-TW']);
    expect(decide(slot(), [], calm, limits)).toEqual({ holds: [], text: null });
  });
});

test('a dependency check is healthy only when it read health sets and none is Unhealthy', () => {
  const row = { name: 'AD', alertValue: 'Healthy' };
  expect(healthReportIsHealthy({ kind: 'health-report', healthSets: [row], unhealthy: [] })).toBe(
    true,
  );
  expect(
    healthReportIsHealthy({ kind: 'health-report', healthSets: [row], unhealthy: [row] }),
  ).toBe(false);
  expect(healthReportIsHealthy({ kind: 'health-report', healthSets: [], unhealthy: [] })).toBe(
    false,
  );
  expect(healthReportIsHealthy({ kind: 'server-health', monitors: [], unhealthy: [] })).toBe(false);
  expect(healthReportIsHealthy(undefined)).toBe(false);
});

test('only Healthy is healthy, and only for the health set that was asked for', () => {
  const report = (...rows: { healthSet: string; alertValue: string }[]) => ({
    kind: 'health-report',
    healthSets: rows,
    unhealthy: rows.filter((r) => r.alertValue === 'Unhealthy'),
  });
  // Degraded, Repairing, Disabled (an override), a number the parser did not know: not healthy.
  for (const alertValue of ['Degraded', 'Repairing', 'Disabled', 'UnInitialized', '#2'])
    expect(healthReportIsHealthy(report({ healthSet: 'AD', alertValue }), 'AD')).toBe(false);
  expect(healthReportIsHealthy(report({ healthSet: 'AD', alertValue: 'Healthy' }), 'AD')).toBe(
    true,
  );
  expect(healthReportIsHealthy(report({ healthSet: 'ad', alertValue: 'Healthy' }), 'AD')).toBe(
    true,
  );
  // Rows of another set do not stand for the one asked for.
  expect(healthReportIsHealthy(report({ healthSet: 'POP', alertValue: 'Healthy' }), 'AD')).toBe(
    false,
  );
  // The whole server (no set asked for): every set must be Healthy.
  expect(
    healthReportIsHealthy(
      report(
        { healthSet: 'POP', alertValue: 'Healthy' },
        { healthSet: 'AD', alertValue: 'Degraded' },
      ),
    ),
  ).toBe(false);
});
