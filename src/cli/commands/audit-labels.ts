/**
 * Texts of `audit` that are new here, in both languages; the lead moves them into the string
 * catalogue (src/domain/strings/) when it lands.
 */
export const AUDIT_LABELS = {
  en: {
    empty: (prefix: string, redis: string) =>
      `audit trail empty: no entries under the prefix ${prefix} in ${redis}. ` +
      "If the bot has run, set REDIS_PREFIX and REDIS_URL to the bot's (the demo uses " +
      'exchops-demo).\n',
  },
  'zh-TW': {
    empty: (prefix: string, redis: string) =>
      `稽核記錄為空：${redis} 中前置詞 ${prefix} 下沒有任何項目。` +
      '若機器人已執行過，請將 REDIS_PREFIX 與 REDIS_URL 設為機器人所用的值（示範使用 exchops-demo）。\n',
  },
} as const;
