import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { consoleKeys, createConsoleStore } from '../../adapters/console/console-surface';
import type { Card, CardRequest, CardStep, CardTable } from '../../src/domain/cards/card';
import type { StepState } from '../../src/domain/remediation/run';
import type { RunningDemo } from '../../src/cli/commands/demo';
import { startTestDemo } from '../support/demo';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

/**
 * How the console's page reads, in a real browser (Debian's Chromium) against the real demo:
 * command answers in the conversation, a private result brought into view, no scroll jump when a
 * card redraws, long cards folded, tables, the favicon. Cards and replies the page cannot be
 * asked for directly are written into the room as the delivery queue would (the console's store).
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
const prefix = testPrefix('browser-page');
const redis = testRedis();
const store = createConsoleStore(redis, consoleKeys(prefix));
// Runs in the page; the project compiles without the DOM's types, so the little it uses is typed
// here.
interface InPage {
  scrollTop: number;
  getBoundingClientRect(): { top: number; bottom: number };
}
declare const document: { getElementById(id: string): InPage };
declare function getComputedStyle(node: unknown): { textAlign: string };

let demo: RunningDemo;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: set CHROMIUM_PATH.`);
  demo = await startTestDemo(prefix);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  // Shorter than the cards: the conversation scrolls.
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page?.screenshot({ path: path.join(ARTIFACTS, 'console-page-last.png') });
  await browser?.close();
  await demo?.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

async function open(user = 'alice'): Promise<void> {
  await page.goto(`${demo.url}/console`);
  await page.selectOption('#user', user);
}

async function command(text: string): Promise<void> {
  await page.fill('#command', text);
  await page.press('#command', 'Enter');
}

const privateAnswer = (text: string | RegExp): Locator =>
  page.locator('article.msg.private', { hasText: text }).last();
const message = (id: string): Locator => page.locator(`article[data-message="${id}"]`);

/** In the page: message `id` starts inside the conversation's viewport. */
const startsInView = (id: string): boolean => {
  const main = document.getElementById('messages').getBoundingClientRect();
  const box = document.getElementById(`m-${id}`).getBoundingClientRect();
  return box.top >= main.top - 1 && box.top < main.bottom - 20;
};

/** In the page: the conversation is scrolled to its end (where the page follows new messages). */
const atTheEnd = (): boolean => {
  const main = document.getElementById('messages') as InPage & {
    scrollHeight: number;
    clientHeight: number;
  };
  return main.scrollHeight - main.scrollTop - main.clientHeight < 80;
};

/** Raises pop-needs-reboot from the page: its incident card, once it offers "Verify first". */
async function raiseVerifiable(): Promise<{ incident: Locator; button: Locator }> {
  await page.selectOption('#scenario', 'pop-needs-reboot');
  await page.click('#raise');
  const incident = page
    .locator('article.msg', { has: page.locator('dd[data-fact="incident"]') })
    .filter({ has: page.locator('button', { hasText: 'Verify first' }) })
    .last();
  const button = incident.locator(':scope .card > .actions button', { hasText: 'Verify first' });
  await button.waitFor({ timeout: 30_000 });
  return { incident, button };
}

function step(id: string, state: StepState, extra: Partial<CardStep> = {}): CardStep {
  return {
    id,
    number: id,
    depth: 0,
    kind: 'check',
    kindLabel: 'Check',
    text: `Step ${id}: a check with a line of text long enough to be a real runbook step.`,
    commands: [
      {
        actionId: 'get-server-health',
        risk: 'read',
        language: 'powershell',
        text: "Get-ServerHealth -Identity 'EX01'",
        complete: true,
      },
    ],
    state,
    stateLabel: state,
    actionable: false,
    notes: [],
    links: [],
    actions: [],
    steps: [],
    ...extra,
  };
}

function request(id: string, state: string): CardRequest {
  return {
    id,
    title: `Request ${id}`,
    state,
    stateLabel: state,
    risk: 'change',
    command: "Restart-Service -Name 'MSExchangePOP3BE'",
    server: 'EX01',
    lines: [`Asked by alice (${id})`],
    actions: [],
  };
}

function testCard(title: string, extra: Partial<Card> = {}): Card {
  return {
    version: 1,
    lang: 'en',
    title,
    tone: 'warning',
    fallbackText: title,
    facts: [{ key: 'incident', label: 'Incident', value: title }],
    notes: [],
    steps: [],
    actions: [],
    links: [],
    status: { label: `${title}: open`, tone: 'warning' },
    ...extra,
  };
}

const copies: CardTable = {
  title: 'Database copies on EX01',
  columns: [
    { key: 'database', label: 'Database' },
    { key: 'status', label: 'Status' },
    { key: 'copyQueue', label: 'Copy queue', align: 'right' },
  ],
  rows: [
    { cells: ['DB01', 'Mounted', '0'] },
    { cells: ['DB02', 'FailedAndSuspended', '214'], tone: 'attention' },
  ],
  omittedRows: 3,
};

test('command answers are private messages in the conversation, code drawn, nothing parsed', async () => {
  await open();
  await command('help');
  const help = privateAnswer('This list.');
  await help.waitFor();
  // Inline code as <code>, no literal backticks, and the page's own "only you can see this".
  expect(await help.locator('code').allTextContents()).toContain('health <server> [health-set]');
  expect(await help.innerText()).not.toContain('`');
  expect(await help.locator('.meta').innerText()).toContain('only you can see this');

  await command('health EX01');
  const queued = privateAnswer(/Queued for a worker/);
  await queued.locator('pre', { hasText: "Get-ServerHealth -Identity 'EX01'" }).waitFor();

  await command('no-such-command');
  await privateAnswer(/Unknown command/).waitFor();
  expect(await page.isHidden('#toast')).toBe(true);

  // Markup in an answer is text, in code or out of it.
  await store.post(
    'alerts',
    { reply: { text: 'Ran `<b id="inj">x</b>` then <i id="inj2">y</i>' } },
    'alice',
  );
  const shown = privateAnswer('then <i id="inj2">y</i>');
  await shown.waitFor();
  expect(await shown.locator('code').textContent()).toBe('<b id="inj">x</b>');
  expect(await page.locator('#inj, #inj2').count()).toBe(0);

  // Someone else does not see them.
  await page.selectOption('#user', 'bob');
  await page.locator('article.msg', { hasText: 'Ran ' }).waitFor({ state: 'detached' });
  expect(
    await page.locator('article.msg', { hasText: /This list\.|Unknown command/ }).count(),
  ).toBe(0);
}, 60_000);

test('after a switch of user, nothing meant for the one before arrives, however late', async () => {
  await open('alice');
  await store.post('alerts', { reply: { text: 'before the switch' } }, 'alice');
  await privateAnswer('before the switch').waitFor();
  // Bob's list is held while alice's stream, if it were still open, could bring her next answer.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let asked!: () => void;
  const listAsked = new Promise<void>((resolve) => (asked = resolve));
  await page.route(/\/console\/api\/messages\?.*user=bob/, async (route) => {
    asked();
    await held;
    await route.continue();
  });
  // Alice's stream ends (the browser cancels it) or, while it is open, brings her answer.
  const aliceStream = (r: { url(): string }) =>
    r.url().includes('/console/api/stream') && r.url().includes('user=alice');
  const streamEnded = new Promise<void>((resolve) => {
    const done = (r: { url(): string }) => aliceStream(r) && resolve();
    page.on('requestfailed', done);
    page.on('requestfinished', done);
  });
  await page.selectOption('#user', 'bob');
  await listAsked;
  await store.post('alerts', { reply: { text: 'meant for alice only' } }, 'alice');
  await Promise.race([
    streamEnded,
    page.locator('article.msg', { hasText: 'meant for alice only' }).waitFor(),
  ]);
  release();
  await store.post('alerts', { reply: { text: 'for everyone, after the switch' } });
  await page.locator('article.msg', { hasText: 'for everyone, after the switch' }).waitFor();
  expect(
    await page.locator('article.msg', { hasText: /alice only|before the switch/ }).count(),
  ).toBe(0);
  await page.unroute(/\/console\/api\/messages\?.*user=bob/);
}, 60_000);

test('after a switch of user, the one before’s answer or error that comes late is not shown', async () => {
  await open('alice');
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let asked!: () => void;
  const commandAsked = new Promise<void>((resolve) => (asked = resolve));
  await page.route('**/console/api/command', async (route) => {
    asked();
    await held;
    await route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'invalid', message: 'refused for alice only' }),
    });
  });
  try {
    await command('health EX01');
    await commandAsked;
    await page.selectOption('#user', 'bob');
    const answered = page.waitForResponse('**/console/api/command');
    release();
    await answered;
    // Posted after the page had the failed answer: when it shows, that answer was handled.
    await store.post('alerts', { reply: { text: 'for everyone, after alice’s answer' } });
    await page.locator('article.msg', { hasText: 'for everyone, after alice’s answer' }).waitFor();
    expect(await page.locator('article.msg', { hasText: 'refused for alice only' }).count()).toBe(
      0,
    );
  } finally {
    await page.unroute('**/console/api/command');
  }
}, 60_000);

test('the favicon is served as an image, and the page asks for nothing that is missing', async () => {
  const missing: string[] = [];
  page.on('response', (r) => void (r.status() === 404 && missing.push(r.url())));
  await open();
  await page.locator('#command').waitFor();
  const href = await page.locator('link[rel="icon"]').getAttribute('href');
  const icon = await page.request.get(new URL(href!, demo.url).href);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toMatch(/^image\//);
  expect(missing).toEqual([]);
});

test('a reply’s tables and a step’s evidence are HTML tables, the raw output one click away', async () => {
  await open();
  await store.surface.postToChannel('alerts', {
    text: 'get-mailbox-database-copy-status on EX01: succeeded',
    tables: [copies],
    code: [{ title: 'Output', body: '[{"Name":"DB01\\\\EX01","Status":"Mounted"}]' }],
  });
  const reply = page.locator('article.msg', { hasText: 'get-mailbox-database-copy-status' });
  const table = reply.locator('table.data');
  await table.waitFor();
  expect(await table.locator('caption').textContent()).toBe('Database copies on EX01');
  expect(await table.locator('th').allTextContents()).toEqual(['Database', 'Status', 'Copy queue']);
  expect(await table.locator('tbody tr').nth(1).locator('td').allTextContents()).toEqual([
    'DB02',
    'FailedAndSuspended',
    '214',
  ]);
  expect(await table.locator('tbody tr').nth(1).getAttribute('class')).toBe('tone-attention');
  expect(
    await table
      .locator('td')
      .nth(2)
      .evaluate((n) => getComputedStyle(n).textAlign),
  ).toBe('right');
  await reply.getByText('3 more rows in the raw output').waitFor();
  // The raw output: folded, one click away.
  const raw = reply.locator('details.raw pre');
  expect(await raw.isVisible()).toBe(false);
  await reply.locator('details.raw > summary', { hasText: 'Raw output' }).click();
  await raw.waitFor();
  expect(await raw.textContent()).toContain('"Status":"Mounted"');

  const ref = await store.surface.postCard(
    'alerts',
    testCard('EVIDENCE-1', {
      steps: [
        step('3', 'pending', {
          evidence: {
            verdict: 'Failover blocked: DB02 has no healthy copy elsewhere',
            tone: 'attention',
            tables: [copies],
            checkedAt: '2026-12-01T07:49:11Z',
          },
        }),
      ],
    }),
  );
  const evidence = message(ref.messageId).locator('li[data-step="3"] [data-evidence]');
  await evidence.locator('table.data').waitFor();
  expect(await evidence.locator('.status').textContent()).toBe(
    'Failover blocked: DB02 has no healthy copy elsewhere',
  );
  expect(await evidence.locator('tbody tr').count()).toBe(2);
  expect(await evidence.innerText()).toContain('Checked ');
}, 60_000);

test('finished steps and decided requests fold; the current ones stay open; a redraw keeps a fold open', async () => {
  await open();
  const finished = (['succeeded', 'skipped', 'done', 'not-applicable'] as const).map((s, i) =>
    step(String(i + 1), s),
  );
  const fold = testCard('FOLD-1', {
    steps: [...finished, step('5', 'running'), step('6', 'pending')],
    requests: [request('r3', 'pending'), request('r2', 'rejected'), request('r1', 'succeeded')],
  });
  const ref = await store.surface.postCard('alerts', fold);
  const msg = message(ref.messageId);
  const stepsFold = msg.locator('li.fold > details > summary', { hasText: '4 finished steps' });
  await stepsFold.waitFor();
  expect(await msg.locator('li[data-step="1"]').isVisible()).toBe(false);
  expect(await msg.locator('li[data-step="5"]').isVisible()).toBe(true);
  expect(await msg.locator('li[data-step="6"]').isVisible()).toBe(true);
  await msg.locator('summary', { hasText: '2 decided requests' }).waitFor();
  expect(await msg.locator('.request[data-request="r3"]').isVisible()).toBe(true);
  expect(await msg.locator('.request[data-request="r1"]').isVisible()).toBe(false);

  await stepsFold.click();
  await msg.locator('li[data-step="1"]').waitFor();
  // Step 5 finishes: the card is redrawn; the fold the reader opened stays open (now 5 steps).
  await store.surface.updateCard(
    ref,
    testCard('FOLD-1', {
      steps: [...finished, step('5', 'succeeded'), step('6', 'running')],
      requests: fold.requests,
    }),
  );
  await msg.locator('summary', { hasText: '5 finished steps' }).waitFor();
  expect(await msg.locator('li[data-step="1"]').isVisible()).toBe(true);
  expect(await msg.locator('li[data-step="6"]').isVisible()).toBe(true);

  // In its thread, a long output folds under its title; the command (short) stays in view.
  const long = Array.from({ length: 12 }, (_, i) => `{"Name":"DB0${i}","Status":"Healthy"}`);
  await store.surface.postInThread(ref, {
    text: 'Step 5 · Get database copy status: no active database copy',
    code: [
      { title: 'PowerShell', body: "Get-MailboxDatabaseCopyStatus -Server 'EX01'" },
      { title: 'Output', body: long.join('\n') },
    ],
  });
  const reply = msg.locator('.thread .reply', { hasText: 'Step 5 · Get database copy status' });
  await reply.locator('pre', { hasText: 'Get-MailboxDatabaseCopyStatus' }).waitFor();
  const output = reply.locator('details.raw pre');
  expect(await output.isVisible()).toBe(false);
  await reply.locator('details.raw > summary', { hasText: 'Output' }).click();
  await output.waitFor();

  // In zh-TW the summary is in the page's language.
  await page.click('#lang');
  await msg.locator('summary', { hasText: '5 個已完成的步驟' }).waitFor();
  // And so are the header's role and the picker's lines.
  expect(await page.textContent('#role')).toBe('操作員');
  expect(await page.locator('#user option[value="bob"]').textContent()).toBe('bob (核准者)');
  await page.click('#lang');
}, 60_000);

/** Where an element is, in pixels from the top of the conversation's viewport. */
const offset = (l: Locator): Promise<number> =>
  l.evaluate(
    (n) =>
      n.getBoundingClientRect().top -
      document.getElementById('messages').getBoundingClientRect().top,
  );
const scrollTop = (): Promise<number> =>
  page.evaluate(() => document.getElementById('messages').scrollTop);
/** Within a pixel: scroll positions may be fractional. */
const near = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1);

test('a card redrawn above, or under, what the reader looks at does not move it', async () => {
  await open();
  const tall = (n: number, label: string, steps = 8) =>
    testCard(`SCROLL-${n}`, {
      status: { label, tone: 'warning' },
      steps: Array.from({ length: steps }, (_, i) => step(`${i + 1}`, 'pending')),
    });
  const refs = [];
  for (let n = 1; n <= 6; n++) refs.push(await store.surface.postCard('alerts', tall(n, 'v1')));
  const fourth = message(refs[3]!.messageId);
  await message(refs[5]!.messageId).waitFor();
  // The reader looks at card 4's step 3, near the viewport's top.
  const target = fourth.locator('li[data-step="3"]');
  await target.evaluate((n) => {
    const main = document.getElementById('messages');
    main.scrollTop += n.getBoundingClientRect().top - main.getBoundingClientRect().top - 40;
  });
  const before = { top: await scrollTop(), at: await offset(target) };
  expect(before.top).toBeGreaterThan(0);

  // Card 2 (above) redraws at the same height: nothing moves.
  await store.surface.updateCard(refs[1]!, tall(2, 'v2'));
  await message(refs[1]!.messageId).locator('[data-status]', { hasText: 'v2' }).waitFor();
  near(await scrollTop(), before.top);
  near(await offset(target), before.at);

  // Card 2 grows by four steps: what the reader looks at stays where it was.
  await store.surface.updateCard(refs[1]!, tall(2, 'v3', 12));
  await message(refs[1]!.messageId).locator('li[data-step="12"]').waitFor();
  near(await offset(target), before.at);

  // Card 4 itself redraws (its first steps fold away above the reader): step 3 stays put.
  const redrawn = tall(4, 'v2');
  redrawn.steps[0]!.state = 'succeeded';
  redrawn.steps[1]!.state = 'done';
  await store.surface.updateCard(refs[3]!, redrawn);
  await fourth.locator('summary', { hasText: '2 finished steps' }).waitFor();
  near(await offset(target), before.at);

  // A language switch redraws every message at once: the same.
  await page.click('#lang');
  await fourth.locator('summary', { hasText: '2 個已完成的步驟' }).waitFor();
  near(await offset(target), before.at);
  await page.click('#lang');
  await fourth.locator('summary', { hasText: '2 finished steps' }).waitFor();
}, 60_000);

test('a private result (Verify first) is brought into view where the person is looking', async () => {
  await open();
  const { incident, button } = await raiseVerifiable();
  // Read from the card, high above the bottom where the answer lands.
  const id = await incident.getAttribute('data-message');
  await page.evaluate((m) => {
    const main = document.getElementById('messages');
    main.scrollTop +=
      document.getElementById(`m-${m}`).getBoundingClientRect().top -
      main.getBoundingClientRect().top;
  }, id);
  expect(await scrollTop()).toBeLessThan(
    await page.evaluate(() => {
      const main = document.getElementById('messages') as InPage & { scrollHeight: number };
      return main.scrollHeight - 2000;
    }),
  );
  const privateCards = page.locator('article.msg.private', { has: page.locator('.card') });
  const already = await privateCards.count();
  await button.click();
  const answer = privateCards.nth(already);
  await answer.waitFor();
  // In the conversation's viewport (waited for: it arrives by the stream, then scrolls).
  await page.waitForFunction(startsInView, (await answer.getAttribute('data-message'))!);
}, 60_000);

test('an answer in view stays in view when a card lands below it, until the reader scrolls', async () => {
  await open();
  await page.evaluate(() => {
    const main = document.getElementById('messages') as InPage & { scrollHeight: number };
    main.scrollTop = main.scrollHeight;
  });
  // The answer the command's response names (the first test asked for help too).
  const response = page.waitForResponse('**/console/api/command');
  await command('help');
  const { messageId: id } = (await (await response).json()) as { messageId: string };
  await message(id).waitFor();
  await page.waitForFunction(startsInView, id);
  // At the end of the conversation the page follows new messages, but not away from the answer.
  const tall = () =>
    store.post('alerts', {
      card: testCard('Tall card below the answer', {
        steps: Array.from({ length: 30 }, (_, i) => step(String(i + 1), 'pending')),
      }),
    });
  await message((await tall()).id).waitFor();
  expect(await page.evaluate(startsInView, id)).toBe(true);
  // Once the reader scrolls, the page follows the end again.
  const box = (await page.locator('#messages').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 100_000);
  await page.waitForFunction(atTheEnd);
  const next = await tall();
  await message(next.id).waitFor();
  await page.waitForFunction(atTheEnd);
}, 60_000);

test('an answer taller than the view shows its beginning, though the view was at the end', async () => {
  // Where the reader usually is: at the end. The click's response is held until the answer has
  // come by the stream and grown taller than the view, so it is revealed from there.
  await page.setViewportSize({ width: 1280, height: 520 });
  try {
    await open();
    const { button } = await raiseVerifiable();
    const privateCards = page.locator('article.msg.private', { has: page.locator('.card') });
    const already = await privateCards.count();
    const answer = privateCards.nth(already);
    await page.route('**/console/api/action', async (route) => {
      const response = await route.fetch();
      await page.waitForFunction(
        (id) => {
          const node = id && document.getElementById(`m-${id}`);
          const main = document.getElementById('messages') as InPage & { clientHeight: number };
          return (
            !!node &&
            node.getBoundingClientRect().bottom - node.getBoundingClientRect().top >
              main.clientHeight
          );
        },
        (await response.json()).messageId,
      );
      // The reader is at the end (or the page followed it there as the answer grew).
      await page.evaluate(() => {
        const main = document.getElementById('messages') as InPage & { scrollHeight: number };
        main.scrollTop = main.scrollHeight;
      });
      await route.fulfill({ response });
    });
    await button.click();
    await answer.waitFor();
    await page.waitForFunction(startsInView, (await answer.getAttribute('data-message'))!, {
      timeout: 15_000,
    });
  } finally {
    await page.unroute('**/console/api/action');
    await page.setViewportSize({ width: 1280, height: 900 });
  }
}, 60_000);
