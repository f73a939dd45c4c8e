import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { consoleKeys, type ConsoleMessage } from '../../adapters/console/console-surface';
import { freePort, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Console sign-in in a real browser (Debian's Chromium): the provider's login form, the page
 * showing who you are, a command sent by the page (with its session token), a cross-site POST
 * from another page refused, and signing out.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
let oidc: TestOidcProvider;
let server: TestServer;
let evil: Server;
let evilUrl: string;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: set CHROMIUM_PATH.`);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider({
    redirectUris: [`${base}/console/auth/callback`],
    accounts: { bob: { email: 'bob@contoso.test', name: 'Bob Builder', groups: ['approvers'] } },
  });
  server = await startTestServer(
    'console-login-browser',
    { PORT: String(port), CONSOLE_ENABLED: 'true' },
    {
      env: {
        CONSOLE_OIDC_ISSUER: oidc.issuer,
        CONSOLE_OIDC_CLIENT_ID: oidc.clientId,
        CONSOLE_OIDC_CLIENT_SECRET: oidc.clientSecret,
        CONSOLE_OIDC_REDIRECT_URL: `${base}/console/auth/callback`,
      },
    },
  );
  // Another site's page (another port of the same host: the same site to the browser, so the
  // SameSite cookie goes along; the Origin check is what stops it).
  // Its form posts JSON-looking text/plain: `name=value` reads {"room":…,"x":"="}.
  evil = createServer((_req, res) =>
    res.end(
      '<!doctype html><title>elsewhere</title>' +
        `<form method="post" action="${base}/console/api/command" enctype="text/plain">` +
        `<input type="hidden" name='{"room":"alerts","text":"workers","x":"' value='"}'>` +
        '<button>win a prize</button></form>',
    ),
  );
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await oidc?.stop();
  await new Promise((r) => evil?.close(r));
});

async function roomTexts(): Promise<string[]> {
  const docs = await server.redis.hvals(consoleKeys(server.prefix).consoleMessages('alerts'));
  return docs.map((d) => (JSON.parse(d) as ConsoleMessage).reply?.text ?? '');
}

test('sign in at the provider, act from the page, a cross-site POST is refused, sign out', async () => {
  await page.goto(`${base}/console/`);
  // The provider's own login form (oidc-provider's development form: any password).
  await page.waitForURL((u) => u.href.startsWith(oidc.issuer));
  await page.fill('input[name="login"]', 'bob');
  await page.fill('input[name="password"]', 'secret');
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/console/`);
  await page.locator('#me', { hasText: 'Bob Builder (bob@contoso.test)' }).waitFor();
  expect(await page.textContent('#role')).toBe('viewer');
  expect(await page.isHidden('#picker')).toBe(true);

  // The page sends its session token with each change: the command goes through.
  await page.fill('#command', 'help');
  await page.click('#command-form button[type="submit"]');
  // The answer is a private message in the conversation.
  await page.locator('article.msg.private', { hasText: 'This list.' }).waitFor();
  expect(await roomTexts()).toContain('/exchange help');

  // Another site's page posts a form to the console; the browser sends the cookie along (the same
  // site) and names the page's Origin: refused before anything is read.
  const other = await browser.newPage();
  await other.goto(evilUrl);
  await other.click('button');
  await other.waitForURL(`${base}/console/api/command`);
  expect(JSON.parse((await other.textContent('body')) ?? '{}')).toMatchObject({
    error: 'cross_site',
  });
  await other.close();
  expect(await roomTexts()).not.toContain('/exchange workers');

  await page.click('#logout');
  await page.waitForURL(`${base}/console/auth/signed-out`);
  expect(await page.textContent('body')).toContain('You are signed out of the console.');
  const after = await page.evaluate(async () => (await fetch('/console/api/config')).status);
  expect(after).toBe(401);
}, 60_000);
