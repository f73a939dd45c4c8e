import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeActionRef } from '../../src/domain/cards/action-ref';
import type { Card } from '../../src/domain/cards/card';
import type { ChatCore, ChatResponse } from '../../src/app/chat/ports';
import { createLogger } from '../../src/infra/logger';
import { startFakeSlackApi, type FakeSlackApi } from '../../test/support/fake-slack-api';
import {
  TEST_SIGNING_SECRET,
  formBody,
  postToSlackEndpoint,
} from '../../test/support/slack-signing';
import { createSlackAdapter, type SlackAdapter } from './index';

type CoreCall = { kind: 'command' | 'action'; input: Record<string, unknown> };

/** A stand-in for the lead's ChatCore: records calls, answers what the test says. */
function stubCore() {
  const calls: CoreCall[] = [];
  let answer: (input: Record<string, unknown>) => Promise<ChatResponse> = async () => ({});
  /** Channels set to Traditional Chinese (`lang zh-TW`). */
  const zhChannels = new Set<string>();
  const core: ChatCore = {
    langOf: async (channel) => (zhChannels.has(channel.id) ? 'zh-TW' : 'en'),
    command: async (input) => {
      calls.push({ kind: 'command', input: input as unknown as Record<string, unknown> });
      return answer(input as unknown as Record<string, unknown>);
    },
    action: async (input) => {
      calls.push({ kind: 'action', input: input as unknown as Record<string, unknown> });
      return answer(input as unknown as Record<string, unknown>);
    },
  };
  return {
    core,
    calls,
    zhChannels,
    answer(fn: (input: Record<string, unknown>) => Promise<ChatResponse>) {
      answer = fn;
    },
  };
}

const card = (title: string): Card => ({
  version: 1,
  lang: 'en',
  title,
  tone: 'warning',
  fallbackText: title,
  facts: [{ key: 'server', label: 'Server', value: 'EX01' }],
  notes: [],
  steps: [],
  actions: [],
  links: [],
});

const value = (op: 'run-step' | 'approve' | 'reject', extra: Record<string, unknown> = {}) =>
  encodeActionRef({ v: 1, op, section: 'pop-ctp', incident: 'inc-1', version: 2, ...extra });

/**
 * Waits for a condition, never a fixed time. The bound only turns a hang into a failure, and is
 * far above what a loaded 2-core machine needs.
 */
const PATIENCE_MS = 20_000;

async function until(ok: () => boolean, what = 'the condition'): Promise<void> {
  const end = Date.now() + PATIENCE_MS;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Slack adapter over HTTP (/slack/events)', () => {
  let fake: FakeSlackApi;
  /** The fake Slack API's calls, with the same patience. */
  const waitFor = (method: string, count = 1) => fake.waitFor(method, count, PATIENCE_MS);
  let adapter: SlackAdapter;
  let server: Server;
  let url: string;
  const stub = stubCore();

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    const a = createSlackAdapter({
      env: {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_ALERT_CHANNEL: 'C0ALERTS',
      },
      core: stub.core,
      logger: createLogger('silent'),
    });
    if (!a) throw new Error('adapter should be on');
    adapter = a;
    // The shape of src/infra/http/create-app.ts: adapters' routes, then the 404 handler.
    const app = express();
    adapter.mount(app);
    app.use((_req, res) => {
      res.status(404).json({ error: 'not_found' });
    });
    server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    await adapter.start();
  });
  afterAll(async () => {
    await adapter.stop();
    await new Promise((r) => server.close(r));
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    stub.calls.length = 0;
    stub.answer(async () => ({}));
  });

  const command = (text: string, extra: Record<string, string> = {}) =>
    formBody({
      command: '/exchange',
      text,
      user_id: 'U0ANA',
      user_name: 'ana',
      channel_id: 'C0OPS',
      team_id: 'T0TEST',
      response_url: fake.responseUrl('cmd1'),
      trigger_id: '1.2.3',
      token: 'legacy',
      ...extra,
    });
  const interactive = (payload: unknown) => formBody({ payload: JSON.stringify(payload) });
  const FORM = 'application/x-www-form-urlencoded' as const;

  const click = (actionId: string, v: string, extra: Record<string, unknown> = {}) => ({
    type: 'block_actions',
    team: { id: 'T0TEST' },
    user: { id: 'U0KIM', username: 'kim', name: 'kim' },
    api_app_id: 'A0APP',
    trigger_id: '111.222.333',
    response_url: fake.responseUrl('click1'),
    container: { type: 'message', message_ts: '1700000000.000001', channel_id: 'C0ALERTS' },
    channel: { id: 'C0ALERTS', name: 'alerts' },
    message: { ts: '1700000000.000001', type: 'message', text: 'card' },
    actions: [{ type: 'button', action_id: actionId, value: v, block_id: 'b1', action_ts: '1' }],
    ...extra,
  });

  it('exposes the alert channel and the mode', () => {
    expect(adapter.alertChannel).toBe('C0ALERTS');
    expect(adapter.mode).toBe('http');
    expect(fake.callsTo('auth.test').length).toBe(0); // reset cleared the start-up check
  });

  describe('signatures', () => {
    it('takes a validly signed request', async () => {
      const res = await postToSlackEndpoint(url, command('help'), FORM);
      expect(res.status).toBe(200);
      expect(stub.calls.map((c) => c.kind)).toEqual(['command']);
    });

    it('answers 401 to a wrong signature and does nothing', async () => {
      for (const opts of [{ secret: 'f'.repeat(32) }, { tamper: true }]) {
        const res = await postToSlackEndpoint(url, command('help'), FORM, opts);
        expect(res.status).toBe(401);
      }
      const unsigned = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: command('x'),
      });
      expect(unsigned.status).toBe(401);
      expect(stub.calls).toEqual([]);
    });

    it('answers 401 to a stale timestamp (older than 5 minutes) and does nothing', async () => {
      const old = Math.floor(Date.now() / 1000) - 6 * 60;
      const res = await postToSlackEndpoint(url, command('help'), FORM, { timestamp: old });
      expect(res.status).toBe(401);
      expect(stub.calls).toEqual([]);
    });

    it('does not run a redelivered event twice', async () => {
      const event = (id: string, command = 'incidents') =>
        JSON.stringify({
          type: 'event_callback',
          team_id: 'T0TEST',
          api_app_id: 'A0APP',
          event_id: id,
          event_time: 1,
          event: {
            type: 'app_mention',
            user: 'U0ANA',
            channel: 'C0OPS',
            text: `<@UBOT> ${command}`,
            ts: '1700000000.000500',
          },
        });
      stub.answer(async () => ({ public: { text: 'No open incidents.' } }));
      const first = await postToSlackEndpoint(url, event('Ev1'), 'application/json');
      expect(first.status).toBe(200);
      await waitFor('chat.postMessage');
      // Same event again, as Slack redelivers after an error: already handled here.
      const again = await postToSlackEndpoint(url, event('Ev1'), 'application/json', {
        retryNum: 1,
        retryReason: 'http_error',
      });
      expect(again.status).toBe(200);
      // A redelivery after a timeout: the first delivery reached some replica; never re-run.
      const late = await postToSlackEndpoint(url, event('Ev2'), 'application/json', {
        retryNum: 2,
        retryReason: 'http_timeout',
      });
      expect(late.status).toBe(200);
      // A new event after them: once it reached the core, the redeliveries (sent before it, and
      // filtered by an in-memory check as each arrived) have been decided too. No fixed sleep.
      const marker = await postToSlackEndpoint(url, event('Ev3', 'help'), 'application/json');
      expect(marker.status).toBe(200);
      await until(() => stub.calls.some((c) => c.input.text === 'help'), 'the new event');
      expect(stub.calls.map((c) => c.input.text)).toEqual(['incidents', 'help']);
      // Its answer is posted too, before the next test looks at the fake's calls.
      await waitFor('chat.postMessage', 2);
      expect(stub.calls[0]?.input).toMatchObject({
        actor: { platform: 'slack', id: 'U0ANA' },
        channel: { platform: 'slack', id: 'C0OPS' },
        text: 'incidents',
      });
      // The answer to a mention goes in its thread.
      expect(fake.callsTo('chat.postMessage')[0]?.body).toMatchObject({
        channel: 'C0OPS',
        thread_ts: '1700000000.000500',
        text: 'No open incidents.',
      });
    });

    it('answers the URL verification challenge', async () => {
      const res = await postToSlackEndpoint(
        url,
        JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 't' }),
        'application/json',
      );
      expect(await res.json()).toEqual({ challenge: 'abc' });
    });
  });

  describe('/exchange', () => {
    it('acknowledges before the core answers, then sends the private answer via response_url', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      stub.answer(async () => {
        await gate;
        return {
          private: {
            text: 'Health of EX01',
            code: [{ title: 'Get-ServerHealth', body: 'POP  Unhealthy' }],
          },
          public: { text: 'Ana asked for the health of EX01' },
        };
      });
      const res = await postToSlackEndpoint(url, command('  health EX01  '), FORM);
      expect(res.status).toBe(200); // acked while the core is still working
      expect(fake.callsTo('response_url')).toHaveLength(0);
      release();
      const [reply] = await waitFor('response_url');
      expect(reply?.responseId).toBe('cmd1');
      expect(reply?.body).toMatchObject({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Health of EX01',
      });
      expect(JSON.stringify(reply?.body.blocks)).toContain('```POP  Unhealthy```');
      const [pub] = await waitFor('chat.postMessage');
      expect(pub?.body).toMatchObject({
        channel: 'C0OPS',
        text: 'Ana asked for the health of EX01',
      });
      expect(pub?.body.thread_ts).toBeUndefined();
      expect(stub.calls[0]?.input).toEqual({
        actor: { platform: 'slack', id: 'U0ANA', displayName: 'ana' },
        channel: { platform: 'slack', id: 'C0OPS' },
        text: 'health EX01',
      });
    });

    it('tells the user privately when the core fails, without internals', async () => {
      stub.answer(async () => {
        throw new Error('boom at /srv/app/src/chat/core.ts:42');
      });
      expect((await postToSlackEndpoint(url, command('incidents'), FORM)).status).toBe(200);
      const [reply] = await waitFor('response_url');
      expect(reply?.body.text).toMatch(/Something went wrong/);
      expect(JSON.stringify(reply?.body)).not.toContain('core.ts');
    });

    it('answers a malformed command privately and never calls the core', async () => {
      const res = await postToSlackEndpoint(url, command('x', { user_id: 'not an id!' }), FORM);
      expect(res.status).toBe(200);
      const [reply] = await waitFor('response_url');
      expect(reply?.body.text).toBe('I could not read that command.');
      expect(stub.calls).toEqual([]);
    });

    it('falls back to the user when the bot is not in the channel', async () => {
      stub.answer(async () => ({ public: { text: 'shared answer' } }));
      fake.failNext({ error: 'not_in_channel' }, 1, 'chat.postMessage');
      await postToSlackEndpoint(url, command('jobs'), FORM);
      const replies = await waitFor('response_url', 2);
      expect(replies[0]?.body.text).toMatch(/not a member of this channel/);
      expect(replies[1]?.body.text).toBe('shared answer');
    });
  });

  describe('buttons', () => {
    it('passes the actor, channel, value, message and confirmed flag to the core; redraws the card; answers in the thread', async () => {
      const v = value('run-step', { step: 'pop-ctp.4' });
      stub.answer(async () => ({
        updatedCard: card('POP down on EX01'),
        public: { text: 'Kim asked to restart EX01' },
        private: { text: 'Approval requested.' },
      }));
      const res = await postToSlackEndpoint(
        url,
        interactive(click('exo:c:run-step:pop-ctp.4', v)),
        FORM,
      );
      expect(res.status).toBe(200);
      const [reply] = await waitFor('response_url');
      expect(stub.calls[0]).toEqual({
        kind: 'action',
        input: {
          actor: { platform: 'slack', id: 'U0KIM', displayName: 'kim' },
          channel: { platform: 'slack', id: 'C0ALERTS' },
          value: v,
          input: { confirmed: true },
          message: { platform: 'slack', channel: 'C0ALERTS', messageId: '1700000000.000001' },
        },
      });
      const [update] = fake.callsTo('chat.update');
      expect(update?.body).toMatchObject({
        channel: 'C0ALERTS',
        ts: '1700000000.000001',
        text: 'POP down on EX01',
      });
      expect((update?.body.blocks as { type: string }[])[0]?.type).toBe('header');
      expect(fake.callsTo('chat.postMessage')[0]?.body).toMatchObject({
        thread_ts: '1700000000.000001',
        text: 'Kim asked to restart EX01',
      });
      expect(reply?.body).toMatchObject({
        response_type: 'ephemeral',
        text: 'Approval requested.',
      });
    });

    it('marks a click without a confirm dialog as not confirmed', async () => {
      const v = value('approve', { request: 'req1' });
      await postToSlackEndpoint(url, interactive(click('exo::approve:req1', v)), FORM);
      await until(() => stub.calls.length > 0, 'the click');
      expect(stub.calls[0]?.input.input).toEqual({ confirmed: false });
      expect(stub.calls[0]?.input.value).toBe(v);
    });

    it('redraws an ephemeral card through its response_url', async () => {
      stub.answer(async () => ({ updatedCard: card('Verify section') }));
      const payload = click('exo::run-step:pop-ctp.2', value('run-step', { step: 'pop-ctp.2' }), {
        container: {
          type: 'message',
          message_ts: '1700000000.000009',
          channel_id: 'C0OPS',
          is_ephemeral: true,
        },
        channel: { id: 'C0OPS' },
        message: undefined,
      });
      await postToSlackEndpoint(url, interactive(payload), FORM);
      const [reply] = await waitFor('response_url');
      expect(reply?.body).toMatchObject({ replace_original: true, text: 'Verify section' });
      expect(stub.calls[0]?.input.message).toBeUndefined();
      expect(fake.callsTo('chat.update')).toEqual([]);
    });

    it('answers privately to a button that is not ours, and to a tampered value', async () => {
      for (const [id, v] of [
        ['someone-elses-button', 'x'],
        ['exo:r:reject:req1', '{"v":'],
      ] as const) {
        fake.reset();
        const res = await postToSlackEndpoint(url, interactive(click(id, v)), FORM);
        expect(res.status).toBe(200);
        const [reply] = await waitFor('response_url');
        expect(reply?.body.text).toMatch(/not one I know/);
      }
      expect(stub.calls).toEqual([]);
    });

    it("says its own errors in the channel's language", async () => {
      stub.zhChannels.add('C0ALERTS');
      try {
        fake.reset();
        await postToSlackEndpoint(url, interactive(click('someone-elses-button', 'x')), FORM);
        const [reply] = await waitFor('response_url');
        expect(reply?.body.text).toBe('這個按鈕不是我的（或已過期）。');
        fake.reset();
        stub.answer(async () => {
          throw new Error('boom');
        });
        stub.zhChannels.add('C0OPS');
        await postToSlackEndpoint(url, command('incidents'), FORM);
        const [failed] = await waitFor('response_url');
        expect(failed?.body.text).toBe('處理時發生錯誤。已記錄；請再試一次。');
      } finally {
        stub.zhChannels.clear();
        stub.answer(async () => ({}));
      }
    });

    it('answers 400 to a signed payload that is no Slack payload, and never crashes', async () => {
      for (const body of [
        formBody({ payload: '{"type":"nonsense"}' }),
        formBody({ payload: 'not json' }),
        'x=1',
      ]) {
        const res = await postToSlackEndpoint(url, body, FORM);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
      expect(stub.calls).toEqual([]);
      // Still serving.
      expect((await postToSlackEndpoint(url, command('help'), FORM)).status).toBe(200);
    });
  });

  describe('reject with a reason', () => {
    const reject = () => ({
      id: 'reject:req7',
      label: 'Reject',
      style: 'danger' as const,
      value: value('reject', { request: 'req7' }),
      needsReason: {
        title: 'Reject the request',
        label: 'Why do you reject it?',
        submit: 'Reject',
        optional: false,
      },
    });

    it('opens a modal, and its submission calls the core with the reason', async () => {
      const a = reject();
      const slackValue = JSON.stringify({ v: a.value, r: a.needsReason });
      await postToSlackEndpoint(url, interactive(click('exo:r:reject:req7', slackValue)), FORM);
      const [open] = await waitFor('views.open');
      expect(stub.calls).toEqual([]); // nothing happens before the reason is given
      const view = open?.body.view as Record<string, unknown> & { private_metadata: string };
      expect(open?.body.trigger_id).toBe('111.222.333');
      expect(view).toMatchObject({
        type: 'modal',
        callback_id: 'exo_reason',
        title: { type: 'plain_text', text: 'Reject the request' },
        submit: { type: 'plain_text', text: 'Reject' },
        blocks: [
          {
            type: 'input',
            block_id: 'reason',
            optional: false,
            label: { type: 'plain_text', text: 'Why do you reject it?' },
            element: {
              type: 'plain_text_input',
              action_id: 'reason',
              multiline: true,
              max_length: 500,
            },
          },
        ],
      });

      stub.answer(async () => ({ updatedCard: card('Rejected'), private: { text: 'Rejected.' } }));
      const submission = (reason: string) => ({
        type: 'view_submission',
        team: { id: 'T0TEST' },
        user: { id: 'U0KIM', username: 'kim', name: 'kim' },
        api_app_id: 'A0APP',
        trigger_id: '9.9.9',
        view: {
          id: 'V0TEST',
          type: 'modal',
          callback_id: 'exo_reason',
          private_metadata: view.private_metadata,
          state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } },
        },
      });
      const empty = await postToSlackEndpoint(url, interactive(submission('   ')), FORM);
      expect(await empty.json()).toEqual({
        response_action: 'errors',
        errors: { reason: 'Please give a reason.' },
      });
      expect(stub.calls).toEqual([]);

      const res = await postToSlackEndpoint(
        url,
        interactive(submission(' not during business hours ')),
        FORM,
      );
      expect(res.status).toBe(200);
      await waitFor('chat.postEphemeral');
      expect(stub.calls[0]?.input).toEqual({
        actor: { platform: 'slack', id: 'U0KIM', displayName: 'kim' },
        channel: { platform: 'slack', id: 'C0ALERTS' },
        value: a.value,
        input: { reason: 'not during business hours', confirmed: false },
        message: { platform: 'slack', channel: 'C0ALERTS', messageId: '1700000000.000001' },
      });
      expect(fake.callsTo('chat.update')[0]?.body).toMatchObject({
        ts: '1700000000.000001',
        text: 'Rejected',
      });
      expect(fake.callsTo('chat.postEphemeral')[0]?.body).toMatchObject({
        channel: 'C0ALERTS',
        user: 'U0KIM',
        text: 'Rejected.',
      });
    });

    it('refuses a submission with tampered metadata', async () => {
      const res = await postToSlackEndpoint(
        url,
        interactive({
          type: 'view_submission',
          user: { id: 'U0KIM' },
          view: {
            callback_id: 'exo_reason',
            private_metadata: '{"value":1}',
            state: { values: {} },
          },
        }),
        FORM,
      );
      expect(await res.json()).toMatchObject({ response_action: 'errors' });
      expect(stub.calls).toEqual([]);
    });
  });
});
