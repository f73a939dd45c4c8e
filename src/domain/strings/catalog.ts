import { LANGS, type Lang, type LocalizedText } from '../runbooks/text';
import { en } from './en';
import { zhTW } from './zh-TW';

/**
 * The one catalogue of user-facing strings, shared by the core, every adapter and the console's
 * page. A string's values are `{name}` placeholders, typed from the English text, so a call that
 * forgets or misspells one does not compile.
 */
export type StringKey = keyof typeof en;

export const CATALOG: Readonly<Record<Lang, Readonly<Record<StringKey, string>>>> = {
  en,
  'zh-TW': zhTW,
};

/** The `{placeholder}` names in a string literal type. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | Placeholders<Rest>
  : never;

/** The values a key's string takes. */
export type ParamsOf<K extends StringKey> = Placeholders<(typeof en)[K]>;

/** The keys whose strings take no values. */
export type PlainKey = { [K in StringKey]: [ParamsOf<K>] extends [never] ? K : never }[StringKey];

export type Params<K extends StringKey> = Readonly<Record<ParamsOf<K>, string | number>>;

/** No second argument for a string without placeholders, a required one otherwise. */
type ArgsOf<K extends StringKey> = [ParamsOf<K>] extends [never] ? [] : [params: Params<K>];

const PLACEHOLDER = /\{(\w+)\}/g;

/** Fills `{name}` from `params`; a name without a value stays as written. */
export function format(text: string, params: Readonly<Record<string, string | number>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The string for `key` in `lang` (English when the language is not one we know). */
export function t<K extends StringKey>(lang: Lang, key: K, ...args: ArgsOf<K>): string {
  const text = (CATALOG[lang] ?? CATALOG.en)[key];
  const params = args[0];
  return params ? format(text, params) : text;
}

/** Keys of plural pairs: `<base>.one` and `<base>.other`. */
export type PluralKey = {
  [K in StringKey]: K extends `${infer B}.one`
    ? `${B}.other` extends StringKey
      ? B
      : never
    : never;
}[StringKey];

type PluralParams<B extends PluralKey> = Omit<Params<`${B}.other` & StringKey>, 'count'>;
type PluralArgs<B extends PluralKey> = [keyof PluralParams<B>] extends [never]
  ? []
  : [params: PluralParams<B>];

/** The plural form for `count` (also given as `{count}`). */
export function plural<B extends PluralKey>(
  lang: Lang,
  base: B,
  count: number,
  ...args: PluralArgs<B>
): string {
  const key = `${base}.${count === 1 ? 'one' : 'other'}` as StringKey;
  const text = (CATALOG[lang] ?? CATALOG.en)[key];
  return format(text, { ...(args[0] ?? {}), count });
}

/**
 * The string of a key built from run-time data (a verdict, a state), if the catalogue has one:
 * untyped, so only for keys without placeholders.
 */
export function lookup(lang: Lang, key: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(en, key)) return undefined;
  return (CATALOG[lang] ?? CATALOG.en)[key as StringKey];
}

/** A string in every language, for data that carries its own texts (command summaries, banners). */
export function inAllLangs<K extends StringKey>(
  key: K,
  ...args: ArgsOf<K>
): LocalizedText & Record<Lang, string> {
  const out = {} as Record<Lang, string>;
  for (const lang of LANGS) out[lang] = t(lang, key, ...args);
  return out;
}

/** The strings whose keys start with `prefix`, per language: what a page outside TypeScript gets. */
export function stringsWithPrefix(prefix: string): Record<Lang, Record<string, string>> {
  const out = {} as Record<Lang, Record<string, string>>;
  for (const lang of LANGS) {
    out[lang] = Object.fromEntries(
      Object.entries(CATALOG[lang]).filter(([key]) => key.startsWith(prefix)),
    );
  }
  return out;
}

/** The keys of texts the domain builds in English and `localizeText` shows in another language. */
const SAID = (key: string): boolean =>
  key.startsWith('said.') || key === 'approval.withdrawnOutcome';

const ROLE = '(?:an? )?(?:viewer|operator|approver|admin)';
const STATE = '(?:pending|approved|rejected|expired|cancelled|running|succeeded|failed|unknown)';

/**
 * Placeholders whose values are a closed set of words: matched only as such (so two placeholders
 * may stand side by side), and shown through their own keys.
 */
const CLOSED: Record<string, { pattern: string; show: (lang: Lang, v: string) => string }> = {
  role: { pattern: ROLE, show: (lang, v) => said(lang, `said.role.${v.replace(/^an? /, '')}`, v) },
  needed: {
    pattern: ROLE,
    show: (lang, v) => said(lang, `said.role.${v.replace(/^an? /, '')}`, v),
  },
  risk: {
    pattern: '(?:read|change|destructive)',
    show: (lang, v) => said(lang, `request.risk.${v}`, v),
  },
  state: { pattern: STATE, show: (lang, v) => said(lang, `said.state.${v}`, v) },
  to: { pattern: STATE, show: (lang, v) => said(lang, `said.state.${v}`, v) },
  kind: {
    pattern: '(?:check|change|destructive|wait|manual|goto)',
    show: (lang, v) => said(lang, `card.kind.${v}`, v),
  },
  param: { pattern: '[A-Za-z]+', show: (lang, v) => said(lang, `card.fact.${v}`, v) },
  what: {
    pattern: '(?:server|mailbox server \\(_Mbx:\\))',
    show: (lang, v) =>
      said(lang, v === 'server' ? 'card.fact.server' : 'card.fact.relatedServer', v),
  },
  count: { pattern: '\\d+', show: (_lang, v) => v },
};

/**
 * Open placeholders that never hold a list of texts ("…; …") outside quotes, so
 * "{server}: {problems}" matches one item of such a list, not the whole.
 */
const ITEM = '(?:[^;"]|"[^"]*")+?'; // a quoted value ("EX01;x") may hold anything
const ONE_ITEM: Record<string, string> = { server: ITEM, problem: ITEM, problems: ITEM };

function said(lang: Lang, key: string, fallback: string): string {
  return lookup(lang, key) ?? fallback;
}

interface Template {
  key: StringKey;
  re: RegExp;
  names: string[];
}
let templates: Template[] | null = null;

/** The English texts as patterns, the most specific (most fixed text) first. */
function compiled(): Template[] {
  if (templates) return templates;
  const list = (Object.keys(en) as StringKey[]).filter(SAID).map((key) => {
    const text: string = en[key];
    const names: string[] = [];
    let source = '';
    let last = 0;
    for (const m of text.matchAll(PLACEHOLDER)) {
      source += escapeRe(text.slice(last, m.index));
      const name = m[1]!;
      names.push(name);
      source += `(${CLOSED[name]?.pattern ?? ONE_ITEM[name] ?? '.+?'})`;
      last = m.index + m[0].length;
    }
    source += escapeRe(text.slice(last));
    const fixed = text.replace(PLACEHOLDER, '').length;
    return { key, re: new RegExp(`^${source}$`, 's'), names, fixed };
  });
  list.sort((a, b) => b.fixed - a.fixed);
  templates = list;
  return list;
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A text the domain built in English from the catalogue (a refusal of the approval rules or the
 * run machine, a result's summary, a parser's error), in `lang`. The rules answer without
 * knowing who reads the answer, and what they say is stored and audited in English; the chat
 * side shows it in the channel's language. Values are shown in `lang` too when they are texts
 * of their own (a refusal inside a refusal, a role, a risk). A text no catalogue string made (a
 * server's own error, an operator's words) comes back as it is.
 */
export function localizeText(lang: Lang, text: string): string {
  if (lang === 'en' || text === '') return text;
  for (const tpl of compiled()) {
    const m = tpl.re.exec(text);
    if (!m) continue;
    const params: Record<string, string> = {};
    tpl.names.forEach((name, i) => {
      const value = m[i + 1] ?? '';
      params[name] = CLOSED[name] ? CLOSED[name].show(lang, value) : localizeText(lang, value);
    });
    return format((CATALOG[lang] ?? CATALOG.en)[tpl.key], params);
  }
  // Several texts in one ("server: …; probe: …", "status Failed, copy queue 12 (needs < 10)").
  for (const [sep, joined] of [
    ['; ', '；'],
    [', ', '、'],
  ] as const) {
    if (!text.includes(sep)) continue;
    const parts = text.split(sep);
    const shown = parts.map((p) => localizeText(lang, p));
    if (shown.some((p, i) => p !== parts[i])) return shown.join(joined);
  }
  return text;
}

/** A typed action's title in `lang` (`action.<id>`); `fallback` (its English title) otherwise. */
export function actionTitle(lang: Lang, actionId: string, fallback: string = actionId): string {
  return lookup(lang, `action.${actionId}`) ?? fallback;
}
