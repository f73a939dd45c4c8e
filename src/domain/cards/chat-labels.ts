import { LABELS } from './labels';
import type { Lang } from '../runbooks/text';

/** The chat core's own words (incident cards, command answers), per language. */
export interface ChatLabels {
  fact: (typeof LABELS)[Lang]['fact'];
  unknownHealthSet: string;
  notActionable: string;
  incidentStatus: { open: string; resolved: string };
  verdict: Record<string, string>;
  waitShortened: (runbookSeconds: number, effectiveSeconds: number) => string;
  status: {
    resolved: string;
    recovered: string;
    transient: string;
    escalated: string;
    verifying: string;
    failed: string;
    stopped: string;
    inProgress: string;
    new: string;
    unknownOutcome: string;
    awaitingApproval: (title: string) => string;
    running: (title: string) => string;
    waiting: (until: string) => string;
    needsRequest: string;
  };
  button: {
    approve: string;
    reject: string;
    cancel: string;
    breakGlass: string;
    verifyNow: string;
  };
  reject: { title: string; label: string; submit: string };
  request: {
    risk: Record<'read' | 'change' | 'destructive', string>;
    step: string;
    server: string;
    requestedBy: string;
    approvedBy: string;
    expires: string;
    note: string;
    at: string;
    state: {
      pending: (until: string) => string;
      expiredPending: (at: string) => string;
      queued: string;
      approvedBy: (who: string, at: string) => string;
      breakGlass: (reason: string) => string;
      rejectedBy: (who: string, reason: string) => string;
      expired: (at: string) => string;
      cancelled: string;
      running: (since: string) => string;
      succeeded: string;
      failed: string;
      unknown: string;
    };
  };
  breakGlass: { title: string; label: string; submit: string };
}

const en: ChatLabels = {
  fact: LABELS.en.fact,
  unknownHealthSet: 'Unknown health set',
  notActionable:
    'The alert did not name a valid server, so nothing can be run from this card. Check the alert in SCOM.',
  incidentStatus: { open: 'Open', resolved: 'Resolved' },
  verdict: {
    pending: 'Verifying…',
    confirmed: 'Confirmed: the probe still fails',
    transient: 'Transient: the probe succeeds now',
    unknown: 'Unknown: the verify checks could not run',
  },
  waitShortened: (r, e) =>
    `Waits are shortened for the demo: the runbook's ${Math.round(r / 60)} min last ${e} s here.`,
  status: {
    resolved: 'Resolved',
    recovered: 'Recovered: the probe succeeds again',
    transient: 'Transient: already gone when verified',
    escalated: 'Escalated: the runbook is exhausted, contact support',
    verifying: 'Verifying the alert…',
    failed: 'A step failed: see the thread',
    stopped: 'Run stopped',
    inProgress: 'In progress',
    new: 'New',
    unknownOutcome: 'Outcome unknown: verify with the read-only check',
    awaitingApproval: (t) => `Waiting for approval: ${t}`,
    running: (t) => `Running: ${t}`,
    waiting: (u) => `Waiting until ${u}`,
    needsRequest: 'Confirmed: the next step needs someone to ask for approval',
  },
  button: {
    approve: 'Approve',
    reject: 'Reject',
    cancel: 'Cancel request',
    breakGlass: 'Break glass',
    verifyNow: 'Verify now',
  },
  reject: { title: 'Reject the request', label: 'Why?', submit: 'Reject' },
  request: {
    risk: { read: 'read-only', change: 'change', destructive: 'destructive' },
    step: 'Step',
    server: 'Server',
    requestedBy: 'Requested by',
    approvedBy: 'Approved by',
    expires: 'Expires',
    note: 'Note',
    at: 'at',
    state: {
      pending: (u) => `Waiting for approval until ${u}`,
      expiredPending: (a) => `Expired at ${a}`,
      queued: 'Runs without approval (queued)',
      approvedBy: (w, a) => `Approved by ${w} at ${a} (queued)`,
      breakGlass: (r) => ` (break glass: ${r})`,
      rejectedBy: (w, r) => `Rejected by ${w}: ${r}`,
      expired: (a) => `Expired at ${a} without a decision`,
      cancelled: 'Cancelled by the requester',
      running: (s) => `Running since ${s}`,
      succeeded: 'Succeeded',
      failed: 'Failed',
      unknown: 'Outcome unknown: the worker stopped mid-job. Verify with the read-only check.',
    },
  },
  breakGlass: {
    title: 'Break glass',
    label: 'Why must this run without a second person? (recorded in the audit trail)',
    submit: 'Approve',
  },
};

const zhTW: ChatLabels = {
  fact: LABELS['zh-TW'].fact,
  unknownHealthSet: '未知的健全設定',
  notActionable: '警示沒有指出有效的伺服器，因此無法從此卡片執行任何動作。請在 SCOM 中檢查警示。',
  incidentStatus: { open: '未結', resolved: '已解決' },
  verdict: {
    pending: '確認中…',
    confirmed: '已確認：探查仍然失敗',
    transient: '暫時性：探查現在成功',
    unknown: '未知：無法執行確認檢查',
  },
  waitShortened: (r, e) => `示範模式縮短等待：手冊的 ${Math.round(r / 60)} 分鐘在此為 ${e} 秒。`,
  status: {
    resolved: '已解決',
    recovered: '已復原：探查再次成功',
    transient: '暫時性：確認時已消失',
    escalated: '已升級：手冊步驟已用盡，請聯絡支援',
    verifying: '正在確認警示…',
    failed: '步驟失敗：請看討論串',
    stopped: '已停止執行',
    inProgress: '進行中',
    new: '新的',
    unknownOutcome: '結果未知：請以唯讀檢查確認',
    awaitingApproval: (t) => `等候核准：${t}`,
    running: (t) => `執行中：${t}`,
    waiting: (u) => `等候至 ${u}`,
    needsRequest: '已確認：下一步需要有人提出核准要求',
  },
  button: {
    approve: '核准',
    reject: '拒絕',
    cancel: '取消要求',
    breakGlass: '緊急授權',
    verifyNow: '立即確認',
  },
  reject: { title: '拒絕要求', label: '原因？', submit: '拒絕' },
  request: {
    risk: { read: '唯讀', change: '變更', destructive: '破壞性' },
    step: '步驟',
    server: '伺服器',
    requestedBy: '要求者',
    approvedBy: '核准者',
    expires: '到期',
    note: '備註',
    at: '於',
    state: {
      pending: (u) => `等候核准至 ${u}`,
      expiredPending: (a) => `已於 ${a} 到期`,
      queued: '不需核准即執行（已排入佇列）',
      approvedBy: (w, a) => `${w} 於 ${a} 核准（已排入佇列）`,
      breakGlass: (r) => `（緊急授權：${r}）`,
      rejectedBy: (w, r) => `${w} 拒絕：${r}`,
      expired: (a) => `已於 ${a} 到期，未有決定`,
      cancelled: '要求者已取消',
      running: (s) => `自 ${s} 起執行中`,
      succeeded: '成功',
      failed: '失敗',
      unknown: '結果未知：工作者在工作中途停止。請以唯讀檢查確認。',
    },
  },
  breakGlass: {
    title: '緊急授權',
    label: '為何必須在沒有第二人的情況下執行？（會記錄於稽核記錄）',
    submit: '核准',
  },
};

export const CHAT_LABELS: Record<Lang, ChatLabels> = { en, 'zh-TW': zhTW };
