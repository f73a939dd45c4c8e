import { loadConsoleAuthConfig, ConsoleAuthConfigError } from './config';
import { cookieNames, setCookie } from './cookies';
import type { Response } from 'express';

const ENTRA = 'https://login.microsoftonline.com/72f988bf-0000-0000-0000-2d7cd011db47/v2.0';
const full = {
  CONSOLE_OIDC_ISSUER: ENTRA,
  CONSOLE_OIDC_CLIENT_ID: '6731de76-14a6-49ae-97bc-6eba6914391e',
  CONSOLE_OIDC_CLIENT_SECRET: 'a-client-secret-value',
};

function problems(env: Record<string, string>, publicUrl?: string): string[] {
  try {
    loadConsoleAuthConfig(env, publicUrl);
  } catch (err) {
    expect(err).toBeInstanceOf(ConsoleAuthConfigError);
    return (err as ConsoleAuthConfigError).problems;
  }
  throw new Error('no error');
}

test('off, with the reason, when no CONSOLE_OIDC_* is set', () => {
  expect(loadConsoleAuthConfig({}, undefined)).toEqual({
    enabled: false,
    reason: expect.stringContaining('CONSOLE_OIDC_ISSUER'),
  });
  expect(loadConsoleAuthConfig({ CONSOLE_OIDC_ISSUER: ' ' }, undefined)).toMatchObject({
    enabled: false,
  });
});

test('Entra ID behind https: the redirect URL from PUBLIC_URL, Secure cookies, defaults', () => {
  expect(loadConsoleAuthConfig(full, 'https://chatops.contoso.com/')).toEqual({
    enabled: true,
    config: {
      issuer: ENTRA,
      clientId: full.CONSOLE_OIDC_CLIENT_ID,
      clientSecret: full.CONSOLE_OIDC_CLIENT_SECRET,
      redirectUrl: 'https://chatops.contoso.com/console/auth/callback',
      origin: 'https://chatops.contoso.com',
      scopes: ['openid', 'profile', 'email'],
      groupsClaim: 'groups',
      sessionTtlMs: 480 * 60_000,
      secureCookies: true,
    },
  });
});

test('an explicit redirect URL, scopes, groups claim and session length', () => {
  const r = loadConsoleAuthConfig(
    {
      ...full,
      CONSOLE_OIDC_REDIRECT_URL: 'http://127.0.0.1:3000/console/auth/callback',
      CONSOLE_OIDC_SCOPES: 'openid email',
      CONSOLE_OIDC_GROUPS_CLAIM: 'roles',
      CONSOLE_SESSION_TTL_MINUTES: '60',
    },
    'https://ignored.contoso.com',
  );
  expect(r).toMatchObject({
    enabled: true,
    config: {
      redirectUrl: 'http://127.0.0.1:3000/console/auth/callback',
      origin: 'http://127.0.0.1:3000',
      scopes: ['openid', 'email'],
      groupsClaim: 'roles',
      sessionTtlMs: 3_600_000,
      secureCookies: false,
    },
  });
});

test('every problem at once, never echoing the secret', () => {
  const found = problems({
    CONSOLE_OIDC_ISSUER: 'http://login.contoso.com',
    CONSOLE_OIDC_CLIENT_SECRET: 'short',
    CONSOLE_OIDC_SCOPES: 'profile email',
    CONSOLE_SESSION_TTL_MINUTES: '0',
  });
  expect(found).toEqual([
    'CONSOLE_OIDC_ISSUER: must be an https URL (http only on 127.0.0.1 or localhost)',
    expect.stringMatching(/^CONSOLE_OIDC_CLIENT_SECRET: /),
    'CONSOLE_OIDC_SCOPES: must include openid',
    expect.stringMatching(/^CONSOLE_SESSION_TTL_MINUTES: /),
    'CONSOLE_OIDC_CLIENT_ID: is required when console sign-in is configured',
    expect.stringMatching(/^CONSOLE_OIDC_REDIRECT_URL: is required when PUBLIC_URL is not set/),
  ]);
  expect(found.join()).not.toContain('short');
});

test('the redirect URL: the callback path, and https unless on this machine', () => {
  expect(
    problems({ ...full, CONSOLE_OIDC_REDIRECT_URL: 'https://chatops.contoso.com/callback' }),
  ).toEqual(['CONSOLE_OIDC_REDIRECT_URL: must end in /console/auth/callback']);
  expect(problems(full, 'http://chatops.contoso.com')).toEqual([
    expect.stringMatching(/^PUBLIC_URL: must be https for console sign-in/),
  ]);
});

test('cookies: HttpOnly and SameSite=Lax always; Secure with the __Host- prefix behind https', () => {
  const lines: string[] = [];
  const res = { append: (_name: string, v: string) => lines.push(v) } as unknown as Response;
  const secure = cookieNames(true);
  expect(secure).toEqual({
    session: '__Host-exchops-console',
    login: '__Host-exchops-console-login',
  });
  setCookie(res, secure.session, 'abc', { secure: true, maxAgeMs: 60_000 });
  setCookie(res, cookieNames(false).session, 'abc', { secure: false, maxAgeMs: 60_000 });
  expect(lines).toEqual([
    '__Host-exchops-console=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure',
    'exchops-console=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60',
  ]);
});
