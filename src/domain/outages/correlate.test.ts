import type { OutageCandidate } from './candidate';
import { likelyCauses } from './causes';
import {
  applyIncidentToOutages,
  detachFromOutage,
  tickOutages,
  type OutageEffect,
  type OutageStep,
} from './correlate';
import { EMPTY_OUTAGE_STATE, outageOf, type OutageState } from './outage';
import { DEFAULT_OUTAGE_SETTINGS, parseOutageSettings, type OutageSettings } from './settings';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);
const AD_POP = [
  'active-directory',
  'authentication',
  'mailbox-server-authentication',
  'information-store',
  'high-availability',
  'networking',
];

let n = 0;
const cand = (over: Partial<OutageCandidate> = {}): OutageCandidate => {
  n += 1;
  return {
    incidentId: `inc-${n}`,
    status: 'open',
    healthSet: 'POP',
    family: 'pop',
    monitor: 'PopCTPMonitor',
    server: `EX${String(n).padStart(3, '0')}`,
    site: 'site-a',
    dag: null,
    dependencies: AD_POP,
    firstSeen: at(0).toISOString(),
    lastSeen: at(0).toISOString(),
    ...over,
  };
};

/** Feeds changes in order, keeping the state; returns every step. */
class Feed {
  state: OutageState = EMPTY_OUTAGE_STATE;
  steps: OutageStep[] = [];
  effects: OutageEffect[] = [];
  constructor(private readonly settings: OutageSettings = DEFAULT_OUTAGE_SETTINGS) {}
  apply(c: OutageCandidate, now: Date): OutageStep {
    const step = applyIncidentToOutages(this.state, c, this.settings, now);
    this.state = step.state;
    this.steps.push(step);
    this.effects.push(...step.effects);
    return step;
  }
  tick(now: Date): OutageEffect[] {
    const r = tickOutages(this.state, this.settings, now);
    this.state = r.state;
    this.effects.push(...r.effects);
    return r.effects;
  }
}

describe('an incident that fits no outage', () => {
  it('is posted at once', () => {
    const feed = new Feed();
    expect(feed.apply(cand(), at(0)).decision).toEqual({ kind: 'own-card' });
    expect(feed.effects).toEqual([]);
  });

  it('is posted at once when it has no grouping key or no valid server', () => {
    const feed = new Feed();
    feed.apply(cand(), at(0));
    const noKey = cand({ healthSet: null, family: null, dependencies: [] });
    expect(feed.apply(noKey, at(1)).decision).toEqual({ kind: 'own-card' });
    expect(feed.apply(cand({ server: null }), at(2)).decision).toEqual({ kind: 'own-card' });
  });

  it('is posted at once when its peers are on other sites', () => {
    const feed = new Feed();
    feed.apply(cand({ site: 'site-a' }), at(0));
    expect(feed.apply(cand({ site: 'site-b' }), at(1)).decision.kind).toBe('own-card');
  });

  it('is held for group_wait when a peer shares a key, then posted if nothing formed', () => {
    const feed = new Feed();
    feed.apply(cand(), at(0));
    const held = feed.apply(cand(), at(10));
    expect(held.decision).toEqual({
      kind: 'hold',
      until: at(40).toISOString(),
      key: { kind: 'dependency', id: 'active-directory' },
    });
    expect(feed.tick(at(39))).toEqual([]);
    expect(feed.tick(at(40))).toEqual([
      { type: 'post-own-card', incidentId: held.state.recent[1]?.incidentId },
    ]);
    // Released once only.
    expect(feed.tick(at(41))).toEqual([]);
  });

  it('holds nothing with holdAtPeers beyond reach, everything keyed with 0', () => {
    const never = new Feed({ ...DEFAULT_OUTAGE_SETTINGS, holdAtPeers: 100 });
    never.apply(cand(), at(0));
    expect(never.apply(cand(), at(1)).decision.kind).toBe('own-card');
    const always = new Feed({ ...DEFAULT_OUTAGE_SETTINGS, holdAtPeers: 0 });
    expect(always.apply(cand(), at(0)).decision.kind).toBe('hold');
  });

  it('an update keeps the hold; a resolution while held is shown on its own card', () => {
    const feed = new Feed();
    feed.apply(cand(), at(0));
    const c = cand();
    const first = feed.apply(c, at(5));
    expect(feed.apply({ ...c, lastSeen: at(6).toISOString() }, at(6)).decision).toEqual(
      first.decision,
    );
    expect(feed.apply({ ...c, status: 'resolved' }, at(7)).decision).toEqual({ kind: 'own-card' });
    expect(feed.state.recent.map((r) => r.incidentId)).not.toContain(c.incidentId);
    expect(feed.tick(at(60))).toEqual([]);
  });
});

describe('an outage', () => {
  it('opens when the fifth server of a site shares a dependency in the window', () => {
    const feed = new Feed();
    const cs = [1, 2, 3, 4, 5].map(() => cand());
    const decisions = cs.map((c, i) => feed.apply(c, at(i * 5)).decision.kind);
    expect(decisions).toEqual(['own-card', 'hold', 'hold', 'hold', 'member-of']);
    const opened = feed.effects.find((e) => e.type === 'outage-opened');
    expect(opened).toMatchObject({
      site: 'site-a',
      key: { kind: 'dependency', id: 'active-directory' },
      members: cs.map((c) => c.incidentId),
      // Only the first had a card: it becomes a pointer to the outage card.
      retract: [cs[0]?.incidentId],
    });
    expect(feed.state.recent).toEqual([]);
    // The holds of those that joined come to nothing.
    expect(feed.tick(at(100))).toEqual([]);
  });

  it('counts servers, not incidents: POP and IMAP on one server are one', () => {
    const feed = new Feed();
    for (let i = 0; i < 4; i++) {
      const server = `EX10${i}`;
      feed.apply(cand({ server }), at(i));
      feed.apply(cand({ server, healthSet: 'IMAP', family: 'imap' }), at(i));
    }
    expect(feed.state.outages).toEqual([]);
    expect(feed.apply(cand({ server: 'EX200' }), at(5)).decision.kind).toBe('member-of');
    expect(feed.state.outages[0]?.members).toHaveLength(9);
  });

  it('does not count incidents older than the window', () => {
    const feed = new Feed();
    for (let i = 0; i < 4; i++) feed.apply(cand(), at(i));
    feed.tick(at(60));
    expect(feed.apply(cand(), at(301)).decision.kind).not.toBe('member-of');
    expect(feed.state.outages).toEqual([]);
  });

  it('groups by health-set family when no dependency is shared', () => {
    const feed = new Feed();
    for (let i = 0; i < 5; i++) {
      feed.apply(cand({ healthSet: 'POP.Proxy', dependencies: [] }), at(i));
    }
    expect(feed.state.outages[0]?.key).toEqual({ kind: 'family', family: 'pop' });
    expect(likelyCauses(feed.state.outages[0]!)).toEqual([]);
  });

  it('honours the grouping keys: dependency only', () => {
    const feed = new Feed({ ...DEFAULT_OUTAGE_SETTINGS, groupBy: ['dependency'] });
    for (let i = 0; i < 6; i++) feed.apply(cand({ dependencies: [] }), at(i));
    expect(feed.state.outages).toEqual([]);
  });

  it('across sites only with scope organisation', () => {
    const sites = ['a', 'b', 'c', 'd', 'e'].map((x) => `site-${x}`);
    const bySite = new Feed();
    sites.forEach((site, i) => bySite.apply(cand({ site }), at(i)));
    expect(bySite.state.outages).toEqual([]);
    const org = new Feed({ ...DEFAULT_OUTAGE_SETTINGS, scope: 'organisation' });
    sites.forEach((site, i) => org.apply(cand({ site }), at(i)));
    expect(org.state.outages[0]?.site).toBe('*');
    expect(org.state.outages[0]?.id).toMatch(/^outage-all-active-directory-/);
  });

  it('takes a late joiner, which had its own card, onto the outage card', () => {
    const feed = new Feed();
    for (let i = 0; i < 5; i++) feed.apply(cand(), at(i));
    const id = feed.state.outages[0]?.id;
    const late = cand();
    expect(feed.apply(late, at(200)).decision).toEqual({ kind: 'member-of', outageId: id });
    expect(feed.effects.at(-1)).toEqual({
      type: 'member-joined',
      outageId: id,
      incidentId: late.incidentId,
      hadOwnCard: false,
    });
  });

  it('follows members, and resolves once when the last one resolves', () => {
    const feed = new Feed();
    const cs = [0, 1, 2, 3, 4].map(() => cand());
    cs.forEach((c, i) => feed.apply(c, at(i)));
    const id = feed.state.outages[0]?.id ?? '';
    expect(feed.apply({ ...cs[0]!, lastSeen: at(30).toISOString() }, at(30)).effects).toEqual([
      { type: 'member-updated', outageId: id, incidentId: cs[0]?.incidentId },
    ]);
    cs.slice(0, 4).forEach((c, i) => feed.apply({ ...c, status: 'resolved' }, at(600 + i)));
    expect(feed.state.outages[0]?.status).toBe('open');
    const last = feed.apply({ ...cs[4]!, status: 'resolved' }, at(700));
    expect(last.decision).toEqual({ kind: 'member-of', outageId: id });
    expect(last.effects).toEqual([
      { type: 'member-resolved', outageId: id, incidentId: cs[4]?.incidentId },
      {
        type: 'outage-resolved',
        outageId: id,
        startedAt: at(0).toISOString(),
        resolvedAt: at(700).toISOString(),
        durationMs: 700_000,
        servers: 5,
        members: 5,
      },
    ]);
    // A second resolution of the same member changes nothing.
    expect(feed.apply({ ...cs[4]!, status: 'resolved' }, at(701)).effects).toEqual([]);
  });

  it('takes a repeat back within the window after it resolved, then expires', () => {
    const feed = new Feed();
    const cs = [0, 1, 2, 3, 4].map(() => cand());
    cs.forEach((c, i) => feed.apply(c, at(i)));
    cs.forEach((c) => feed.apply({ ...c, status: 'resolved' }, at(100)));
    const id = feed.state.outages[0]?.id ?? '';
    const repeat = cand({ server: 'EX001' });
    const step = feed.apply(repeat, at(200));
    expect(step.decision).toEqual({ kind: 'member-of', outageId: id });
    expect(step.effects.map((e) => e.type)).toEqual(['outage-reopened', 'member-joined']);
    expect(feed.state.outages[0]?.reopened).toBe(1);
    feed.apply({ ...repeat, status: 'resolved' }, at(210));
    expect(feed.tick(at(210 + 299))).toEqual([]);
    expect(feed.tick(at(210 + 301))).toEqual([{ type: 'outage-expired', outageId: id }]);
    expect(feed.state.outages).toEqual([]);
  });

  it('lets a person take an incident out; it does not join again while open', () => {
    const feed = new Feed();
    const cs = [0, 1, 2, 3, 4, 5].map(() => cand());
    cs.forEach((c, i) => feed.apply(c, at(i)));
    const id = feed.state.outages[0]?.id ?? '';
    const out = detachFromOutage(feed.state, cs[5]!.incidentId, at(10));
    expect(out.decision).toEqual({ kind: 'own-card' });
    expect(out.effects).toEqual([
      { type: 'member-left', outageId: id, incidentId: cs[5]?.incidentId, reason: 'detached' },
    ]);
    feed.state = out.state;
    expect(feed.apply(cs[5]!, at(11)).decision).toEqual({ kind: 'own-card' });
    expect(outageOf(feed.state, cs[5]!.incidentId)).toBeUndefined();
  });

  it('never changes the state it was given', () => {
    const feed = new Feed();
    for (let i = 0; i < 4; i++) feed.apply(cand(), at(i));
    const before = JSON.stringify(feed.state);
    applyIncidentToOutages(feed.state, cand(), DEFAULT_OUTAGE_SETTINGS, at(5));
    tickOutages(feed.state, DEFAULT_OUTAGE_SETTINGS, at(100));
    expect(JSON.stringify(feed.state)).toBe(before);
  });
});

describe('likely causes', () => {
  it('ranks the dependencies by how many members share them', () => {
    const feed = new Feed();
    for (let i = 0; i < 3; i++)
      feed.apply(cand({ dependencies: ['active-directory', 'networking'] }), at(i));
    for (let i = 0; i < 2; i++) {
      feed.apply(cand({ dependencies: ['information-store', 'active-directory'] }), at(i));
    }
    const causes = likelyCauses(feed.state.outages[0]!);
    expect(causes.map((c) => [c.dependencyId, c.members, c.sharedByAll])).toEqual([
      ['active-directory', 5, true],
      ['networking', 3, false],
      ['information-store', 2, false],
    ]);
    expect(causes[1]?.share).toBeCloseTo(0.6);
  });
});

describe('settings', () => {
  it('defaults to Alertmanager’s group_wait 30 s and group_interval 5 min, N = 5', () => {
    expect(parseOutageSettings(undefined)).toEqual({ ok: true, settings: DEFAULT_OUTAGE_SETTINGS });
    expect(DEFAULT_OUTAGE_SETTINGS).toMatchObject({
      groupWaitMs: 30_000,
      windowMs: 300_000,
      minServers: 5,
    });
  });

  it('reads seconds and refuses nonsense', () => {
    const ok = parseOutageSettings({ windowSeconds: 600, minServers: 10, groupBy: ['family'] });
    expect(ok).toMatchObject({
      ok: true,
      settings: { windowMs: 600_000, minServers: 10, groupBy: ['family'], groupWaitMs: 30_000 },
    });
    expect(parseOutageSettings({ minServers: 1 }).ok).toBe(false);
    expect(parseOutageSettings({ window: 5 }).ok).toBe(false);
    expect(parseOutageSettings({ windowSeconds: 10, groupWaitSeconds: 30 })).toEqual({
      ok: false,
      errors: ['groupWaitSeconds: must not be longer than windowSeconds'],
    });
  });
});
