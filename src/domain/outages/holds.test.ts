import { holdsFor, describeHolds, type ActionSlot, type HoldContext } from './holds';
import type { Outage } from './outage';
import { DEFAULT_OUTAGE_SETTINGS } from './settings';

const slot = (over: Partial<ActionSlot> = {}): ActionSlot => ({
  incidentId: 'inc-1',
  stepKey: 'run-1:pop-ctp:pop-ctp.1',
  title: 'Restart a service',
  server: 'EX001',
  site: 'site-a',
  dag: 'dag01',
  risk: 'change',
  ...over,
});

const outage = { id: 'outage-site-a-active-directory-x', status: 'open' } as Outage;
const calm: HoldContext = { memberOf: null, cause: '', released: false, siteHasOutage: false };
const storm: HoldContext = {
  memberOf: outage,
  cause: 'Active Directory',
  released: false,
  siteHasOutage: true,
};
const settings = DEFAULT_OUTAGE_SETTINGS;

describe('remediation holds', () => {
  it('lets a change run when nothing holds it', () => {
    expect(holdsFor(slot(), [], calm, settings, 'en')).toEqual([]);
  });

  it('holds a member incident’s change during its outage, and says why', () => {
    const holds = holdsFor(slot(), [], storm, settings, 'en');
    expect(holds).toEqual([
      {
        kind: 'outage-member',
        outageId: outage.id,
        text: 'Held: this incident is part of an outage (likely cause Active Directory). Run the dependency checks on the outage card first.',
      },
    ]);
    expect(holdsFor(slot({ risk: 'destructive' }), [], storm, settings, 'en')[0]?.kind).toBe(
      'outage-member',
    );
    // Released (the dependency checks came back healthy, or a person said so).
    expect(holdsFor(slot(), [], { ...storm, released: true }, settings, 'en')).toEqual([]);
    // A resolved outage holds nothing.
    expect(
      holdsFor(
        slot(),
        [],
        { ...storm, memberOf: { ...outage, status: 'resolved' } },
        settings,
        'en',
      ),
    ).toEqual([]);
  });

  it('never holds a read-only check of a member', () => {
    expect(holdsFor(slot({ risk: 'read' }), [], storm, settings, 'en')).toEqual([]);
  });

  it('limits changes per site, outage or not, naming what runs', () => {
    const running = [
      slot({ stepKey: 'a', server: 'EX002', incidentId: 'inc-2' }),
      slot({
        stepKey: 'b',
        server: 'EX003',
        incidentId: 'inc-3',
        title: 'Restart the server',
        risk: 'destructive',
        dag: 'dag02',
      }),
      slot({ stepKey: 'c', server: 'EX900', site: 'site-b' }),
    ];
    const holds = holdsFor(slot(), running, calm, settings, 'en');
    expect(holds).toEqual([
      {
        kind: 'site-changes',
        site: 'site-a',
        limit: 2,
        blockers: ['Restart a service on EX002', 'Restart the server on EX003'],
        text: 'Held: site-a already runs 2 changes at once (the limit): Restart a service on EX002, Restart the server on EX003.',
      },
    ]);
    // The step itself, already in the running list, does not hold itself back.
    expect(holdsFor(slot({ stepKey: 'a' }), running.slice(0, 1), calm, settings, 'en')).toEqual([]);
  });

  it('never runs two destructive changes in one DAG at once', () => {
    const running = [
      slot({ stepKey: 'x', server: 'EX002', risk: 'destructive', title: 'Restart the server' }),
    ];
    const holds = holdsFor(slot({ risk: 'destructive' }), running, calm, settings, 'zh-TW');
    expect(holds.map((h) => h.kind)).toEqual(['dag-destructive']);
    expect(describeHolds(holds)).toBe(
      '已暫緩：DAG dag01 已有一個破壞性變更正在執行：EX002 上的 Restart the server。',
    );
    // Another DAG, or no DAG known: only the site limit applies.
    expect(
      holdsFor(slot({ risk: 'destructive', dag: 'dag02' }), running, calm, settings, 'en'),
    ).toEqual([]);
    expect(
      holdsFor(slot({ risk: 'destructive', dag: null }), running, calm, settings, 'en'),
    ).toEqual([]);
    // A change (not destructive) beside a destructive one in the DAG is fine.
    expect(holdsFor(slot(), running, calm, settings, 'en')).toEqual([]);
  });

  it('gives every reason at once', () => {
    const running = [
      slot({ stepKey: 'a', server: 'EX002', risk: 'destructive' }),
      slot({ stepKey: 'b', server: 'EX003' }),
    ];
    const holds = holdsFor(slot({ risk: 'destructive' }), running, storm, settings, 'en');
    expect(holds.map((h) => h.kind)).toEqual(['outage-member', 'site-changes', 'dag-destructive']);
  });

  it('limits read-only checks per site only while the site has an outage', () => {
    const checks = [1, 2, 3, 4].map((i) =>
      slot({ stepKey: `k${i}`, risk: 'read', server: `EX00${i}` }),
    );
    const check = slot({ stepKey: 'k5', risk: 'read' });
    expect(holdsFor(check, checks, calm, settings, 'en')).toEqual([]);
    expect(holdsFor(check, checks, { ...calm, siteHasOutage: true }, settings, 'en')).toEqual([
      {
        kind: 'site-checks',
        site: 'site-a',
        limit: 4,
        text: 'Waiting: site-a has an outage and already runs 4 checks at once (the limit).',
      },
    ]);
    expect(
      holdsFor(check, checks.slice(1), { ...calm, siteHasOutage: true }, settings, 'en'),
    ).toEqual([]);
  });
});
