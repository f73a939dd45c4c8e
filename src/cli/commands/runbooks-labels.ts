import type { Lang } from '../../domain/runbooks/text';

/**
 * Texts of `runbooks show` that are new here, in both languages; the lead moves them into the
 * string catalogue (src/domain/strings/) when it lands.
 */
export interface RunbooksLabels {
  ambiguous(query: string): string;
  chooseWith(flag: string, qualified: string): string;
  or: string;
}

export const RUNBOOKS_LABELS: Record<Lang, RunbooksLabels> = {
  en: {
    ambiguous: (query) =>
      `runbooks show: "${query}" is a monitor in several health sets; which one did the alert name?`,
    chooseWith: (flag, qualified) =>
      `Choose with ${flag} (the alert's health set), or write the name as ${qualified}.`,
    or: ' or ',
  },
  'zh-TW': {
    ambiguous: (query) => `runbooks show：「${query}」是多個健全設定中的監視器；警示指的是哪一個？`,
    chooseWith: (flag, qualified) =>
      `請以 ${flag}（警示的健全設定）選擇，或將名稱寫成 ${qualified}。`,
    or: ' 或 ',
  },
};
