import type { MatchedBy } from '../runbooks/match-runbook';
import type { Outcome, ServerRole, StepKind } from '../runbooks/schema';
import type { Lang } from '../runbooks/text';
import type { CardFact, StepState } from './card';

/** The card's own words, per language. Runbook texts come from the runbook files. */
export interface Labels {
  kind: Record<StepKind, string>;
  state: Record<StepState, string>;
  fact: Record<CardFact['key'], string>;
  role: Record<ServerRole, string>;
  matchedBy: Record<MatchedBy, string>;
  source: Record<'seed' | 'derived' | 'operator', string>;
  unknown: string;
  invalid: (name: string) => string;
  outcome: (step: string, outcome: Outcome) => string;
  onlyRole: (role: ServerRole) => string;
  roleUnknown: string;
  and: string;
  wait: (minutes: number) => string;
  repeat: (seconds: number, times: number) => string;
  gotoMonitorRecovery: string;
  gotoSection: (title: string) => string;
  onServer: (name: string) => string;
  blocked: (problems: string) => string;
  note: string;
  button: {
    runCheck: string;
    requestApproval: string;
    markDone: string;
    openSection: string;
    runChecks: string;
    verifyFirst: string;
    otherLang: string;
    withRole: (label: string, role: string) => string;
  };
  confirm: {
    title: string;
    text: (server: string, command: string) => string;
    confirm: string;
    deny: string;
  };
}

const en: Labels = {
  kind: {
    check: 'Check',
    change: 'Change (needs approval)',
    destructive: 'Destructive (strict approval)',
    wait: 'Wait',
    manual: 'Manual',
    goto: 'Go to',
  },
  state: {
    pending: 'Pending',
    'not-applicable': 'Not applicable',
    blocked: 'Blocked',
    'awaiting-approval': 'Awaiting approval',
    running: 'Running',
    succeeded: 'Succeeded',
    failed: 'Failed',
    skipped: 'Skipped',
    done: 'Done',
  },
  fact: {
    healthSet: 'Health set',
    monitor: 'Monitor',
    probe: 'Probe',
    server: 'Server',
    relatedServer: 'Mailbox server (_Mbx)',
    role: 'Server role',
    matchedBy: 'Matched by',
    source: 'Source',
    severity: 'Severity',
    status: 'Status',
    firstSeen: 'First seen',
    lastSeen: 'Last seen',
    occurrences: 'Occurrences',
    verdict: 'Verify verdict',
    incident: 'Incident',
  },
  role: { 'client-access': 'Client Access', mailbox: 'Mailbox' },
  matchedBy: {
    monitor: 'monitor name',
    'monitor-alias': 'monitor alias',
    probe: 'probe',
    'health-set': 'health set (verify procedure)',
    generic: 'no runbook (generic verify procedure)',
  },
  source: {
    seed: 'seed runbook',
    derived: 'derived from Microsoft documentation',
    operator: 'operator runbook',
  },
  unknown: 'unknown',
  invalid: (name) => `${name} (not a valid server name)`,
  outcome: (step, outcome) =>
    outcome === 'done'
      ? `only after step ${step} ran`
      : `only if step ${step} ${outcome === 'failed' ? 'failed' : 'succeeded'}`,
  onlyRole: (role) => `only on a ${en.role[role]} server`,
  roleUnknown: 'server role unknown: decide before running',
  and: ' and ',
  wait: (m) => `Waits ${m} minute${m === 1 ? '' : 's'} first.`,
  repeat: (s, n) =>
    `Repeats every ${s} s until it succeeds, at most ${n} times; otherwise the procedure stops here.`,
  gotoMonitorRecovery: 'Continues with the recovery section of the failing monitor.',
  gotoSection: (title) => `Continues with: ${title}`,
  onServer: (name) => ` (on ${name})`,
  blocked: (p) => `Cannot run: ${p}`,
  note: 'Note',
  button: {
    runCheck: 'Run check',
    requestApproval: 'Request approval',
    markDone: 'Mark done',
    openSection: 'Open section',
    runChecks: 'Run read-only checks',
    verifyFirst: 'Verify first',
    otherLang: '中文',
    withRole: (label, role) => `${label}: ${role}`,
  },
  confirm: {
    title: 'Request approval?',
    text: (server, command) => `This asks for approval to run on ${server}:\n${command}`,
    confirm: 'Request approval',
    deny: 'Cancel',
  },
};

const zhTW: Labels = {
  kind: {
    check: '檢查',
    change: '變更（需核准）',
    destructive: '破壞性（需嚴格核准）',
    wait: '等候',
    manual: '人工',
    goto: '前往',
  },
  state: {
    pending: '待執行',
    'not-applicable': '不適用',
    blocked: '無法執行',
    'awaiting-approval': '等候核准',
    running: '執行中',
    succeeded: '成功',
    failed: '失敗',
    skipped: '已略過',
    done: '已完成',
  },
  fact: {
    healthSet: '健全設定',
    monitor: '監視器',
    probe: '探查',
    server: '伺服器',
    relatedServer: '信箱伺服器 (_Mbx)',
    role: '伺服器角色',
    matchedBy: '比對方式',
    source: '來源',
    severity: '嚴重性',
    status: '狀態',
    firstSeen: '首次出現',
    lastSeen: '最近出現',
    occurrences: '發生次數',
    verdict: '確認結果',
    incident: '事件',
  },
  role: { 'client-access': '用戶端存取', mailbox: '信箱' },
  matchedBy: {
    monitor: '監視器名稱',
    'monitor-alias': '監視器別名',
    probe: '探查',
    'health-set': '健全設定（確認程序）',
    generic: '無手冊（通用確認程序）',
  },
  source: { seed: '原始手冊', derived: '取材自 Microsoft 文件', operator: '營運人員手冊' },
  unknown: '不明',
  invalid: (name) => `${name}（不是有效的伺服器名稱）`,
  outcome: (step, outcome) =>
    outcome === 'done'
      ? `僅在步驟 ${step} 執行後`
      : `僅在步驟 ${step} ${outcome === 'failed' ? '失敗' : '成功'}時`,
  onlyRole: (role) => `僅限${zhTW.role[role]}伺服器`,
  roleUnknown: '伺服器角色不明：執行前請確認',
  and: '，且',
  wait: (m) => `先等候 ${m} 分鐘。`,
  repeat: (s, n) => `每 ${s} 秒重複一次，直到成功，最多 ${n} 次；否則程序在此停止。`,
  gotoMonitorRecovery: '接著執行失敗監視器的復原動作。',
  gotoSection: (title) => `接著執行：${title}`,
  onServer: (name) => `（於 ${name}）`,
  blocked: (p) => `無法執行：${p}`,
  note: '附註',
  button: {
    runCheck: '執行檢查',
    requestApproval: '要求核准',
    markDone: '標示為完成',
    openSection: '開啟章節',
    runChecks: '執行唯讀檢查',
    verifyFirst: '先確認問題',
    otherLang: 'English',
    withRole: (label, role) => `${label}：${role}`,
  },
  confirm: {
    title: '要求核准？',
    text: (server, command) => `這會要求核准在 ${server} 上執行：\n${command}`,
    confirm: '要求核准',
    deny: '取消',
  },
};

export const LABELS: Record<Lang, Labels> = { en, 'zh-TW': zhTW };
