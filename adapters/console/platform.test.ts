import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/infra/config/load-config';
import type { PlatformContext } from '../../src/infra/platforms/platform-module';
import { testRedis } from '../../test/support/redis';
import { ConsoleAuthConfigError } from './auth/config';
import { consolePlatform } from './platform';

/** What `serve` says at start-up about the console, by its settings. */
const redis = testRedis();
afterAll(() => redis.quit());

function context(env: Record<string, string>, demo = false) {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    }),
  );
  const ctx: PlatformContext = {
    env,
    config: loadConfig({ CONSOLE_ENABLED: 'true' }),
    core: { command: async () => ({}), action: async () => ({}) },
    logger,
    redis,
    redisPrefix: 't-console-platform',
    redraw: async () => undefined,
    policy: () => ({ people: {}, grants: [] }) as unknown as ReturnType<PlatformContext['policy']>,
    ...(demo ? { demo: {} } : {}),
  };
  return { ctx, lines };
}

test('without sign-in configured: on, read-only, and it says so', () => {
  const { ctx, lines } = context({});
  expect(consolePlatform.create(ctx)).not.toBeNull();
  expect(lines).toEqual([
    expect.objectContaining({ level: 40, msg: expect.stringMatching(/^console: read-only/) }),
  ]);
});

test('with CONSOLE_OIDC_*: sign-in; a partial set stops start-up naming what is missing', () => {
  const { ctx, lines } = context({
    CONSOLE_OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
    CONSOLE_OIDC_CLIENT_ID: 'client',
    CONSOLE_OIDC_CLIENT_SECRET: 'a-secret-value',
    CONSOLE_OIDC_REDIRECT_URL: 'https://chatops.contoso.com/console/auth/callback',
  });
  expect(consolePlatform.create(ctx)).not.toBeNull();
  expect(lines[0]).toMatchObject({ level: 30, msg: 'console: people sign in with OpenID Connect' });
  expect(() =>
    consolePlatform.create(context({ CONSOLE_OIDC_ISSUER: 'https://idp.contoso.com' }).ctx),
  ).toThrow(ConsoleAuthConfigError);
});

test('the demo keeps its picker, whatever the environment says', () => {
  const { ctx, lines } = context({}, true);
  expect(consolePlatform.create(ctx)).not.toBeNull();
  expect(lines).toEqual([]);
});

test('the policy writes console accounts as addresses or demo names, groups as the token has them', () => {
  const { account, group } = consolePlatform.rules;
  expect(account.parse('Ana@Contoso.com')).toBe('Ana@Contoso.com');
  expect(account.parse('alice')).toBe('alice');
  expect(account.safeParse('a n a').success).toBe(false);
  expect(group!.parse('F0C2E7A4-1111-2222-3333-444455556666')).toBe(
    'f0c2e7a4-1111-2222-3333-444455556666',
  );
  expect(group!.parse('Exchange Approvers')).toBe('exchange approvers');
});
