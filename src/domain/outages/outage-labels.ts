import type { Lang } from '../runbooks/text';

/**
 * The outage card's and the outage holds' words, per language, with the same keys. Kept here until
 * the lead moves them into the string catalogue (src/domain/strings/).
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
  };
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

const en: OutageLabels = {
  title: (site, cause) => `Outage in ${site}: ${cause}`,
  familyCause: (family) => `${family} health sets`,
  subtitle: (incidents, servers) =>
    `${incidents} ${incidents === 1 ? 'incident' : 'incidents'} on ${servers} ${servers === 1 ? 'server' : 'servers'}`,
  fact: { status: 'Status', firstSeen: 'First seen', lastSeen: 'Last seen' },
  status: {
    open: (open, total) => `Open: ${open} of ${total} incidents still failing`,
    resolved: (duration) => `Resolved after ${duration}`,
  },
  causes: {
    heading: 'Likely cause',
    sharedByAll: (name, members) => `${name}: every failing probe depends on it (${members})`,
    shared: (name, members, total) => `${name}: ${members} of ${total} failing probes depend on it`,
    none: (family) =>
      `No shared dependency is known: the same ${family} health sets fail on many servers.`,
  },
  affected: (healthSet, site, servers, list) =>
    `${healthSet} in ${site}: ${servers} ${servers === 1 ? 'server' : 'servers'} (${list})`,
  unknownHealthSet: '(no health set)',
  more: (n) => `+${n} more`,
  member: (server, healthSet, monitor, state, at) =>
    `${server} · ${healthSet} · ${monitor} · ${state} · ${at}`,
  memberState: { open: 'failing', resolved: 'resolved' },
  membersShown: (shown, total) => `Showing ${shown} of ${total} incidents; all are in the thread.`,
  held: 'Changes for these incidents (service restarts, failovers) are held: a restart cannot fix a shared dependency. Check the dependencies first.',
  dependencyCheck: {
    text: (name, server) => `Check ${name} from ${server}`,
    condition: 'Before any change to a member incident',
  },
  resolved: {
    summary: (duration, servers, incidents) =>
      `Resolved after ${duration}: ${servers} servers, ${incidents} incidents.`,
    noChanges: 'No change was run: the incidents recovered by themselves.',
    done: 'What was done:',
    thread: (site, cause, duration, servers) =>
      `Outage in ${site} (${cause}) resolved after ${duration}; ${servers} servers recovered.`,
  },
  pointer: (site, cause) => `Part of the outage in ${site} (${cause}): see the outage card.`,
  button: {
    runChecks: 'Run dependency checks',
    openMember: (server, healthSet) => `${server} ${healthSet}`,
    showMembers: 'All incidents in thread',
  },
  duration: {
    seconds: (s) => `${s} s`,
    minutes: (m) => `${m} min`,
    hours: (h, m) => (m === 0 ? `${h} h` : `${h} h ${m} min`),
  },
  hold: {
    outageMember: (cause) =>
      `Held: this incident is part of an outage (likely cause ${cause}). Run the dependency checks on the outage card first.`,
    siteChanges: (site, limit, running) =>
      `Held: ${site} already runs ${limit} ${limit === 1 ? 'change' : 'changes'} at once (the limit): ${running}.`,
    dagDestructive: (dag, running) =>
      `Held: DAG ${dag} already has a destructive change running: ${running}.`,
    siteChecks: (site, limit) =>
      `Waiting: ${site} has an outage and already runs ${limit} checks at once (the limit).`,
    runningChange: (title, server) => `${title} on ${server}`,
  },
  kind: { check: 'Check' },
  state: { pending: 'Not run' },
};

const zhTW: OutageLabels = {
  title: (site, cause) => `${site} 中斷：${cause}`,
  familyCause: (family) => `${family} 健全設定`,
  subtitle: (incidents, servers) => `${servers} 部伺服器上的 ${incidents} 個事件`,
  fact: { status: '狀態', firstSeen: '首次出現', lastSeen: '最後出現' },
  status: {
    open: (open, total) => `進行中：${total} 個事件中仍有 ${open} 個失敗`,
    resolved: (duration) => `已於 ${duration} 後解決`,
  },
  causes: {
    heading: '可能原因',
    sharedByAll: (name, members) => `${name}：所有失敗的探查都相依於它（${members}）`,
    shared: (name, members, total) => `${name}：${total} 個失敗的探查中有 ${members} 個相依於它`,
    none: (family) => `沒有已知的共同相依性：許多伺服器上相同的 ${family} 健全設定失敗。`,
  },
  affected: (healthSet, site, servers, list) =>
    `${site} 的 ${healthSet}：${servers} 部伺服器（${list}）`,
  unknownHealthSet: '（無健全設定）',
  more: (n) => `另有 ${n} 個`,
  member: (server, healthSet, monitor, state, at) =>
    `${server} · ${healthSet} · ${monitor} · ${state} · ${at}`,
  memberState: { open: '失敗中', resolved: '已解決' },
  membersShown: (shown, total) => `顯示 ${total} 個事件中的 ${shown} 個；全部列在討論串中。`,
  held: '這些事件的變更（重新啟動服務、容錯移轉）已暫緩：重新啟動無法修復共同的相依性。請先檢查相依性。',
  dependencyCheck: {
    text: (name, server) => `從 ${server} 檢查 ${name}`,
    condition: '在變更任何成員事件之前',
  },
  resolved: {
    summary: (duration, servers, incidents) =>
      `已於 ${duration} 後解決：${servers} 部伺服器、${incidents} 個事件。`,
    noChanges: '未執行任何變更：事件已自行復原。',
    done: '已執行的動作：',
    thread: (site, cause, duration, servers) =>
      `${site} 的中斷（${cause}）已於 ${duration} 後解決；${servers} 部伺服器已復原。`,
  },
  pointer: (site, cause) => `屬於 ${site} 的中斷（${cause}）：請參閱中斷卡片。`,
  button: {
    runChecks: '執行相依性檢查',
    openMember: (server, healthSet) => `${server} ${healthSet}`,
    showMembers: '在討論串中列出全部事件',
  },
  duration: {
    seconds: (s) => `${s} 秒`,
    minutes: (m) => `${m} 分鐘`,
    hours: (h, m) => (m === 0 ? `${h} 小時` : `${h} 小時 ${m} 分鐘`),
  },
  hold: {
    outageMember: (cause) =>
      `已暫緩：此事件屬於一個中斷（可能原因：${cause}）。請先在中斷卡片上執行相依性檢查。`,
    siteChanges: (site, limit, running) =>
      `已暫緩：${site} 已同時執行 ${limit} 個變更（上限）：${running}。`,
    dagDestructive: (dag, running) => `已暫緩：DAG ${dag} 已有一個破壞性變更正在執行：${running}。`,
    siteChecks: (site, limit) => `等待中：${site} 有中斷，且已同時執行 ${limit} 個檢查（上限）。`,
    runningChange: (title, server) => `${server} 上的 ${title}`,
  },
  kind: { check: '檢查' },
  state: { pending: '尚未執行' },
};

export const OUTAGE_LABELS: Record<Lang, OutageLabels> = { en, 'zh-TW': zhTW };

/** A duration as people read it: "45 s", "14 min", "2 h 5 min". */
export function formatDuration(ms: number, lang: Lang): string {
  const L = OUTAGE_LABELS[lang].duration;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return L.seconds(s);
  const m = Math.round(s / 60);
  if (m < 60) return L.minutes(m);
  return L.hours(Math.floor(m / 60), m % 60);
}
