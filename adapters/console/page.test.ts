import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG } from '../../src/domain/strings';
import { consolePage, consolePublicDir } from '.';

/** The page's words come from the catalogue: every key it names exists, and the page gets them. */
const dir = consolePublicDir();
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const script = readFileSync(join(dir, 'app.js'), 'utf8');

test('the page carries the console strings of every language as JSON', () => {
  const page = consolePage(html);
  const json = /<script id="console-strings" type="application\/json">(.*?)<\/script>/s.exec(page);
  expect(json).not.toBeNull();
  const strings = JSON.parse(json![1]!) as Record<string, Record<string, string>>;
  expect(Object.keys(strings)).toEqual(['en', 'zh-TW']);
  expect(strings.en!['console.onlyYou']).toBe('only you can see this');
  expect(strings['zh-TW']!['console.send']).toBe(CATALOG['zh-TW']['console.send']);
  expect(Object.keys(strings.en!).every((k) => k.startsWith('console.'))).toBe(true);
  // Nothing in a string can close the script element early.
  expect(json![1]).not.toMatch(/</);
});

test('every key the page and its script name is in the catalogue', () => {
  const named = [
    ...[...html.matchAll(/data-(?:text|placeholder|aria-label)="([^"]+)"/g)].map((m) => m[1]!),
    ...[...script.matchAll(/\bt\('([^']+)'/g)].map((m) => m[1]!),
  ];
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((k) => !(k in CATALOG.en))).toEqual([]);
});
