import type { Card } from '../../src/domain/cards/card';
import { ChatDeliveryError } from '../../src/app/chat/ports';
import { createLogger } from '../../src/infra/logger';
import { startFakeSlackApi, type FakeSlackApi } from '../../test/support/fake-slack-api';
import { TEST_SIGNING_SECRET } from '../../test/support/slack-signing';
import { createSlackAdapter, type SlackAdapter } from './index';

const card = (status: string): Card => ({
  version: 1,
  lang: 'en',
  title: 'POP down on EX01',
  subtitle: 'POP · EX01',
  tone: 'warning',
  fallbackText: 'POP down on EX01',
  facts: [{ key: 'severity', label: 'Severity', value: 'Error' }],
  notes: [],
  steps: [],
  actions: [],
  links: [],
  status: { label: status, tone: 'warning' },
});

describe('Slack surface (outgoing, for the delivery queue)', () => {
  let fake: FakeSlackApi;
  let adapter: SlackAdapter;

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    const a = createSlackAdapter({
      env: {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl.replace(/\/$/, ''), // the trailing slash is optional
      },
      core: { command: async () => ({}), action: async () => ({}) },
      logger: createLogger('silent'),
      groupCacheTtlMs: 60_000,
    });
    if (!a) throw new Error('adapter should be on');
    adapter = a;
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('posts a card, updates it in place and answers in its thread', async () => {
    const ref = await adapter.surface.postCard('C0ALERTS', card('New'));
    expect(ref).toEqual({
      platform: 'slack',
      channel: 'C0ALERTS',
      messageId: expect.stringMatching(/^\d+\.\d+$/),
    });
    const [post] = fake.callsTo('chat.postMessage');
    expect(post?.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(post?.body).toMatchObject({
      channel: 'C0ALERTS',
      text: 'POP down on EX01 — New',
      unfurl_links: false,
    });
    expect((post?.body.blocks as { type: string }[]).map((b) => b.type)).toEqual([
      'header',
      'context',
      'section',
    ]);

    await adapter.surface.updateCard(ref, card('Recovered'));
    expect(fake.callsTo('chat.update')[0]?.body).toMatchObject({
      channel: 'C0ALERTS',
      ts: ref.messageId,
      text: 'POP down on EX01 — Recovered',
    });

    await adapter.surface.postInThread(ref, {
      text: 'Step 2 succeeded',
      code: [
        {
          title: 'Invoke-MonitoringProbe',
          body: 'Result: Succeeded',
          truncatedFrom: 9000,
          fullTextUrl: 'https://c.example/o/1',
        },
      ],
    });
    const thread = fake.callsTo('chat.postMessage')[1];
    expect(thread?.body).toMatchObject({
      channel: 'C0ALERTS',
      thread_ts: ref.messageId,
      text: 'Step 2 succeeded',
    });
    expect(JSON.stringify(thread?.body.blocks)).toContain('<https://c.example/o/1|Full output>');

    await adapter.surface.postToChannel('C0OPS', { text: 'Checks finished' });
    const last = fake.callsTo('chat.postMessage')[2];
    expect(last?.body).toMatchObject({ channel: 'C0OPS', text: 'Checks finished' });
    expect(last?.body.thread_ts).toBeUndefined();
  });

  it('turns a 429 into a ChatDeliveryError with Retry-After, tried once; the next try goes through', async () => {
    fake.failNext({ status: 429, retryAfter: 7 });
    const err = await adapter.surface.postCard('C0ALERTS', card('New')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatDeliveryError);
    expect(err).toMatchObject({ retryAfterMs: 7000, retryable: true });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1); // no hidden retries in the client
    // The queue retries later: nothing was lost.
    const ref = await adapter.surface.postCard('C0ALERTS', card('New'));
    expect(ref.messageId).toBeTruthy();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('turns a 500 into a retryable error without its own retries', async () => {
    fake.failNext({ status: 500 });
    const ref = { platform: 'slack' as const, channel: 'C0ALERTS', messageId: '1700000000.000001' };
    const err = await adapter.surface.updateCard(ref, card('Recovered')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatDeliveryError);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: undefined });
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    await adapter.surface.updateCard(ref, card('Recovered'));
    expect(fake.callsTo('chat.update')).toHaveLength(2);
  });

  it('marks errors a retry cannot fix as not retryable', async () => {
    for (const error of ['channel_not_found', 'not_in_channel', 'invalid_auth']) {
      fake.failNext({ error });
      const err = await adapter.surface
        .postToChannel('C0GONE', { text: 'x' })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ChatDeliveryError', retryable: false });
      expect((err as Error).message).toContain(error);
    }
    fake.failNext({ error: 'internal_error' });
    const err = await adapter.surface
      .postToChannel('C0OPS', { text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true });
  });

  it('turns an unreachable Slack into a retryable error', async () => {
    const a = createSlackAdapter({
      config: {
        botToken: 'xoxb-x',
        signingSecret: TEST_SIGNING_SECRET,
        appToken: undefined,
        apiUrl: 'http://127.0.0.1:1/api/',
        alertChannel: null,
      },
      core: { command: async () => ({}), action: async () => ({}) },
      logger: createLogger('silent'),
    });
    const err = await a?.surface.postToChannel('C0OPS', { text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ChatDeliveryError', retryable: true });
    expect((err as Error).message).toMatch(/cannot reach Slack/);
    // Start-up does not fail (or leave an unhandled rejection) when Slack is unreachable.
    await expect(a?.start()).resolves.toBeUndefined();
  });

  describe('user groups', () => {
    it('resolves a user’s groups with one cached usergroups.list call', async () => {
      fake.userGroups = [
        { id: 'S0ADMINS', handle: 'exch-admins', users: ['U0ANA', 'U0KIM'] },
        { id: 'S0OPS', handle: 'ops', users: ['U0ANA'] },
      ];
      const ana = await adapter.groups.groupsOf({ platform: 'slack', id: 'U0ANA' });
      const [kim, lee] = await Promise.all([
        adapter.groups.groupsOf({ platform: 'slack', id: 'U0KIM' }),
        adapter.groups.groupsOf({ platform: 'slack', id: 'U0LEE' }),
      ]);
      expect(ana).toEqual(['S0ADMINS', 'S0OPS']);
      expect(kim).toEqual(['S0ADMINS']);
      expect(lee).toEqual([]);
      expect(await adapter.groups.groupsOf({ platform: 'teams', id: 'U0ANA' })).toEqual([]);
      const calls = fake.callsTo('usergroups.list');
      expect(calls).toHaveLength(1);
      expect(calls[0]?.body).toMatchObject({ include_users: true });
    });

    it('counts a failed look-up as no groups and does not cache it', async () => {
      const a = createSlackAdapter({
        config: {
          botToken: 'xoxb-x',
          signingSecret: TEST_SIGNING_SECRET,
          appToken: undefined,
          apiUrl: fake.apiUrl,
          alertChannel: null,
        },
        core: { command: async () => ({}), action: async () => ({}) },
        logger: createLogger('silent'),
      });
      fake.userGroups = [{ id: 'S0ADMINS', handle: 'a', users: ['U0ANA'] }];
      fake.failNext({ error: 'missing_scope' }, 1, 'usergroups.list');
      expect(await a?.groups.groupsOf({ platform: 'slack', id: 'U0ANA' })).toEqual([]);
      expect(await a?.groups.groupsOf({ platform: 'slack', id: 'U0ANA' })).toEqual(['S0ADMINS']);
    });
  });
});
