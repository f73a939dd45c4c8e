import { DEFAULT_OUTAGE_SETTINGS } from '../../domain/outages/settings';
import { ConfigError, loadConfig } from './load-config';

test('defaults', () => {
  expect(loadConfig({})).toEqual({
    port: 3000,
    host: '0.0.0.0',
    redisUrl: 'redis://127.0.0.1:6379',
    redisPrefix: 'exchops',
    redisDurability: { volatileOk: false, persistenceAsserted: false },
    redisWatchMs: 15000,
    redisWait: { replicas: 0, timeoutMs: 1000 },
    scomWebhookToken: undefined,
    scomTimeZone: 'UTC',
    incidentRetentionMs: 30 * 24 * 3600 * 1000,
    logLevel: 'info',
    jobSigningKey: undefined,
    jobSigningKeys: [],
    inventoryFile: undefined,
    workerSites: undefined,
    workerConcurrency: 4,
    exchangeConnectionUri: undefined,
    powershell: 'powershell',
    commandTimeoutMs: 120_000,
    runbooksDir: undefined,
    runbookWaitSeconds: null,
    alertRoutesPath: undefined,
    consoleEnabled: false,
    background: true,
    approvalPolicyPath: undefined,
    approvalTtlMs: 15 * 60_000,
    approvalPolicyReloadMs: 30_000,
    auditCheckpointMs: 5 * 60_000,
    outages: DEFAULT_OUTAGE_SETTINGS,
  });
});

test('the webhook waits for no replica unless REDIS_WAIT_REPLICAS says how many', () => {
  expect(loadConfig({}).redisWait).toEqual({ replicas: 0, timeoutMs: 1000 });
  expect(loadConfig({ REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_MS: '250' }).redisWait).toEqual({
    replicas: 1,
    timeoutMs: 250,
  });
  expect(() => loadConfig({ REDIS_WAIT_REPLICAS: '-1' })).toThrow(/REDIS_WAIT_REPLICAS/);
  expect(() => loadConfig({ REDIS_WAIT_MS: '0' })).toThrow(/REDIS_WAIT_MS/);
});

test('outage mode: on by default, OUTAGE_* over the defaults, wrong values named by variable', () => {
  const c = loadConfig({
    OUTAGE_WINDOW_SECONDS: '600',
    OUTAGE_GROUP_WAIT_SECONDS: '10',
    OUTAGE_MIN_SERVERS: '3',
    OUTAGE_GROUP_BY: 'family',
    OUTAGE_SCOPE: 'organisation',
    OUTAGE_CARD_UPDATE_SECONDS: '0',
  });
  expect(c.outages).toEqual({
    ...DEFAULT_OUTAGE_SETTINGS,
    windowMs: 600_000,
    groupWaitMs: 10_000,
    minServers: 3,
    groupBy: ['family'],
    scope: 'organisation',
    cardUpdateMs: 0,
  });
  expect(DEFAULT_OUTAGE_SETTINGS.cardUpdateMs).toBe(5_000);
  expect(loadConfig({ OUTAGE_MODE: 'off' }).outages).toBeNull();
  expect(() => loadConfig({ OUTAGE_CARD_UPDATE_SECONDS: '301' })).toThrow(
    /OUTAGE_CARD_UPDATE_SECONDS/,
  );
  expect(() => loadConfig({ OUTAGE_MIN_SERVERS: '1' })).toThrow(/OUTAGE_MIN_SERVERS/);
  expect(() => loadConfig({ OUTAGE_SCOPE: 'planet' })).toThrow(/OUTAGE_SCOPE/);
  expect(() =>
    loadConfig({ OUTAGE_WINDOW_SECONDS: '20', OUTAGE_GROUP_WAIT_SECONDS: '30' }),
  ).toThrow(/OUTAGE_GROUP_WAIT_SECONDS/);
  expect(() => loadConfig({ OUTAGE_MODE: 'maybe' })).toThrow(/OUTAGE_MODE/);
});

test('approval settings', () => {
  const c = loadConfig({
    APPROVAL_POLICY: '/etc/exchange-chatops/approval-policy.yaml',
    APPROVAL_TTL_MINUTES: '30',
    APPROVAL_POLICY_RELOAD_SECONDS: '0',
    AUDIT_CHECKPOINT_MINUTES: '1',
  });
  expect(c.approvalPolicyPath).toBe('/etc/exchange-chatops/approval-policy.yaml');
  expect(c.approvalTtlMs).toBe(30 * 60_000);
  expect(c.approvalPolicyReloadMs).toBe(0);
  expect(c.auditCheckpointMs).toBe(60_000);
  expect(() => loadConfig({ APPROVAL_TTL_MINUTES: '0' })).toThrow(/APPROVAL_TTL_MINUTES/);
});

test('empty values count as unset', () => {
  expect(loadConfig({ PORT: '', LOG_LEVEL: ' ' }).port).toBe(3000);
});

test('every problem is reported at once, secrets are not echoed', () => {
  const secret = 'short-secret';
  let error: unknown;
  try {
    loadConfig(
      {
        PORT: 'eighty',
        REDIS_URL: 'http://user:hunter2@redis',
        REDIS_PREFIX: 'has space',
        SCOM_WEBHOOK_TOKEN: secret,
        SCOM_TIME_ZONE: 'Mars/Olympus',
        LOG_LEVEL: 'loud',
      },
      ['SCOM_WEBHOOK_TOKEN'],
    );
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  for (const key of [
    'PORT',
    'REDIS_URL',
    'REDIS_PREFIX',
    'SCOM_WEBHOOK_TOKEN',
    'SCOM_TIME_ZONE',
    'LOG_LEVEL',
  ]) {
    expect(message).toContain(`${key}:`);
  }
  expect((error as ConfigError).problems).toHaveLength(6);
  expect(message).toContain('"eighty"');
  expect(message).not.toContain(secret);
  expect(message).not.toContain('hunter2');
});

test('a command can require a setting that is otherwise optional', () => {
  expect(() => loadConfig({}, ['SCOM_WEBHOOK_TOKEN'])).toThrow(/SCOM_WEBHOOK_TOKEN: is required/);
});

test('ADMIN_PASSWORD turns on the job dashboard and is never echoed', () => {
  expect(loadConfig({}).adminPassword).toBeUndefined();
  expect(loadConfig({ ADMIN_PASSWORD: 'correct horse battery' }).adminPassword).toBe(
    'correct horse battery',
  );
  let message = '';
  try {
    loadConfig({ ADMIN_PASSWORD: 'hunter2' });
  } catch (err) {
    message = (err as ConfigError).message;
  }
  expect(message).toMatch(/ADMIN_PASSWORD: must be at least 12 characters/);
  expect(message).toContain('a value of 7 characters');
  expect(message).not.toContain('hunter2');
});

test('chat settings: the console is off unless asked for, PUBLIC_URL must be a URL', () => {
  const c = loadConfig({ CONSOLE_ENABLED: 'true', PUBLIC_URL: 'https://chatops.contoso.com/' });
  expect(c.consoleEnabled).toBe(true);
  expect(c.publicUrl).toBe('https://chatops.contoso.com');
  expect(() => loadConfig({ CONSOLE_ENABLED: 'yes' })).toThrow(
    /CONSOLE_ENABLED: must be true or false/,
  );
  expect(() => loadConfig({ PUBLIC_URL: 'chatops.contoso.com' })).toThrow(
    /PUBLIC_URL: must be an http\(s\) URL/,
  );
});

test('HOST: every interface by default, an address or name when set', () => {
  expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
  expect(loadConfig({ HOST: '::' }).host).toBe('::');
  expect(loadConfig({ HOST: 'bot.contoso.com' }).host).toBe('bot.contoso.com');
  expect(() => loadConfig({ HOST: 'http://0.0.0.0' })).toThrow(/HOST/);
});

test('job signing keys: JOB_SIGNING_KEY is one key with id "default"; JOB_SIGNING_KEYS rotate', () => {
  const a = 'a'.repeat(32);
  const b = 'b'.repeat(40);
  expect(loadConfig({ JOB_SIGNING_KEY: a })).toMatchObject({
    jobSigningKeys: [{ id: 'default', secret: a }],
    jobSigningKey: a,
  });
  // The first signs; every listed one is accepted.
  expect(loadConfig({ JOB_SIGNING_KEYS: `k2:${b}, k1:${a}` })).toMatchObject({
    jobSigningKeys: [
      { id: 'k2', secret: b },
      { id: 'k1', secret: a },
    ],
    jobSigningKey: b,
  });
  // Either satisfies a command that needs a key.
  expect(() => loadConfig({ JOB_SIGNING_KEYS: `k2:${b}` }, ['JOB_SIGNING_KEY'])).not.toThrow();
  expect(() => loadConfig({}, ['JOB_SIGNING_KEY'])).toThrow(
    /JOB_SIGNING_KEY: is required \(or JOB_SIGNING_KEYS/,
  );
});

test('every problem with JOB_SIGNING_KEYS is reported at once, no secret echoed', () => {
  const short = 'tooshort-secret';
  const good = 'g'.repeat(32);
  let error: unknown;
  try {
    loadConfig({
      JOB_SIGNING_KEYS: `k2:${short},${good},bad id:${good},k1:${good},k1:${good}`,
      JOB_SIGNING_KEY: good,
      PORT: 'eighty',
    });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems;
  expect(problems).toEqual([
    expect.stringMatching(/^PORT:/),
    expect.stringMatching(
      /^JOB_SIGNING_KEYS: key 1 \("k2"\): must be at least 32 characters.*15 characters/,
    ),
    expect.stringMatching(/^JOB_SIGNING_KEYS: key 2: must be <id>:<secret>/),
    expect.stringMatching(/^JOB_SIGNING_KEYS: key 3: its id must be/),
    expect.stringMatching(/^JOB_SIGNING_KEYS: key 5: the id "k1" is listed twice/),
    expect.stringMatching(/^JOB_SIGNING_KEYS: set it or JOB_SIGNING_KEY, not both/),
  ]);
  const message = (error as ConfigError).message;
  expect(message).not.toContain(short);
  expect(message).not.toContain(good);
});

test('BOT_ROLE: all (the default) does the background work, web only answers HTTP', () => {
  expect(loadConfig({}).background).toBe(true);
  expect(loadConfig({ BOT_ROLE: 'all' }).background).toBe(true);
  expect(loadConfig({ BOT_ROLE: 'web' }).background).toBe(false);
  expect(() => loadConfig({ BOT_ROLE: 'worker' })).toThrow(/BOT_ROLE.*must be all or web/);
});
