import pino from 'pino';
import { Writable } from 'node:stream';
import { loadSlackConfig, SlackConfigError } from './config';
import { startFakeSlackApi } from '../../test/support/fake-slack-api';
import { createSlackAdapter } from './index';

const BOT = 'xoxb-123-456-abc';
const SECRET = '0123456789abcdef0123456789abcdef';
const APP = 'xapp-1-A0-123-abc';

describe('loadSlackConfig', () => {
  it('is off, with the reason, when no Slack token is set', () => {
    expect(loadSlackConfig({})).toEqual({
      enabled: false,
      reason: expect.stringContaining('SLACK_BOT_TOKEN'),
    });
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: ' ', SLACK_API_URL: 'http://x' })).toMatchObject({
      enabled: false,
    });
  });

  it('reads HTTP mode with Slack’s API URL by default', () => {
    expect(
      loadSlackConfig({
        SLACK_BOT_TOKEN: BOT,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_ALERT_CHANNEL: 'C0123ABCD',
      }),
    ).toEqual({
      enabled: true,
      config: {
        botToken: BOT,
        signingSecret: SECRET,
        appToken: undefined,
        apiUrl: 'https://slack.com/api/',
        alertChannel: 'C0123ABCD',
      },
    });
  });

  it('reads Socket Mode from the app token', () => {
    const r = loadSlackConfig({
      SLACK_BOT_TOKEN: BOT,
      SLACK_APP_TOKEN: APP,
      SLACK_API_URL: 'http://127.0.0.1:9/api',
    });
    expect(r).toMatchObject({
      enabled: true,
      config: { appToken: APP, apiUrl: 'http://127.0.0.1:9/api/', alertChannel: null },
    });
  });

  it('lists what is missing in a partial configuration', () => {
    expect(() => loadSlackConfig({ SLACK_SIGNING_SECRET: SECRET })).toThrow(
      /SLACK_BOT_TOKEN: is required/,
    );
    expect(() => loadSlackConfig({ SLACK_BOT_TOKEN: BOT })).toThrow(
      /SLACK_SIGNING_SECRET \(HTTP mode\) or SLACK_APP_TOKEN/,
    );
  });

  it('rejects malformed values without echoing secrets', () => {
    let err: unknown;
    try {
      loadSlackConfig({
        SLACK_BOT_TOKEN: 'xoxp-user-token-secret',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_ALERT_CHANNEL: '#alerts',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SlackConfigError);
    expect((err as SlackConfigError).problems).toEqual([
      'SLACK_BOT_TOKEN: must be a bot token (xoxb-…)',
      'SLACK_ALERT_CHANNEL: must be a channel id such as C0123456789 (not a #name)',
    ]);
    expect((err as Error).message).not.toContain('user-token-secret');
  });
});

describe('createSlackAdapter', () => {
  const core = { command: async () => ({}), action: async () => ({}) };

  it('returns null and says why at info when Slack is not configured', () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    );
    expect(createSlackAdapter({ env: {}, core, logger })).toBeNull();
    expect(lines.join('')).toContain('Slack adapter is off');
  });

  it('builds a Socket Mode adapter without an HTTP route; a refused connection does not stop the start', async () => {
    const fake = await startFakeSlackApi();
    try {
      const a = createSlackAdapter({
        env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_API_URL: fake.apiUrl },
        core,
        logger: pino({ level: 'silent' }),
      });
      expect(a?.mode).toBe('socket');
      const routes: unknown[] = [];
      a?.mount({ use: (r: unknown) => routes.push(r) } as never);
      expect(routes).toEqual([]);
      await expect(a?.start()).resolves.toBeUndefined();
      const [open] = await fake.waitFor('apps.connections.open');
      expect(open?.headers.authorization).toBe(`Bearer ${APP}`);
      expect(fake.callsTo('auth.test')[0]?.headers.authorization).toBe(`Bearer ${BOT}`);
      await a?.stop();
    } finally {
      await fake.close();
    }
  });
});
