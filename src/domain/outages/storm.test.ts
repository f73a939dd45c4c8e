import { parse } from 'yaml';
import type { Incident } from '../incidents/incident';
import { toServerRef } from '../alerts/host-name';
import { readRunbookFiles, shippedRunbooksDir } from '../../infra/files/read-runbook-files';
import { parseInventory, type Inventory } from '../inventory/inventory';
import { catalogFromTexts } from '../runbooks/catalog-from-texts';
import type { Catalog } from '../runbooks/catalog';
import { toOutageCandidate } from './candidate';
import { applyIncidentToOutages, tickOutages, type OutageEffect } from './correlate';
import { buildOutageCard, outageResolvedMessage } from './outage-card';
import { likelyCauses } from './causes';
import { EMPTY_OUTAGE_STATE, type OutageState } from './outage';
import { DEFAULT_OUTAGE_SETTINGS } from './settings';

/**
 * OWA-like probes: Microsoft's "Troubleshooting OWA.Protocol Health Set" table (OwaDeepTestProbe
 * depends on Active Directory and the Information Store). Not shipped; an operator file here.
 */
const OWA = `
id: test-owa
title: { en: OWA (test) }
source: { kind: operator, description: { en: test } }
healthSets: [{ name: OWA.Protocol, verifySection: test-owa-verify }]
probes:
  - { name: OwaDeepTestProbe, healthSet: OWA.Protocol, dependencies: [active-directory, information-store] }
monitors:
  - { name: OwaDeepTestMonitor, healthSet: OWA.Protocol, probe: OwaDeepTestProbe, section: test-owa-verify }
sections:
  - id: test-owa-verify
    kind: verify
    title: { en: Verify }
    steps: [{ id: test-owa-verify.1, kind: check, text: { en: Identify } }]
`;

const built = catalogFromTexts([
  { layer: 'shipped', files: readRunbookFiles(shippedRunbooksDir()) },
  { layer: 'operator', files: [{ file: 'test-owa.yaml', text: OWA }] },
]);
if (!built.ok) throw new Error('catalogue');
const catalog: Catalog = built.catalog;

const name = (site: string, i: number) =>
  `${site.slice(-1).toUpperCase()}EX${String(i).padStart(3, '0')}`;
const sites: Record<string, number> = { 'site-a': 150, 'site-b': 25, 'site-c': 25 };
const inventoryYaml = {
  sites: Object.fromEntries(
    Object.entries(sites).map(([site, count]) => [
      site,
      {
        servers: Array.from({ length: count }, (_, i) => ({
          name: name(site, i + 1),
          dag: `${site}-dag${i % 10}`,
        })),
      },
    ]),
  ),
};
const parsedInventory = parseInventory(parse(JSON.stringify(inventoryYaml)));
if (!parsedInventory.ok) throw new Error(parsedInventory.errors.join('\n'));
const inventory: Inventory = parsedInventory.inventory;

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
let seq = 0;
const incident = (server: string, healthSet: string, monitor: string, atMs: number): Incident => {
  seq += 1;
  return {
    id: `inc-${seq}`,
    version: 1,
    key: `${healthSet}|${server}`.toLowerCase(),
    status: 'open',
    healthSet,
    server: toServerRef(`${server}.contoso.com`),
    relatedServer: null,
    monitors: [monitor],
    targetResources: [],
    severity: 'error',
    priority: 'high',
    title: `${healthSet} unhealthy`,
    failureText: null,
    description: '',
    actionable: true,
    firstSeen: iso(atMs),
    lastSeen: iso(atMs),
    resolvedAt: null,
    occurrences: 1,
    alerts: [],
  };
};

const PROBES: [string, string][] = [
  ['POP', 'PopCTPMonitor'],
  ['IMAP', 'ImapCTPMonitor'],
  ['OWA.Protocol', 'OwaDeepTestMonitor'],
];

describe('the outage storm: AD down in site-a, 150 servers fail POP/IMAP/OWA within 30 s', () => {
  let state: OutageState = EMPTY_OUTAGE_STATE;
  const effects: OutageEffect[] = [];
  const decisions = new Map<string, string>();
  const events: { at: number; inc: Incident }[] = [];

  // Site-A: each server fails one of the three probes, spread over 30 s.
  for (let i = 0; i < 150; i++) {
    const [hs, mon] = PROBES[i % 3] as [string, string];
    events.push({
      at: (i * 30_000) / 150,
      inc: incident(name('site-a', i + 1), hs, mon, (i * 30_000) / 150),
    });
  }
  // Background noise elsewhere: a few unrelated incidents, far enough apart in their site.
  const noise = [
    { at: 5_000, inc: incident(name('site-b', 1), 'POP', 'PopSelfTestMonitor', 5_000) },
    { at: 12_000, inc: incident(name('site-c', 2), 'IMAP', 'ImapCTPMonitor', 12_000) },
    { at: 29_000, inc: incident(name('site-b', 3), 'Transport', 'SomeMonitor', 29_000) },
    { at: 31_000, inc: incident(name('site-c', 4), 'OWA.Protocol', 'OwaDeepTestMonitor', 31_000) },
  ];
  events.push(...noise);
  events.sort((a, b) => a.at - b.at);

  for (const e of events) {
    const step = applyIncidentToOutages(
      state,
      toOutageCandidate(e.inc, catalog, inventory),
      DEFAULT_OUTAGE_SETTINGS,
      new Date(T0 + e.at),
    );
    state = step.state;
    effects.push(...step.effects);
    decisions.set(e.inc.id, step.decision.kind);
  }

  it('makes one outage of site-a with Active Directory ranked first', () => {
    const opened = effects.filter((e) => e.type === 'outage-opened');
    expect(opened).toHaveLength(1);
    expect(state.outages).toHaveLength(1);
    const outage = state.outages[0]!;
    expect(outage.site).toBe('site-a');
    expect(outage.members).toHaveLength(150);
    const causes = likelyCauses(outage);
    expect(causes[0]).toMatchObject({
      dependencyId: 'active-directory',
      members: 150,
      sharedByAll: true,
    });
    // POP and IMAP CTP probes share authentication; OWA's deep probe does not.
    expect(causes[1]).toMatchObject({ dependencyId: 'authentication', members: 100 });
    const card = buildOutageCard({ outage, catalog, lang: 'en', now: new Date(T0 + 31_000) });
    expect(card.title).toBe('Outage in site-a: Active Directory');
    expect(card.subtitle).toBe('150 incidents on 150 servers');
    expect(card.summary).toMatch(
      /^Likely cause: Active Directory: every failing probe depends on it \(150\)/,
    );
    const zh = buildOutageCard({ outage, catalog, lang: 'zh-TW', now: new Date(T0 + 31_000) });
    expect(zh.title).toBe('site-a 中斷：Active Directory');
  });

  it('posts at most one card of its own in site-a, and turns it into a pointer', () => {
    const siteA = events.filter((e) => e.inc.server?.short.startsWith('AEX'));
    const own = siteA.filter((e) => decisions.get(e.inc.id) === 'own-card');
    expect(own).toHaveLength(1);
    const released = effects.filter((e) => e.type === 'post-own-card');
    expect(released).toEqual([]);
    const opened = effects.find((e) => e.type === 'outage-opened');
    expect(opened?.type === 'outage-opened' ? opened.retract : []).toEqual(
      own.map((e) => e.inc.id),
    );
  });

  it('posts the background noise of other sites on their own cards, at once or within group_wait', () => {
    for (const n of noise) expect(decisions.get(n.inc.id)).not.toBe('member-of');
    // site-c's OWA incident shares Active Directory with site-c's IMAP one: held, then released.
    const held = noise.filter((n) => decisions.get(n.inc.id) === 'hold');
    expect(held.map((h) => h.inc.server?.short)).toEqual(['CEX004']);
    const tick = tickOutages(state, DEFAULT_OUTAGE_SETTINGS, new Date(T0 + 31_000 + 30_000));
    expect(tick.effects).toEqual([{ type: 'post-own-card', incidentId: held[0]?.inc.id }]);
    const immediate = noise.filter((n) => decisions.get(n.inc.id) === 'own-card');
    expect(immediate).toHaveLength(3);
  });

  it('resolves once when AD returns and every member recovers', () => {
    let s = state;
    const resolved: OutageEffect[] = [];
    events
      .filter((e) => e.inc.server?.short.startsWith('AEX'))
      .forEach((e, i) => {
        const step = applyIncidentToOutages(
          s,
          toOutageCandidate(
            { ...e.inc, status: 'resolved', resolvedAt: iso(600_000 + i * 100) },
            catalog,
            inventory,
          ),
          DEFAULT_OUTAGE_SETTINGS,
          new Date(T0 + 600_000 + i * 100),
        );
        s = step.state;
        resolved.push(...step.effects);
      });
    const done = resolved.filter((e) => e.type === 'outage-resolved');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ servers: 150, members: 150 });
    const outage = s.outages[0]!;
    const card = buildOutageCard({ outage, catalog, lang: 'en', now: new Date(T0 + 700_000) });
    expect(card.status).toEqual({ label: 'Resolved after 10 min', tone: 'good' });
    expect(card.notes[0]).toBe('Resolved after 10 min: 150 servers, 150 incidents.');
    expect(card.actions.map((a) => a.id)).not.toContain('outage-run-checks');
    expect(outageResolvedMessage(outage, catalog, 'en')).toBe(
      'Outage in site-a (Active Directory) resolved after 10 min; 150 servers recovered.',
    );
  });
});
