import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../src/cli/commands/demo';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';

/**
 * The demo in a real browser (Debian's Chromium, driven by playwright-core): raise the failover
 * scenario from the console, watch the verify verdict, ask for each step as alice, see that she
 * cannot approve her own destructive step, approve as bob, and see the incident recover. A
 * screenshot is kept in test-artifacts/.
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
  demo = await startDemo(
    {
      ...process.env,
      PORT: '0',
      REDIS_URL: redisUrl(),
      DEMO_REDIS_PREFIX: prefix,
      RUNBOOK_WAIT_SECONDS: '1',
      LOG_LEVEL: 'silent',
      APPROVAL_POLICY: '',
    },
    { fromSource: true },
  );
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
const toast = (): Locator => page.locator('#toast');

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
  await card()
    .locator(`.request[data-request="${id}"][data-state="succeeded"]`)
    .waitFor({ timeout: 60_000 });
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
  await toast()
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
