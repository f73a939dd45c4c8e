/**
 * The demo's own texts, in both languages; the lead moves them into the string catalogue
 * (src/domain/strings/) when it lands.
 */
export type DemoLang = 'en' | 'zh-TW';

export interface DemoLabels {
  banner(servers: string, sites: string[], waitSeconds: number): string;
}

export const DEMO_LABELS: Record<DemoLang, DemoLabels> = {
  en: {
    banner: (servers, sites, waitSeconds) =>
      `Demo: simulated Exchange (${servers} in sites ${sites.join(' and ')}). The runbook's ` +
      `10-minute waits last ${waitSeconds} s here. Ask as alice (operator), approve as bob or ` +
      'carol (approvers); ana is an admin.',
  },
  'zh-TW': {
    banner: (servers, sites, waitSeconds) =>
      `示範：模擬的 Exchange（${servers}，位於站台 ${sites.join('、')}）。Runbook 的 10 分鐘等候` +
      `在此只需 ${waitSeconds} 秒。請以 alice（操作員）提出要求，以 bob 或 carol（核准者）核准；` +
      'ana 是管理員。',
  },
};
