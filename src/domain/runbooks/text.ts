/** Languages a runbook text and a card can be in. `en` is the default and the fallback. */
export const LANGS = ['en', 'zh-TW'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

/** A text in several languages; `en` is required so every fallback has something to show. */
export interface LocalizedText {
  en: string;
  'zh-TW'?: string | undefined;
}

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/** The text in `lang`, else in English. */
export function pickText(text: LocalizedText, lang: Lang): string {
  const wanted = text[lang];
  return wanted !== undefined && wanted.trim() !== '' ? wanted : text.en;
}
