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
