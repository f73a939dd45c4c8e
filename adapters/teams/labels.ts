import type { Lang } from '../../src/domain/runbooks/text';

/** Words only the Teams rendering needs; the card's own texts come with the Card. */
export interface TeamsLabels {
  requests: string;
  risk: Record<'read' | 'change' | 'destructive', string>;
  server: string;
  moreSteps: (n: number) => string;
  moreRequests: (n: number) => string;
  reasonRequired: string;
  truncated: (from: number) => string;
  fullOutput: string;
  onlyForYou: string;
  links: string;
}

const en: TeamsLabels = {
  requests: 'Approval requests',
  risk: { read: 'read-only', change: 'change', destructive: 'destructive' },
  server: 'Server',
  moreSteps: (n) =>
    `${n} more step${n === 1 ? ' is' : 's are'} not shown (Teams card size limit). ` +
    'Ask the bot for the runbook to see the whole procedure.',
  moreRequests: (n) => `${n} older request${n === 1 ? '' : 's'} not shown.`,
  reasonRequired: 'Please give a reason.',
  truncated: (from) => `Output shortened (${from} characters in full).`,
  fullOutput: 'Full output',
  onlyForYou: 'only for you',
  links: 'Links',
};

const zhTW: TeamsLabels = {
  requests: '核准要求',
  risk: { read: '唯讀', change: '變更', destructive: '破壞性' },
  server: '伺服器',
  moreSteps: (n) =>
    `另有 ${n} 個步驟未顯示（Teams 卡片大小限制）。請向機器人查詢手冊以檢視完整程序。`,
  moreRequests: (n) => `另有 ${n} 個較早的要求未顯示。`,
  reasonRequired: '請輸入原因。',
  truncated: (from) => `輸出已截短（完整共 ${from} 個字元）。`,
  fullOutput: '完整輸出',
  onlyForYou: '僅您可見',
  links: '連結',
};

export const TEAMS_LABELS: Record<Lang, TeamsLabels> = { en, 'zh-TW': zhTW };
