import { loadCatalog } from '../../infra/files/load-catalog';
import { decodeActionRef } from '../cards/action-ref';
import type { Catalog } from '../runbooks/catalog';
import {
  affectedGroups,
  memberPointerText,
  outageMemberLines,
  buildOutageCard,
} from './outage-card';
import { decodeOutageActionRef } from './outage-action-ref';
import { OUTAGE_LABELS, formatDuration } from './outage-labels';
import { OUTAGE_T0, outageMember, outageOf } from '../../../test/support/outages';

const catalog: Catalog = loadCatalog();
const T = OUTAGE_T0;
const member = outageMember;
const outage = outageOf;

const now = new Date(Date.parse(T) + 120_000);

describe('the outage card', () => {
  const members = Array.from({ length: 30 }, (_, i) => member(i + 1));
  const card = buildOutageCard({ outage: outage(members), catalog, lang: 'en', now });

  it('names the likely causes, counts and times', () => {
    expect(card.title).toBe('Outage in site-a: Active Directory');
    expect(card.subtitle).toBe('30 incidents on 30 servers');
    expect(card.tone).toBe('attention');
    expect(card.summary).toBe(
      'Likely cause: Active Directory: every failing probe depends on it (30); Authentication: every failing probe depends on it (30)',
    );
    expect(card.facts).toEqual([
      { key: 'status', label: 'Status', value: 'Open: 30 of 30 incidents still failing' },
      { key: 'firstSeen', label: 'First seen', value: '2026-03-02 10:00:01Z' },
      { key: 'lastSeen', label: 'Last seen', value: '2026-03-02 10:00:30Z' },
    ]);
    // No incident fact: adapters take that for an incident card.
    expect(card.facts.map((f) => f.key)).not.toContain('incident');
  });

  it('says changes are held and offers the dependency checks first, on one server', () => {
    expect(card.notes[0]).toMatch(/^Changes for these incidents .* are held/);
    // The shipped runbooks name AD's health set; no health set watches authentication.
    expect(card.steps.map((s) => [s.kind, s.text, s.commands.map((c) => c.text)])).toEqual([
      [
        'check',
        'Check Active Directory from EX001',
        ["Get-HealthReport -Identity 'EX001' -HealthSet 'AD'"],
      ],
      ['check', 'Check Authentication from EX001', []],
    ]);
    expect(card.steps.map((s) => s.actionable)).toEqual([true, false]);
    expect(card.steps[1]!.notes).toEqual([
      'No Exchange health set watches Authentication: check it outside Exchange, then release the held changes yourself.',
    ]);
    expect(card.steps.every((s) => s.commands.every((c) => c.risk === 'read'))).toBe(true);
    expect(card.actions[0]).toMatchObject({ id: 'outage-run-checks', style: 'primary' });
  });

  it('counts the members’ held changes and offers to release them, with a reason', () => {
    const held = [
      { title: 'Restart an Exchange service', server: 'EX001' },
      { title: 'Restart an Exchange service', server: 'EX002' },
    ];
    const card = buildOutageCard({ outage: outage(members), catalog, lang: 'en', now, held });
    expect(card.notes).toContain(
      'Held now: 2 approved changes wait for the dependency: Restart an Exchange service on EX001; Restart an Exchange service on EX002.',
    );
    // The dependency checks stay first; the release comes after them.
    expect(card.actions.map((a) => a.id).slice(0, 2)).toEqual([
      'outage-run-checks',
      'outage-release-holds',
    ]);
    const release = card.actions[1]!;
    expect(release.needsReason?.optional).toBe(false);
    expect(decodeOutageActionRef(release.value)?.op).toBe('release-holds');
    const zh = buildOutageCard({ outage: outage(members), catalog, lang: 'zh-TW', now, held });
    expect(zh.notes.some((n) => n.startsWith('目前暫緩：2'))).toBe(true);
    // Nothing held, or resolved: no count, no button.
    const calm = buildOutageCard({ outage: outage(members), catalog, lang: 'en', now });
    expect(calm.actions.some((a) => a.id === 'outage-release-holds')).toBe(false);
    const done = outage(members, { status: 'resolved', resolvedAt: now.toISOString() });
    const resolved = buildOutageCard({ outage: done, catalog, lang: 'en', now, held });
    expect(resolved.notes.some((n) => n.startsWith('Held now'))).toBe(false);
  });

  it('groups the affected servers by health set and site', () => {
    expect(
      affectedGroups(outage(members)).map((g) => [g.healthSet, g.site, g.servers.length]),
    ).toEqual([
      ['IMAP', 'site-a', 15],
      ['POP', 'site-a', 15],
    ]);
    expect(card.notes).toContain(
      'IMAP in site-a: 15 servers (EX001, EX003, EX005, EX007, EX009, EX011, EX013, EX015, +7 more)',
    );
  });

  it('lists the first members, each openable, and the rest in the thread', () => {
    const lines = card.notes.filter((n) => n.includes(' · '));
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('EX030 · POP · PopCTPMonitor · failing · 2026-03-02 10:00:30Z');
    expect(card.notes).toContain('Showing 10 of 30 incidents; all are in the thread.');
    const open = card.actions.filter((a) => a.id.startsWith('outage-member-'));
    expect(open).toHaveLength(5);
    const ref = decodeOutageActionRef(open[0]?.value ?? '');
    expect(ref).toEqual({
      v: 1,
      scope: 'outage',
      op: 'open-member',
      outage: 'outage-site-a-active-directory-abc',
      incident: 'inc-30',
      lang: 'en',
    });
    // Not mistaken for an incident card's button.
    expect(decodeActionRef(open[0]?.value ?? '')).toBeNull();
    expect(card.actions.at(-1)?.id).toBe('outage-show-members');
    expect(outageMemberLines(outage(members), 'en')).toHaveLength(30);
  });

  it('reads the whole server for each cause when no cause’s dependency names a health set', () => {
    const withoutSets: Catalog = {
      ...catalog,
      dependencies: catalog.dependencies.map((d) => ({ ...d, checkHealthSets: [] })),
    };
    const c = buildOutageCard({ outage: outage(members), catalog: withoutSets, lang: 'en', now });
    expect(c.steps.map((s) => s.commands.map((x) => x.text))).toEqual([
      ["Get-HealthReport -Identity 'EX001'"],
      ["Get-HealthReport -Identity 'EX001'"],
    ]);
    expect(c.steps.every((s) => s.actionable && s.notes.length === 0)).toBe(true);
    const zh = buildOutageCard({ outage: outage(members), catalog, lang: 'zh-TW', now });
    expect(zh.steps[1]!.notes[0]).toMatch(/^沒有 Exchange 健全設定監視 驗證：/);
  });

  it('says when it is resolved, how long it took and what was done', () => {
    const resolved = outage(
      members.map((m) => ({
        ...m,
        status: 'resolved' as const,
        resolvedAt: '2026-03-02T10:14:00.000Z',
      })),
      { status: 'resolved', resolvedAt: '2026-03-02T10:14:00.000Z' },
    );
    const c = buildOutageCard({
      outage: resolved,
      catalog,
      lang: 'en',
      now,
      done: ['AD DC01 restarted by ops'],
    });
    expect(c.tone).toBe('info');
    expect(c.status).toEqual({ label: 'Resolved after 14 min', tone: 'good' });
    expect(c.notes.slice(0, 2)).toEqual([
      'Resolved after 14 min: 30 servers, 30 incidents.',
      'What was done: AD DC01 restarted by ops',
    ]);
    expect(c.steps.every((s) => !s.actionable)).toBe(true);
    expect(c.actions.map((a) => a.id)).not.toContain('outage-run-checks');
    const bare = buildOutageCard({ outage: resolved, catalog, lang: 'zh-TW', now });
    expect(bare.notes[1]).toBe('未執行任何變更：事件已自行復原。');
  });

  it('names a family outage by its health sets when no dependency is known', () => {
    const fam = outage(
      [1, 2, 3, 4, 5].map((i) => member(i, { healthSet: 'POP.Proxy', dependencies: [] })),
      { key: { kind: 'family', family: 'pop' } },
    );
    const c = buildOutageCard({ outage: fam, catalog, lang: 'en', now });
    expect(c.title).toBe('Outage in site-a: POP health sets');
    expect(c.summary).toBe(
      'No shared dependency is known: the same POP health sets fail on many servers.',
    );
    expect(c.steps).toEqual([]);
    expect(memberPointerText(fam, catalog, 'zh-TW')).toBe(
      '屬於 site-a 的中斷（POP 健全設定）：請參閱中斷卡片。',
    );
  });
});

describe('outage labels', () => {
  it('have the same keys in en and zh-TW', () => {
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v !== null && typeof v === 'object'
          ? keys(v as object, `${prefix}${k}.`)
          : [`${prefix}${k}`],
      );
    expect(keys(OUTAGE_LABELS['zh-TW'])).toEqual(keys(OUTAGE_LABELS.en));
  });

  it('format durations', () => {
    expect(formatDuration(45_000, 'en')).toBe('45 s');
    expect(formatDuration(14 * 60_000, 'en')).toBe('14 min');
    expect(formatDuration(125 * 60_000, 'zh-TW')).toBe('2 小時 5 分鐘');
  });
});
