import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import type { RunningDemo } from '../../src/cli/commands/demo';
import { startTestDemo } from '../support/demo';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

/**
 * The demo in a real browser (Debian's Chromium, driven by playwright-core): raise the failover
 * scenario from the console, watch the verify verdict, ask for each step as alice, see that she
 * cannot approve her own destructive step, approve as bob, and see the incident recover; then a
 * zh-TW card, whose Chinese text and emoji must draw as glyphs (fonts-noto-cjk,
 * fonts-noto-color-emoji), not as empty boxes. Screenshots are kept in test-artifacts/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
const prefix = testPrefix('browser');
let demo: RunningDemo;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  demo = await startTestDemo(prefix);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  // Confirm dialogs (destructive steps) are accepted; prompts get a reason.
  page.on('dialog', (d) => void (d.type() === 'prompt' ? d.accept('demo reason') : d.accept()));
}, 60_000);

afterAll(async () => {
  // The last state of the page, pass or fail: the first thing to look at when this test fails.
  mkdirSync(ARTIFACTS, { recursive: true });
  await page?.screenshot({ path: path.join(ARTIFACTS, 'console-last.png'), fullPage: true });
  await browser?.close();
  await demo?.stop();
  const redis = testRedis();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const card = (): Locator =>
  page.locator('article.msg', { has: page.locator('dd[data-fact="incident"]') }).first();
/** A private answer in the conversation (a refusal is the asker's alone to see). */
const refusal = (): Locator => page.locator('article.msg.private');

async function as(user: string): Promise<void> {
  await page.selectOption('#user', user);
  await card().waitFor();
}

/** `user` asks for the step with this number. */
async function ask(number: string, user: string): Promise<void> {
  await as(user);
  const step = card().locator('li[data-step]', {
    has: page.locator(`strong:text-is("${number}")`),
  });
  const button = step.locator(':scope > .actions button').first();
  await button.waitFor({ timeout: 60_000 });
  await button.click();
  await card().locator('.request[data-state="pending"]').first().waitFor();
}

/** `user` approves the pending request. */
async function approve(user: string): Promise<void> {
  await as(user);
  const pending = card().locator('.request[data-state="pending"]').first();
  const id = await pending.getAttribute('data-request');
  await pending.locator('button[data-action^="approve:"]').click();
  // Approved, queued, run by the worker: the request ends "succeeded" (not rejected or expired).
  // (A decided request folds away: attached, not necessarily shown.)
  await card()
    .locator(`.request[data-request="${id}"][data-state="succeeded"]`)
    .waitFor({ state: 'attached', timeout: 60_000 });
}

test('the failover scenario from alert to recovered, with the two-person rule', async () => {
  await page.goto(`${demo.url}/console`);
  await page.selectOption('#user', 'alice');
  await page.selectOption('#scenario', 'pop-needs-reboot');
  await page.click('#raise');

  // The verify procedure runs by itself and confirms the fault.
  await card()
    .locator('dd[data-fact="verdict"]', { hasText: 'Confirmed' })
    .waitFor({ timeout: 60_000 });

  // Step 1: restart the POP3 back end (a change: alice asks, bob approves). It does not help.
  await ask('1', 'alice');
  await approve('bob');

  // Step 3: fail the databases over (destructive). Bob, an approver, asks; he cannot approve his
  // own request (two-person rule), and the refusal is his alone to see. Carol approves.
  await ask('3', 'bob');
  await card()
    .locator('.request[data-state="pending"] button[data-action^="approve:"]')
    .first()
    .click();
  await refusal()
    .filter({ hasText: /Two-person rule/ })
    .waitFor();
  expect(await card().locator('.request[data-state="pending"]').count()).toBe(1);
  await approve('carol');

  // Step 5: restart the server (destructive), after step 4 saw no active copies.
  await ask('5', 'alice');
  await approve('bob');

  // Step 7: fail back once the probe succeeds again.
  await ask('7', 'alice');
  await approve('bob');

  // Step 7a (beyond the seed): move the databases back to their preferred server.
  await ask('7a', 'alice');
  await approve('bob');

  await card().locator('[data-status]', { hasText: 'Recovered' }).waitFor({ timeout: 90_000 });
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-recovered.png'), fullPage: true });
}, 180_000);

/**
 * Below this share of differing pixels, among the pixels either image inks, two glyph images are
 * the same shape (antialiasing aside). Counted against the ink, not the whole cell, since a glyph
 * covers a small part of its cell.
 */
const SAME = 0.15;

function pixels(png: Buffer): PNG {
  return PNG.sync.read(png);
}

/** How far a pixel's colour is from the cell's background (its top-left pixel). */
function darkness(p: PNG, i: number): number {
  return Math.max(
    Math.abs(p.data[i]! - p.data[0]!),
    Math.abs(p.data[i + 1]! - p.data[1]!),
    Math.abs(p.data[i + 2]! - p.data[2]!),
  );
}

/** The share of inked pixels that differ between two glyph images: 1 when the sizes differ. */
function difference(a: PNG, b: PNG): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  let ink = 0;
  let differ = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    const da = darkness(a, i);
    const db = darkness(b, i);
    if (da > 48 || db > 48) ink++;
    if (Math.abs(da - db) > 48) differ++;
  }
  return ink === 0 ? 0 : differ / ink;
}

/** Characters no font has (unassigned in Unicode): every font draws them as its missing-glyph box. */
const NO_GLYPH = ['\u0378', '\u{10FFFD}'];

/**
 * Screenshots of `chars`, each drawn alone in an inline box in the font of `like` (its computed
 * family, size, weight and style; the page's language, which steers CJK fallback, as the card
 * has it). The boxes live in a container of their own on the page, so a card redrawn meanwhile
 * cannot take them away.
 */
async function glyphShots(like: Locator, chars: string[]): Promise<Buffer[]> {
  // Runs in the page; the project compiles without the DOM's types, so the few calls it makes
  // are typed here.
  interface El {
    id: string;
    dataset: Record<string, string>;
    style: { cssText: string };
    textContent: string | null;
    append(...nodes: El[]): void;
    ownerDocument: {
      createElement(tag: string): El;
      body: El;
      defaultView: { getComputedStyle(e: El): { font: string; color: string } };
    };
  }
  await like.evaluate((node, list) => {
    const model = node as unknown as El;
    const doc = model.ownerDocument;
    const css = doc.defaultView.getComputedStyle(model);
    const row = doc.createElement('div');
    row.id = 'glyph-probe';
    row.style.cssText = `position:fixed;left:0;top:0;z-index:99999;display:flex;background:#fff;color:${css.color};font:${css.font};line-height:48px`;
    for (const [i, ch] of list.entries()) {
      const cell = doc.createElement('span');
      cell.dataset.glyph = String(i);
      // Whole-pixel cells: the same glyph at another sub-pixel offset would antialias otherwise.
      cell.style.cssText =
        'display:inline-block;width:64px;height:48px;line-height:48px;overflow:hidden;white-space:pre';
      cell.textContent = ch;
      row.append(cell);
    }
    doc.body.append(row);
  }, chars);
  // Fallback fonts load on demand: shoot once they are in.
  await page.evaluate('document.fonts.ready.then(() => true)');
  try {
    const shots: Buffer[] = [];
    for (let i = 0; i < chars.length; i++) {
      shots.push(await page.locator(`#glyph-probe [data-glyph="${i}"]`).screenshot());
    }
    return shots;
  } finally {
    await page.locator('#glyph-probe').evaluate((row) => row.remove());
  }
}

test('a zh-TW card draws its Chinese text and emoji as glyphs, not as empty boxes', async () => {
  await page.goto(`${demo.url}/console`);
  await page.selectOption('#user', 'alice');
  await page.fill('#command', 'lang zh-TW');
  await page.press('#command', 'Enter');
  await page.locator('#messages', { hasText: '繁體中文' }).waitFor();
  await page.selectOption('#scenario', 'pop-transient');
  await page.click('#raise');
  const zhCard = page
    .locator('article.msg', { has: page.locator('dd[data-fact="incident"]') })
    // By its title: another card's thread may name EX03 too (a failover moves copies there).
    .filter({ has: page.locator('h2', { hasText: 'EX03' }) })
    .last();
  await zhCard.locator('h2').waitFor();
  const title = zhCard.locator('h2');
  const text = await zhCard.innerText();
  // What a reader of zh-TW sees: Chinese characters (several distinct ones) and the emoji.
  const han = [...new Set(text.match(/\p{Script=Han}/gu) ?? [])].slice(0, 8);
  expect(han.length).toBeGreaterThanOrEqual(4);
  const emoji = [...new Set(text.match(/\p{Extended_Pictographic}/gu) ?? []), '✅'].slice(0, 3);

  // Why this detects boxes, whatever the fonts: a character that no installed font covers is
  // drawn with the missing-glyph (.notdef) box, the same box for every such character. So, drawn
  // one by one in the card's own font settings, characters without a font all give the same
  // image as a character that no font can have; with a font they differ from that box and from
  // one another. (Pixel sizes or ink thresholds would depend on the font and its hinting.)
  // Checked the other way too: with FONTCONFIG_FILE naming a config of DejaVu only, every
  // Chinese character and the emoji are reported as boxes.
  const shown = [...han, ...emoji];
  const [box, other, ...drawn] = (await glyphShots(title, [...NO_GLYPH, ...shown])).map(pixels);
  // The reference holds: both unassigned characters draw as the same box.
  expect(difference(box!, other!)).toBeLessThan(SAME);
  const asBoxes = shown.filter((_, i) => difference(box!, drawn[i]!) < SAME);
  expect({ drawnAsBoxes: asBoxes }).toEqual({ drawnAsBoxes: [] });
  // And the Chinese characters are glyphs of their own, not one shape repeated.
  const hanDrawn = drawn.slice(0, han.length);
  const alike = han.filter((_, i) =>
    hanDrawn.some((o, j) => j < i && difference(o, hanDrawn[i]!) < SAME),
  );
  expect({ alike }).toEqual({ alike: [] });

  mkdirSync(ARTIFACTS, { recursive: true });
  await zhCard.screenshot({ path: path.join(ARTIFACTS, 'console-zh-TW-card.png') });
}, 60_000);
