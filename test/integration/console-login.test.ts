import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ps51Alert } from '../fixtures/scom-alerts';
import { encodeActionRef } from '../../src/domain/cards/action-ref';
import type { ApprovalRequest } from '../../src/domain/approvals/approval-request';
import { consoleAuthKeys } from '../../adapters/console/auth/sessions';
import {
  CookieJar,
  freePort,
  signIn,
  startOidcProvider,
  type TestOidcProvider,
} from '../support/oidc-provider';
import { startTestServer, type TestServer } from '../support/server';

/**
 * The console's sign-in against a real OpenID provider (oidc-provider, started by the test): the
 * bot as `serve` runs it, the browser played by plain HTTP with a cookie jar. Bob is in the
 * approvers group of the token; Vic is not (a viewer). Alice asked for the change.
 */
const KEY = 'console-login-signing-key-0123456789abcdef';
const ALICE = { platform: 'console', id: 'alice@contoso.test', displayName: 'Alice' };
let dir: string;
let oidc: TestOidcProvider;
let server: TestServer;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'exlogin-'));
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    [
      'version: 1',
      'roles:',
      '  operator:',
      '    - console: [alice@contoso.test]',
      '  approver:',
      '    - consoleGroups: [Exchange-Approvers]',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider({
    redirectUris: [`${base}/console/auth/callback`],
    accounts: {
      bob: { email: 'Bob@Contoso.test', name: 'Bob Builder', groups: ['exchange-approvers'] },
      vic: { email: 'vic@contoso.test', name: 'Vic', groups: ['helpdesk'] },
      nobody: { name: 'No Address' },
    },
  });
  server = await startTestServer(
    'console-login',
    {
      PORT: String(port),
      JOB_SIGNING_KEY: KEY,
      APPROVAL_POLICY: policy,
      APPROVAL_POLICY_RELOAD_SECONDS: '0',
      AUDIT_CHECKPOINT_MINUTES: '0',
      CONSOLE_ENABLED: 'true',
    },
    {
      env: {
        CONSOLE_OIDC_ISSUER: oidc.issuer,
        CONSOLE_OIDC_CLIENT_ID: oidc.clientId,
        CONSOLE_OIDC_CLIENT_SECRET: oidc.clientSecret,
        CONSOLE_OIDC_REDIRECT_URL: `${base}/console/auth/callback`,
      },
    },
  );
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await oidc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Signed {
  jar: CookieJar;
  csrf: string;
  me: { id: string; name: string; role: string };
}

async function signedIn(login: string): Promise<Signed> {
  const jar = new CookieJar();
  const { res, url } = await signIn(jar, `${base}/console/`, oidc.issuer, login);
  expect(url).toBe(`${base}/console/`);
  expect(res.status).toBe(200);
  const config = (await (await jar.fetch(`${base}/console/api/config`)).json()) as {
    mode: string;
    csrf: string;
    me: Signed['me'];
  };
  expect(config.mode).toBe('oidc');
  return { jar, csrf: config.csrf, me: config.me };
}

/** A click as the console's page sends it: the session cookie, its token, our Origin. */
function click(who: Signed, value: string, headers: Record<string, string> = {}) {
  return who.jar.fetch(`${base}/console/api/action`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: base,
      'sec-fetch-site': 'same-origin',
      'x-csrf-token': who.csrf,
      ...headers,
    },
    body: JSON.stringify({ room: 'alerts', value, confirmed: true }),
  });
}

/** An incident to act on: a card's buttons name the incident and its version. */
async function anIncident(): Promise<{ id: string; version: number }> {
  const res = await server.post('/api/alerts/scom', ps51Alert({ Id: randomUUID() }));
  expect(res.status).toBe(202);
  const body = (await res.json()) as { results: Array<{ incidentId: string }> };
  const incident = await server.incidents.get(body.results[0]!.incidentId);
  if (!incident) throw new Error('no incident');
  return { id: incident.id, version: incident.version };
}

let incident: { id: string; version: number } | null = null;

async function askedByAlice(): Promise<ApprovalRequest> {
  incident ??= await anIncident();
  const r = await server.approvals.flow.requestStep({
    actor: ALICE,
    incidentId: incident.id,
    actionId: 'restart-service',
    params: { server: 'EX01', service: 'MSExchangePOP3BE' },
    note: 'POP backend hung',
  });
  if (!r.ok) throw new Error(r.reason);
  return r.request;
}

const approve = (req: ApprovalRequest) =>
  encodeActionRef({
    v: 1,
    op: 'approve',
    section: 'approval',
    request: req.id,
    incident: incident!.id,
    version: incident!.version,
  });

const sessionKeys = () => server.redis.keys(consoleAuthKeys(server.prefix).session('*'));

test('signed out, nobody acts: the old `{"user":"bob"}` click is refused, the page sends you to sign in', async () => {
  const req = await askedByAlice();
  const res = await fetch(`${base}/console/api/action`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'bob', room: 'alerts', value: approve(req) }),
  });
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: 'unauthenticated', key: 'console.signInNeeded' });
  expect((await server.approvals.flow.get(req.id))?.state).toBe('pending');
  expect((await fetch(`${base}/console/api/messages?room=alerts`)).status).toBe(401);
  const page = await fetch(`${base}/console/`, { redirect: 'manual' });
  expect(page.status).toBe(303);
  expect(page.headers.get('location')).toBe('/console/auth/login');
});

test('signing in: the provider, then a session cookie that is HttpOnly and SameSite=Lax, kept in Redis with its expiry', async () => {
  const jar = new CookieJar();
  const login = await jar.fetch(`${base}/console/auth/login`);
  expect(login.status).toBe(303);
  const to = new URL(login.headers.get('location')!);
  expect(to.origin).toBe(oidc.issuer);
  expect(to.searchParams.get('code_challenge_method')).toBe('S256');
  expect(to.searchParams.get('nonce')).toBeTruthy();
  expect(to.searchParams.get('state')).toBeTruthy();
  const before = (await sessionKeys()).length;
  const { res, setCookies } = await signIn(jar, login.headers.get('location')!, oidc.issuer, 'bob');
  expect(res.status).toBe(200);
  const sessionCookie = setCookies.find((c) => c.startsWith('exchops-console='));
  expect(sessionCookie).toMatch(/HttpOnly/);
  expect(sessionCookie).toMatch(/SameSite=Lax/);
  expect(sessionCookie).toMatch(/Path=\//);
  // Plain http on 127.0.0.1 here; behind https it is `Secure` and `__Host-` (auth-config tests).
  expect(sessionCookie).not.toMatch(/Secure/);
  const keys = await sessionKeys();
  expect(keys.length).toBe(before + 1);
  for (const k of keys) {
    const ttl = await server.redis.pttl(k);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(480 * 60_000);
  }
  // The cookie's value is not what Redis holds (a hash of it is the key).
  const value = jar.get(base, 'exchops-console')!;
  expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(keys.some((k) => k.includes(value))).toBe(false);
});

test('an approver by the group of their token approves; a viewer is refused', async () => {
  const bob = await signedIn('bob');
  expect(bob.me).toEqual({ id: 'bob@contoso.test', name: 'Bob Builder', role: 'approver' });
  const vic = await signedIn('vic');
  expect(vic.me).toMatchObject({ id: 'vic@contoso.test', role: 'viewer' });

  const req = await askedByAlice();
  const refused = await click(vic, approve(req));
  expect(refused.status).toBe(200);
  const said = ((await refused.json()) as { private: { text: string } }).private.text;
  expect(said).toMatch(/^You are a viewer on EX01; approving a change step needs an approver/);
  expect((await server.approvals.flow.get(req.id))?.state).toBe('pending');

  const ok = await click(bob, approve(req));
  expect(ok.status).toBe(200);
  const done = await server.approvals.flow.get(req.id);
  expect(done).toMatchObject({
    state: 'approved',
    approvedBy: { platform: 'console', id: 'bob@contoso.test', displayName: 'Bob Builder' },
  });
});

test('a cross-site POST is refused: another Origin, another site, no token or a wrong one', async () => {
  const bob = await signedIn('bob');
  const req = await askedByAlice();
  for (const headers of <Array<Record<string, string>>>[
    { origin: 'https://evil.example' },
    { 'sec-fetch-site': 'cross-site' },
    { 'x-csrf-token': '' },
    { 'x-csrf-token': 'A'.repeat(43) },
  ]) {
    const res = await click(bob, approve(req), headers);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'cross_site', key: 'console.crossSite' });
  }
  // The same request from the console's page goes through.
  expect((await server.approvals.flow.get(req.id))?.state).toBe('pending');
  expect((await click(bob, approve(req))).status).toBe(200);
  expect((await server.approvals.flow.get(req.id))?.state).toBe('approved');
});

test('a forged cookie and an expired session are refused', async () => {
  const req = await askedByAlice();
  const forged = new CookieJar();
  forged.set(base, 'exchops-console', 'A'.repeat(43));
  const forger: Signed = { jar: forged, csrf: 'A'.repeat(43), me: { id: '', name: '', role: '' } };
  expect((await click(forger, approve(req))).status).toBe(401);
  forged.set(base, 'exchops-console', 'not a session');
  expect((await click(forger, approve(req))).status).toBe(401);

  // Expired in Redis (its key's expiry).
  const bob = await signedIn('bob');
  const before = new Set(await sessionKeys());
  const vic = await signedIn('vic');
  const vicKey = (await sessionKeys()).find((k) => !before.has(k))!;
  await server.redis.pexpire(vicKey, 1);
  await new Promise((r) => setTimeout(r, 20));
  expect((await click(vic, approve(req))).status).toBe(401);
  expect((await vic.jar.fetch(`${base}/console/api/config`)).status).toBe(401);

  // Expired by its own end, even if Redis still holds it.
  for (const k of before) {
    const doc = JSON.parse((await server.redis.get(k)) ?? 'null') as {
      user: { id: string };
    } | null;
    if (doc?.user.id !== 'bob@contoso.test') continue;
    await server.redis.set(
      k,
      JSON.stringify({ ...doc, expiresAt: new Date(Date.now() - 1000).toISOString() }),
      'KEEPTTL',
    );
  }
  expect((await click(bob, approve(req))).status).toBe(401);
  expect((await server.approvals.flow.get(req.id))?.state).toBe('pending');
});

test('a token without an address signs nobody in', async () => {
  const jar = new CookieJar();
  const { res } = await signIn(jar, `${base}/console/auth/login`, oidc.issuer, 'nobody');
  expect(res.status).toBe(403);
  expect(await res.text()).toContain('console.noIdentity');
  expect(jar.get(base, 'exchops-console')).toBeUndefined();
});

test('a callback not started in this browser signs nobody in', async () => {
  const jar = new CookieJar();
  const login = await jar.fetch(`${base}/console/auth/login`);
  const other = new CookieJar();
  // Someone else's browser follows the sign-in (a link sent to a victim).
  const { res } = await signIn(other, login.headers.get('location')!, oidc.issuer, 'bob');
  expect(res.status).toBe(400);
  expect(other.get(base, 'exchops-console')).toBeUndefined();
});

test('signing out ends the session here and on every replica (it is gone from Redis)', async () => {
  const bob = await signedIn('bob');
  const before = (await sessionKeys()).length;
  const crossSite = await bob.jar.fetch(`${base}/console/auth/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
    body: '{}',
  });
  expect(crossSite.status).toBe(403);
  const out = await bob.jar.fetch(`${base}/console/auth/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, 'x-csrf-token': bob.csrf },
    body: '{}',
  });
  expect(out.status).toBe(200);
  expect(await out.json()).toEqual({ ok: true, next: '/console/auth/signed-out' });
  expect(out.headers.getSetCookie().join()).toMatch(/exchops-console=;.*Max-Age=0/);
  expect((await sessionKeys()).length).toBe(before - 1);
  expect((await bob.jar.fetch(`${base}/console/api/config`)).status).toBe(401);
  const page = await bob.jar.fetch(`${base}/console/auth/signed-out`);
  expect(await page.text()).toContain('You are signed out');
});
