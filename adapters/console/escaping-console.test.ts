import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consolePublicDir } from '.';

/**
 * The console draws cards in the browser from JSON; alert text reaches the page only as text
 * nodes, so `<script>`, `<b>`, mentions and markdown in an alert show as typed. This pins that
 * down: the script has no way to turn a string into markup.
 */
const script = readFileSync(join(consolePublicDir(), 'app.js'), 'utf8');

test('the page script never parses a string as HTML or code', () => {
  for (const sink of [
    /\.innerHTML\b/,
    /\.outerHTML\b/,
    /insertAdjacentHTML/,
    /document\.write/,
    /\beval\(/,
    /new Function\(/,
    /DOMParser/,
    /createContextualFragment/,
    /\.srcdoc\b/,
  ]) {
    expect(script).not.toMatch(sink);
  }
});

test('every child it adds is a node or a text node', () => {
  expect(script).toContain(
    'node.append(c instanceof Node ? c : document.createTextNode(String(c)));',
  );
  // Attributes are set one by one with setAttribute (never an "on…" string handler).
  expect(script).toMatch(/else if \(k\.startsWith\('on'\)\) node\.addEventListener/);
});

test('a link is drawn only for a web URL', () => {
  expect(script).toMatch(/filter\(\(l\) => \/\^https\?:/);
});
