import {
  encodeOutageActionRef,
  decodeOutageActionRef,
} from '../../../domain/outages/outage-action-ref';
import type { Outage, OutageMember } from '../../../domain/outages/outage';
import type { OutageActionRef } from '../../../domain/outages/outage-action-ref';
import { loadCatalog } from '../../../infra/files/load-catalog';
import { sampleIncident } from '../../../../test/support/incidents';
import type { ChatCoreDeps, Turn } from '../core-context';
import { runOutageOp } from './outage-ops';

const catalog = loadCatalog();
const member = (n: number): OutageMember => ({
  incidentId: `INC-${n}`,
  server: `EX0${n}`,
  site: 'site-a',
  healthSet: 'POP',
  monitor: 'PopCTPMonitor',
  dag: null,
  dependencies: ['active-directory', 'authentication'],
  firstSeen: '2026-03-02T10:00:00.000Z',
  lastSeen: '2026-03-02T10:00:00.000Z',
  joinedAt: '2026-03-02T10:00:00.000Z',
  status: 'open',
  resolvedAt: null,
  hadOwnCard: false,
});
const outage: Outage = {
  id: 'outage-site-a-active-directory-x1',
  site: 'site-a',
  key: { kind: 'dependency', id: 'active-directory' },
  status: 'open',
  openedAt: '2026-03-02T10:00:10.000Z',
  changedAt: '2026-03-02T10:00:10.000Z',
  resolvedAt: null,
  reopened: 0,
  members: [1, 2, 3, 4, 5].map(member),
};

function turn(runs: unknown[] = []): Turn {
  // Only the ports the outage buttons use; the rest of ChatCoreDeps is never reached here.
  const deps = {
    catalog,
    outages: { find: async (id: string) => (id === outage.id ? outage : null) },
    incidents: { get: async (id: string) => (id === 'INC-2' ? sampleIncident({}, 'INC-2') : null) },
    access: { mayRunRead: async () => ({ allowed: true }) },
    checks: {
      run: async (input: unknown) => {
        runs.push(input);
        return { ok: true, jobId: 'J1', site: 'site-a', command: 'Get-HealthReport -Server EX01' };
      },
    },
  } as unknown as ChatCoreDeps;
  return {
    deps,
    actor: { platform: 'console', id: 'alice' },
    channel: { platform: 'console', id: 'ops' },
    lang: 'en',
    answerLang: 'en',
    incidentCard: async (i) => ({
      version: 1,
      lang: 'en',
      title: i.id,
      tone: 'info',
      fallbackText: i.id,
      facts: [],
      notes: [],
      steps: [],
      actions: [],
      links: [],
    }),
  };
}
const ref = (op: OutageActionRef['op'], incident?: string) =>
  decodeOutageActionRef(
    encodeOutageActionRef({
      v: 1,
      scope: 'outage',
      op,
      outage: outage.id,
      ...(incident ? { incident } : {}),
    }),
  )!;

test('open-member shows the member incident card privately; a non-member is refused', async () => {
  const r = await runOutageOp(ref('open-member', 'INC-2'), turn());
  expect(r.private?.card?.title).toBe('INC-2');
  const refused = await runOutageOp(ref('open-member', 'INC-99'), turn());
  expect(refused.private?.text).toBe('That incident is no longer part of this outage.');
});

test('show-members lists every member publicly (in the card thread)', async () => {
  const r = await runOutageOp(ref('show-members'), turn());
  const lines = r.public?.text.split('\n') ?? [];
  expect(lines[0]).toBe('All 5 incidents of the outage in site-a:');
  expect(lines).toHaveLength(6);
});

test('run-dependency-checks reads the causes’ health sets on one affected server, counted as one batch', async () => {
  const runs: unknown[] = [];
  const r = await runOutageOp(ref('run-dependency-checks'), turn(runs));
  // Active Directory's health set; authentication has none, so it adds no read that cannot pass.
  expect(runs).toEqual([
    expect.objectContaining({
      actionId: 'get-health-report',
      params: { server: 'EX01', healthSet: 'AD' },
    }),
  ]);
  // Nothing reads authentication: these reads are evidence for a person, they release nothing.
  expect(runs[0]).not.toHaveProperty('dependencyCheck');
  expect(r.private?.text).toContain(
    'These checks release no held change: no Exchange health set watches Authentication. Check it, then use “Release held changes”.',
  );
  expect(r.private?.code).toEqual([{ body: 'Get-HealthReport -Server EX01' }]);
});

test('run-dependency-checks counts the reads as one batch when they cover every checked cause', async () => {
  const runs: unknown[] = [];
  const t0 = turn(runs);
  const covered = {
    ...catalog,
    dependencies: catalog.dependencies.map((d) =>
      d.id === 'authentication' ? { ...d, checkHealthSets: ['AD'] } : d,
    ),
  };
  const r = await runOutageOp(ref('run-dependency-checks'), {
    ...t0,
    deps: { ...t0.deps, catalog: covered },
  });
  expect(runs).toEqual([
    expect.objectContaining({
      params: { server: 'EX01', healthSet: 'AD' },
      dependencyCheck: expect.objectContaining({ outageId: outage.id, count: 1 }),
    }),
  ]);
  expect(r.private?.text).not.toContain('release no held change');
});

test('run-dependency-checks reads the whole server once when no cause names a health set', async () => {
  const runs: unknown[] = [];
  const t0 = turn(runs);
  const bare = {
    ...catalog,
    dependencies: catalog.dependencies.map((d) => ({ ...d, checkHealthSets: [] })),
  };
  await runOutageOp(ref('run-dependency-checks'), { ...t0, deps: { ...t0.deps, catalog: bare } });
  expect(runs).toEqual([
    expect.objectContaining({
      params: { server: 'EX01' },
      dependencyCheck: expect.objectContaining({ count: 1 }),
    }),
  ]);
});

test('a gone outage says so', async () => {
  const gone = { ...ref('show-members'), outage: 'outage-gone-1' };
  expect((await runOutageOp(gone, turn())).private?.text).toMatch(/no longer kept/);
});

test('release-holds: needs a reason and the right to ask for changes; the release says how many started', async () => {
  const releases: unknown[] = [];
  const t0 = turn();
  const withHolds = (allowed: boolean): Turn => ({
    ...t0,
    deps: {
      ...t0.deps,
      outages: {
        find: async () => outage,
        held: async () => [{ incidentId: 'INC-1', title: 'Restart', server: 'EX01' }],
        release: async (input: unknown) => {
          releases.push(input);
          return { ok: true as const, started: 1 };
        },
      },
      access: {
        mayRunRead: async () => ({ allowed: true, reason: '' }),
        mayRequestChange: async () => ({ allowed, reason: '' }),
      },
    },
  });
  expect((await runOutageOp(ref('release-holds'), withHolds(true), '  ')).private?.text).toBe(
    'Say why the held changes may run now.',
  );
  expect((await runOutageOp(ref('release-holds'), withHolds(false), 'AD ok')).private?.text).toBe(
    'Only someone who may ask for changes on EX01 may release them.',
  );
  expect(releases).toEqual([]);
  const r = await runOutageOp(ref('release-holds'), withHolds(true), 'AD is back');
  expect(r.public?.text).toContain('Released by alice');
  expect(releases).toEqual([
    { outage, actor: { platform: 'console', id: 'alice' }, reason: 'AD is back' },
  ]);
  // Nothing held: nothing to release.
  expect((await runOutageOp(ref('release-holds'), turn(), 'why')).private?.text).toBe(
    'Nothing is held for this outage.',
  );
});
