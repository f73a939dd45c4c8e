import { LANGS } from '../runbooks/text';
import { CATALOG, format, inAllLangs, plural, stringsWithPrefix, t, type StringKey } from '.';

const keys = Object.keys(CATALOG.en) as StringKey[];
const placeholders = (text: string): string[] =>
  [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

test('every language has exactly the English keys', () => {
  for (const lang of LANGS) expect(Object.keys(CATALOG[lang]).sort()).toEqual([...keys].sort());
});

test.each(LANGS)('no %s string is empty', (lang) => {
  const empty = keys.filter(
    (k) => typeof CATALOG[lang][k] !== 'string' || !CATALOG[lang][k].trim(),
  );
  expect(empty).toEqual([]);
});

test('every language has the same placeholders as English', () => {
  const differ = LANGS.flatMap((lang) =>
    keys
      .filter((k) => placeholders(CATALOG[lang][k]).join() !== placeholders(CATALOG.en[k]).join())
      .map((k) => `${lang} ${k}: ${CATALOG[lang][k]}`),
  );
  expect(differ).toEqual([]);
});

test('braces only ever mark placeholders', () => {
  const stray = LANGS.flatMap((lang) =>
    keys
      .filter((k) => /[{}]/.test(CATALOG[lang][k].replace(/\{\w+\}/g, '')))
      .map((k) => `${lang} ${k}`),
  );
  expect(stray).toEqual([]);
});

test('plural pairs come whole', () => {
  const bases = (suffix: string) =>
    keys.filter((k) => k.endsWith(suffix)).map((k) => k.slice(0, -suffix.length));
  expect(bases('.one')).toEqual(bases('.other'));
});

test('t, plural and format fill the placeholders', () => {
  expect(t('en', 'card.kind.check')).toBe('Check');
  expect(t('zh-TW', 'chat.step.notRun', { step: '2', reason: 'no' })).toBe('步驟 2 未執行：no');
  expect(plural('en', 'card.timing.wait', 1)).toBe('Waits 1 minute first.');
  expect(plural('en', 'card.timing.wait', 10)).toBe('Waits 10 minutes first.');
  expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  expect(inAllLangs('command.summary.help')).toEqual({ en: 'This list.', 'zh-TW': '此說明。' });
  const console = stringsWithPrefix('console.');
  expect(Object.keys(console)).toEqual([...LANGS]);
  expect(console.en['console.send']).toBe('Send');
  expect(Object.keys(console['zh-TW']).every((k) => k.startsWith('console.'))).toBe(true);
});
