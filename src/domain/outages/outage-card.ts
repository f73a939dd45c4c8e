import { buildCommand, type ActionId } from '../actions/registry';
import type { Card, CardAction, CardCommand, CardStep } from '../cards/card';
import type { Catalog } from '../runbooks/catalog';
import { pickText, type Lang } from '../runbooks/text';
import { clip, shortTime } from '../shared/text';
import { likelyCauses, type LikelyCause } from './causes';
import { MAX_CHECKED_CAUSES, planDependencyChecks } from './dependency-checks';
import { encodeOutageActionRef, type OutageActionRef } from './outage-action-ref';
import { OUTAGE_LABELS, formatDuration } from './outage-labels';
import {
  distinctServers,
  outageLastSeen,
  outageStart,
  type Outage,
  type OutageMember,
} from './outage';

export interface OutageCardInput {
  outage: Outage;
  /** For the dependencies' names and checks. */
  catalog: Pick<Catalog, 'dependencies'>;
  lang: Lang;
  now: Date;
  /** For a resolved outage: what was done, one line each (from the members' runs). */
  done?: readonly string[] | undefined;
  /** Member lines and buttons on the card; the rest are in the thread (default 10 and 5). */
  maxMembers?: number | undefined;
  maxMemberButtons?: number | undefined;
  /** Members' changes the remediation gate holds now (approved, waiting for the dependency). */
  held?: readonly { title: string; server: string }[] | undefined;
}

const SERVERS_PER_GROUP = 8;

/** The name of a dependency in the card's language; its id when the catalogue lacks it. */
export function dependencyName(
  catalog: OutageCardInput['catalog'],
  id: string,
  lang: Lang,
): string {
  const def = catalog.dependencies.find((d) => d.id === id);
  return def ? pickText(def.name, lang) : id;
}

/** What the outage is named by: its top likely cause, else its health-set family. */
export function outageCause(
  outage: Outage,
  catalog: OutageCardInput['catalog'],
  lang: Lang,
): string {
  const top = likelyCauses(outage)[0];
  if (top) return dependencyName(catalog, top.dependencyId, lang);
  if (outage.key.kind === 'dependency') return dependencyName(catalog, outage.key.id, lang);
  return OUTAGE_LABELS[lang].familyCause(outage.key.family.toUpperCase());
}

/** Affected servers grouped by health set and site, the largest group first. */
export function affectedGroups(
  outage: Outage,
): { healthSet: string | null; site: string; servers: string[] }[] {
  const groups = new Map<
    string,
    { healthSet: string | null; site: string; servers: Set<string> }
  >();
  for (const m of outage.members) {
    const key = `${m.healthSet ?? ''}|${m.site}`;
    const g = groups.get(key) ?? { healthSet: m.healthSet, site: m.site, servers: new Set() };
    g.servers.add(m.server);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => ({ healthSet: g.healthSet, site: g.site, servers: [...g.servers].sort() }))
    .sort(
      (a, b) =>
        b.servers.length - a.servers.length ||
        (a.healthSet ?? '').localeCompare(b.healthSet ?? '') ||
        a.site.localeCompare(b.site),
    );
}

function causeLine(
  cause: LikelyCause,
  total: number,
  catalog: OutageCardInput['catalog'],
  lang: Lang,
): string {
  const L = OUTAGE_LABELS[lang].causes;
  const name = dependencyName(catalog, cause.dependencyId, lang);
  return cause.sharedByAll
    ? L.sharedByAll(name, cause.members)
    : L.shared(name, cause.members, total);
}

function memberLine(m: OutageMember, lang: Lang): string {
  const L = OUTAGE_LABELS[lang];
  return L.member(
    m.server,
    m.healthSet ?? L.unknownHealthSet,
    m.monitor ?? '-',
    L.memberState[m.status],
    shortTime(m.status === 'resolved' ? m.resolvedAt : m.firstSeen),
  );
}

/** Open members first (newest first), then resolved ones. */
function orderedMembers(outage: Outage): OutageMember[] {
  return [...outage.members].sort(
    (a, b) =>
      Number(b.status === 'open') - Number(a.status === 'open') ||
      b.firstSeen.localeCompare(a.firstSeen) ||
      a.server.localeCompare(b.server),
  );
}

function dependencyChecks(
  outage: Outage,
  catalog: OutageCardInput['catalog'],
  lang: Lang,
): CardStep[] {
  const L = OUTAGE_LABELS[lang];
  const plan = planDependencyChecks(outage, catalog);
  if (!plan) return [];
  const open = outage.status === 'open';
  return plan.causes.map((cause, i) => {
    const commands: CardCommand[] = cause.healthSets.flatMap((healthSet) => {
      const actionId: ActionId = 'get-health-report';
      const built = buildCommand(
        actionId,
        healthSet ? { server: plan.server, healthSet } : { server: plan.server },
      );
      return built.ok
        ? [
            {
              actionId,
              risk: 'read' as const,
              language: 'powershell' as const,
              text: built.command,
              complete: true,
            },
          ]
        : [];
    });
    const name = dependencyName(catalog, cause.dependencyId, lang);
    return {
      id: `dependency-check.${cause.dependencyId}`.slice(0, 80),
      number: String(i + 1),
      depth: 0,
      kind: 'check',
      kindLabel: L.kind.check,
      text: L.dependencyCheck.text(name, plan.server),
      condition: L.dependencyCheck.condition,
      commands,
      state: 'pending',
      stateLabel: L.state.pending,
      actionable: open && commands.length > 0,
      // Nothing to read for it in Exchange: say so rather than offer a check that cannot pass.
      notes: commands.length === 0 ? [L.dependencyCheck.noHealthSet(name)] : [],
      links: [],
      actions: [],
      steps: [],
    };
  });
}

/**
 * The one card of an outage, posted once and updated in place: the likely causes, the dependency
 * checks to run before any change, the affected servers by health set and site, counts, first and
 * last seen, the member incidents (the first few as lines and buttons), and once resolved the
 * duration and what was done. Pure.
 */
export function buildOutageCard(input: OutageCardInput): Card {
  const { outage, catalog, lang } = input;
  const L = OUTAGE_LABELS[lang];
  const open = outage.status === 'open';
  const members = orderedMembers(outage);
  const total = members.length;
  const openCount = members.filter((m) => m.status === 'open').length;
  const servers = distinctServers(outage.members).length;
  const causes = likelyCauses(outage);
  const cause = outageCause(outage, catalog, lang);
  const startedAt = outageStart(outage);
  const duration = formatDuration(
    Date.parse(outage.resolvedAt ?? input.now.toISOString()) - Date.parse(startedAt),
    lang,
  );
  const maxMembers = input.maxMembers ?? 10;
  const maxButtons = input.maxMemberButtons ?? 5;
  const ref = (op: OutageActionRef['op'], incident?: string) =>
    encodeOutageActionRef({
      v: 1,
      scope: 'outage',
      op,
      outage: outage.id,
      lang,
      ...(incident ? { incident } : {}),
    });

  const summary =
    causes.length > 0
      ? `${L.causes.heading}: ${causes
          .slice(0, MAX_CHECKED_CAUSES)
          .map((c) => causeLine(c, total, catalog, lang))
          .join('; ')}`
      : L.causes.none(outage.key.kind === 'family' ? outage.key.family.toUpperCase() : cause);

  const notes: string[] = [];
  const held = open ? (input.held ?? []) : [];
  if (open) notes.push(L.held);
  if (held.length > 0) {
    const shown = held.slice(0, SERVERS_PER_GROUP).map((h) => L.heldNow.item(h.title, h.server));
    const rest = held.length - shown.length;
    notes.push(
      L.heldNow.line(
        held.length,
        rest > 0 ? `${shown.join('; ')}; ${L.more(rest)}` : shown.join('; '),
      ),
    );
  } else {
    notes.push(L.resolved.summary(duration, servers, total));
    const done = input.done ?? [];
    if (done.length === 0) notes.push(L.resolved.noChanges);
    else notes.push(`${L.resolved.done} ${done.join('; ')}`);
  }
  for (const g of affectedGroups(outage)) {
    const shown = g.servers.slice(0, SERVERS_PER_GROUP).join(', ');
    const rest = g.servers.length - SERVERS_PER_GROUP;
    notes.push(
      L.affected(
        g.healthSet ?? L.unknownHealthSet,
        g.site,
        g.servers.length,
        rest > 0 ? `${shown}, ${L.more(rest)}` : shown,
      ),
    );
  }
  for (const m of members.slice(0, maxMembers)) notes.push(memberLine(m, lang));
  if (total > maxMembers) notes.push(L.membersShown(maxMembers, total));

  const steps = dependencyChecks(outage, catalog, lang);
  const actions: CardAction[] = [];
  if (open && steps.some((s) => s.actionable)) {
    actions.push({
      id: 'outage-run-checks',
      label: L.button.runChecks,
      style: 'primary',
      value: ref('run-dependency-checks'),
    });
  }
  if (held.length > 0) {
    actions.push({
      id: 'outage-release-holds',
      label: L.button.releaseHolds,
      style: 'danger',
      value: ref('release-holds'),
      needsReason: {
        title: L.release.title,
        label: L.release.label,
        submit: L.release.submit,
        optional: false,
      },
    });
  }
  members.slice(0, maxButtons).forEach((m, i) => {
    actions.push({
      id: `outage-member-${i}`,
      label: clip(L.button.openMember(m.server, m.healthSet ?? L.unknownHealthSet), 75),
      style: 'default',
      value: ref('open-member', m.incidentId),
    });
  });
  if (total > maxButtons) {
    actions.push({
      id: 'outage-show-members',
      label: L.button.showMembers,
      style: 'default',
      value: ref('show-members'),
    });
  }

  const title = L.title(outage.site === '*' ? '*' : outage.site, cause);
  const subtitle = L.subtitle(total, servers);
  const status = open
    ? { label: L.status.open(openCount, total), tone: 'attention' as const }
    : { label: L.status.resolved(duration), tone: 'good' as const };
  return {
    version: 1,
    lang,
    title,
    subtitle,
    tone: open ? 'attention' : 'info',
    fallbackText: `${title}: ${subtitle}. ${status.label}`,
    summary,
    facts: [
      { key: 'status', label: L.fact.status, value: status.label },
      { key: 'firstSeen', label: L.fact.firstSeen, value: shortTime(startedAt) },
      { key: 'lastSeen', label: L.fact.lastSeen, value: shortTime(outageLastSeen(outage)) },
    ],
    notes,
    steps,
    actions,
    links: [],
    status,
  };
}

/** Every member, one line each: the thread listing ("All incidents in thread"). */
export function outageMemberLines(outage: Outage, lang: Lang): string[] {
  return orderedMembers(outage).map((m) => memberLine(m, lang));
}

/** The one message the thread gets when the outage resolves. */
export function outageResolvedMessage(
  outage: Outage,
  catalog: OutageCardInput['catalog'],
  lang: Lang,
): string {
  const duration = formatDuration(
    Date.parse(outage.resolvedAt ?? outage.changedAt) - Date.parse(outageStart(outage)),
    lang,
  );
  return OUTAGE_LABELS[lang].resolved.thread(
    outage.site,
    outageCause(outage, catalog, lang),
    duration,
    distinctServers(outage.members).length,
  );
}

/** What a member's own card (posted before it joined) says instead, once it joined. */
export function memberPointerText(
  outage: Outage,
  catalog: OutageCardInput['catalog'],
  lang: Lang,
): string {
  return OUTAGE_LABELS[lang].pointer(outage.site, outageCause(outage, catalog, lang));
}
