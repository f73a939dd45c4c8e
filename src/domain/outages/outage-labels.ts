import type { Lang } from '../runbooks/text';
import { plural, t } from '../strings';

/**
 * The outage card's and the outage holds' words, per language, with the same keys: a typed view
 * of the string catalogue's `outage.*` keys (src/domain/strings/), which holds the texts.
 */
export interface OutageLabels {
  title: (site: string, cause: string) => string;
  familyCause: (family: string) => string;
  subtitle: (incidents: number, servers: number) => string;
  fact: { status: string; firstSeen: string; lastSeen: string };
  status: {
    open: (open: number, total: number) => string;
    resolved: (duration: string) => string;
  };
  causes: {
    heading: string;
    sharedByAll: (name: string, members: number) => string;
    shared: (name: string, members: number, total: number) => string;
    none: (family: string) => string;
  };
  affected: (healthSet: string, site: string, servers: number, list: string) => string;
  unknownHealthSet: string;
  more: (n: number) => string;
  member: (server: string, healthSet: string, monitor: string, state: string, at: string) => string;
  memberState: { open: string; resolved: string };
  membersShown: (shown: number, total: number) => string;
  held: string;
  dependencyCheck: {
    text: (name: string, server: string) => string;
    condition: string;
    noHealthSet: (name: string) => string;
  };
  resolved: {
    summary: (duration: string, servers: number, incidents: number) => string;
    noChanges: string;
    done: string;
    thread: (site: string, cause: string, duration: string, servers: number) => string;
  };
  pointer: (site: string, cause: string) => string;
  button: {
    runChecks: string;
    openMember: (server: string, healthSet: string) => string;
    showMembers: string;
    releaseHolds: string;
  };
  heldNow: {
    line: (count: number, list: string) => string;
    item: (title: string, server: string) => string;
  };
  release: { title: string; label: string; submit: string };
  duration: {
    minutes: (m: number) => string;
    hours: (h: number, m: number) => string;
    seconds: (s: number) => string;
  };
  hold: {
    outageMember: (cause: string) => string;
    siteChanges: (site: string, limit: number, running: string) => string;
    dagDestructive: (dag: string, running: string) => string;
    siteChecks: (site: string, limit: number) => string;
    runningChange: (title: string, server: string) => string;
  };
  kind: { check: string };
  state: { pending: string };
}

/** The labels of one language, from the string catalogue (`outage.*` keys). */
function labels(lang: Lang): OutageLabels {
  const servers = (count: number) => plural(lang, 'outage.servers', count);
  return {
    title: (site, cause) => t(lang, 'outage.title', { site, cause }),
    familyCause: (family) => t(lang, 'outage.familyCause', { family }),
    subtitle: (incidents, n) =>
      t(lang, 'outage.subtitle', {
        incidents: plural(lang, 'outage.incidents', incidents),
        servers: servers(n),
      }),
    fact: {
      status: t(lang, 'outage.fact.status'),
      firstSeen: t(lang, 'outage.fact.firstSeen'),
      lastSeen: t(lang, 'outage.fact.lastSeen'),
    },
    status: {
      open: (open, total) => t(lang, 'outage.status.open', { open, total }),
      resolved: (duration) => t(lang, 'outage.status.resolved', { duration }),
    },
    causes: {
      heading: t(lang, 'outage.causes.heading'),
      sharedByAll: (name, members) => t(lang, 'outage.causes.sharedByAll', { name, members }),
      shared: (name, members, total) => t(lang, 'outage.causes.shared', { name, members, total }),
      none: (family) => t(lang, 'outage.causes.none', { family }),
    },
    affected: (healthSet, site, n, list) =>
      t(lang, 'outage.affected', { healthSet, site, servers: servers(n), list }),
    unknownHealthSet: t(lang, 'outage.unknownHealthSet'),
    more: (n) => t(lang, 'outage.more', { n }),
    member: (server, healthSet, monitor, state, at) =>
      t(lang, 'outage.member', { server, healthSet, monitor, state, at }),
    memberState: {
      open: t(lang, 'outage.memberState.open'),
      resolved: t(lang, 'outage.memberState.resolved'),
    },
    membersShown: (shown, total) => t(lang, 'outage.membersShown', { shown, total }),
    held: t(lang, 'outage.held'),
    dependencyCheck: {
      text: (name, server) => t(lang, 'outage.dependencyCheck.text', { name, server }),
      condition: t(lang, 'outage.dependencyCheck.condition'),
      noHealthSet: (name) => t(lang, 'outage.dependencyCheck.noHealthSet', { name }),
    },
    resolved: {
      summary: (duration, n, incidents) =>
        t(lang, 'outage.resolved.summary', { duration, servers: n, incidents }),
      noChanges: t(lang, 'outage.resolved.noChanges'),
      done: t(lang, 'outage.resolved.done'),
      thread: (site, cause, duration, n) =>
        t(lang, 'outage.resolved.thread', { site, cause, duration, servers: n }),
    },
    pointer: (site, cause) => t(lang, 'outage.pointer', { site, cause }),
    button: {
      runChecks: t(lang, 'outage.button.runChecks'),
      openMember: (server, healthSet) => t(lang, 'outage.button.openMember', { server, healthSet }),
      showMembers: t(lang, 'outage.button.showMembers'),
      releaseHolds: t(lang, 'outage.button.releaseHolds'),
    },
    heldNow: {
      line: (count, list) => plural(lang, 'outage.heldNow', count, { list }),
      item: (title, server) => t(lang, 'outage.hold.runningChange', { title, server }),
    },
    release: {
      title: t(lang, 'outage.release.title'),
      label: t(lang, 'outage.release.label'),
      submit: t(lang, 'outage.release.submit'),
    },
    duration: {
      seconds: (s) => t(lang, 'outage.duration.seconds', { s }),
      minutes: (m) => t(lang, 'outage.duration.minutes', { m }),
      hours: (h, m) =>
        m === 0
          ? t(lang, 'outage.duration.hours', { h })
          : t(lang, 'outage.duration.hoursMinutes', { h, m }),
    },
    hold: {
      outageMember: (cause) => t(lang, 'outage.hold.outageMember', { cause }),
      siteChanges: (site, limit, running) =>
        plural(lang, 'outage.hold.siteChanges', limit, { site, running }),
      dagDestructive: (dag, running) => t(lang, 'outage.hold.dagDestructive', { dag, running }),
      siteChecks: (site, limit) => t(lang, 'outage.hold.siteChecks', { site, limit }),
      runningChange: (title, server) => t(lang, 'outage.hold.runningChange', { title, server }),
    },
    kind: { check: t(lang, 'outage.kind.check') },
    state: { pending: t(lang, 'outage.state.pending') },
  };
}

export const OUTAGE_LABELS: Record<Lang, OutageLabels> = {
  en: labels('en'),
  'zh-TW': labels('zh-TW'),
};

/** A duration as people read it: "45 s", "14 min", "2 h 5 min". */
export function formatDuration(ms: number, lang: Lang): string {
  const L = OUTAGE_LABELS[lang].duration;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return L.seconds(s);
  const m = Math.round(s / 60);
  if (m < 60) return L.minutes(m);
  return L.hours(Math.floor(m / 60), m % 60);
}
