import { emptyPolicy, parsePolicy } from '../src/domain/approvals/policy';
import { loadConfig } from '../src/infra/config/load-config';
import { createLogger } from '../src/infra/logger';
import type { PlatformContext } from '../src/infra/platforms/platform-module';
import { testRedis } from '../test/support/redis';
import { findPlatform, PLATFORM_RULES, PLATFORMS } from './registry';

/** The contract every platform module keeps, whatever platform it is. */
describe.each(PLATFORMS.map((p) => [p.id, p] as const))('platform %s', (id, platform) => {
  test('names itself once, the same in its rules, with an id the policy and routing can key on', () => {
    expect(PLATFORMS.filter((p) => p.id === id)).toHaveLength(1);
    expect(platform.rules.id).toBe(id);
    expect(id).toMatch(/^[a-z][a-z0-9-]{0,31}$/);
    expect(findPlatform(id)).toBe(platform);
  });

  test('its rules refuse an empty account and channel with a reason', () => {
    const account = platform.rules.account.safeParse('');
    expect(account.success).toBe(false);
    expect(platform.rules.channel.safeParse('').success).toBe(false);
  });

  test('is off (null) when its settings are absent, without touching the network', () => {
    const redis = testRedis();
    try {
      const config = loadConfig({ SCOM_WEBHOOK_TOKEN: 'x'.repeat(32) });
      const ctx: PlatformContext = {
        env: {},
        config,
        core: {} as PlatformContext['core'],
        logger: createLogger('silent'),
        redis,
        redisPrefix: 't-registry',
        redraw: () => Promise.resolve(),
        policy: emptyPolicy,
      };
      expect(platform.create(ctx)).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});

test('a policy may list accounts of every registered platform, and of no other', () => {
  const members = PLATFORMS.map((p) => `${p.id}: []`).join(', ');
  expect(
    parsePolicy(`version: 1\npeople: { ana: { ${members} } }\nroles: {}\n`, PLATFORM_RULES).ok,
  ).toBe(true);
  const r = parsePolicy(
    'version: 1\npeople: { ana: { webex: [ana] } }\nroles: {}\n',
    PLATFORM_RULES,
  );
  expect(!r.ok && r.error.problems.map((p) => p.reason).join()).toMatch(
    /Unrecognized key: "webex"/,
  );
});
