import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A real OpenID provider (`oidc-provider` run by oidc-test-provider.mjs, in a child process: it is ESM only and jest loads
 * CommonJS) and a browser-like HTTP client that signs in through it: redirects followed by
 * hand, cookies kept per origin, the provider's login form filled in.
 */
export interface TestOidcAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  upn?: string;
  groups?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: {
  redirectUris: string[];
  accounts: Record<string, TestOidcAccount>;
}): Promise<TestOidcProvider> {
  const clientId = 'exchops-console-test';
  const clientSecret = 'console-test-secret-0123456789';
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(__dirname, 'oidc-test-provider.mjs')],
    {
      env: {
        ...process.env,
        OIDC_TEST_CONFIG: JSON.stringify({ clientId, clientSecret, ...options }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`OIDC provider did not start: ${stderr}`)),
      15_000,
    );
    child.once('exit', (code) => reject(new Error(`OIDC provider exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A port nobody listens on right now (the bot's redirect URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** Cookies per origin, as a browser keeps them (path and expiry simplified: tests only). */
export class CookieJar {
  private readonly jar = new Map<string, Map<string, string>>();

  header(url: string): string {
    const cookies = this.jar.get(new URL(url).origin);
    return cookies ? [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  take(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (gone || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(origin, cookies);
  }

  get(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).origin)?.get(name);
  }

  set(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    this.jar.set(origin, new Map([...(this.jar.get(origin) ?? []), [name, value]]));
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.take(url, res);
    return res;
  }
}

/**
 * Opens `start` and follows what a browser would: redirects, and the provider's login form,
 * filled in as `login`. Returns the last response (the console's page when all went well), every
 * URL visited, and every Set-Cookie line received on the way.
 */
export async function signIn(
  jar: CookieJar,
  start: string,
  issuer: string,
  login: string,
): Promise<{ res: Response; url: string; visited: string[]; setCookies: string[] }> {
  let url = start;
  let init: RequestInit = {};
  const visited: string[] = [];
  const setCookies: string[] = [];
  for (let hop = 0; hop < 20; hop++) {
    visited.push(url);
    const res = await jar.fetch(url, init);
    if (!url.startsWith(issuer)) setCookies.push(...res.headers.getSetCookie());
    init = {};
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).href;
      continue;
    }
    if (url.startsWith(issuer) && res.status === 200) {
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`no login form at ${url}: ${html.slice(0, 300)}`);
      url = new URL(action.replace(/&amp;/g, '&'), url).href;
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
      };
      continue;
    }
    return { res, url, visited, setCookies };
  }
  throw new Error(`too many redirects: ${visited.join(' → ')}`);
}
