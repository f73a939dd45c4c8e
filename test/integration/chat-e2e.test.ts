import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PowerShellPool } from '../../jobs/powershell';
import { createSimulatedOrg, setScenario, simulatorEnv } from '../../jobs/simulated-exchange';
import { createPoolExecutor } from '../../jobs/worker/pool-executor';
import { startWorker, type RunningWorker } from '../../jobs/worker/start-worker';
import type { Card, CardStep } from '../../src/domain/cards/card';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { ps51Alert } from '../fixtures/scom-alerts';
import { startFakeBotConnector, type FakeBotConnector } from '../support/fake-bot-connector';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api';
import { redisUrl } from '../support/redis';
import { startTestServer, type TestServer } from '../support/server';
import { formBody, postToSlackEndpoint, TEST_SIGNING_SECRET } from '../support/slack-signing';

/**
 * The whole product on one machine: a SCOM alert through the webhook becomes one incident card on
 * Slack, Teams and the console at once; the verify procedure runs by itself on the real worker
 * (node-powershell against the simulated Exchange); an operator asks for the fix from the console,
 * a viewer cannot approve it, an approver does; the result lands in the card's thread and the
 * card says "Recovered" on every platform. A Slack slash command's check answers in its channel.
 */
const KEY = 'e'.repeat(40);
let dir: string;
let worker: RunningWorker;
let server: TestServer;
let slack: FakeSlackApi;
let teams: FakeBotConnector;

interface ConsoleMessage {
  id: string;
  card?: Card;
  reply?: { text: string };
  thread: Array<{ reply: { text: string } }>;
  visibleTo: string | null;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'exe2e-'));
  const stateFile = path.join(dir, 'org.json');
  await createSimulatedOrg(stateFile, { timing: { rebootMs: 500, serviceRestartMs: 10 } });
  setScenario(stateFile, 'pop-backend-hung', { server: 'EX01' });
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    [
      'version: 1',
      'roles:',
      '  operator:',
      '    - console: [alice]',
      '      slack: [U0ALICE]',
      '  approver:',
      '    - console: [bob]',
      '',
    ].join('\n'),
  );
  slack = await startFakeSlackApi();
  teams = await startFakeBotConnector();
  const { NODE_POWERSHELL, ...shellEnv } = simulatorEnv(stateFile, true);
  process.env.NODE_POWERSHELL = NODE_POWERSHELL;
  const env = {
    JOB_SIGNING_KEY: KEY,
    APPROVAL_POLICY: policy,
    APPROVAL_POLICY_RELOAD_SECONDS: '0',
    AUDIT_CHECKPOINT_MINUTES: '0',
    RUNBOOK_WAIT_SECONDS: '1',
    CONSOLE_ENABLED: 'true',
  };
  server = await startTestServer('e2e', env, {
    relayIntervalMs: 500,
    // The console's user picker, as the demo has it (this test plays several people; sign-in has
    // its own test, console-login.test.ts).
    demo: {},
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_ALERT_CHANNEL: 'C0ALERTS',
      TEAMS_ALLOW_ANONYMOUS: 'true',
    },
  });
  worker = await startWorker(
    loadConfig({
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: server.prefix,
      JOB_SIGNING_KEY: KEY,
    }),
    {
      executor: createPoolExecutor(
        new PowerShellPool({
          endpoint: { connectionUri: 'http://ex01.contoso.com/PowerShell/' },
          size: 2,
          timeoutMs: 15_000,
          env: shellEnv,
        }),
      ),
      logger: createLogger('silent'),
      inventory: null,
    },
  );
});

afterAll(async () => {
  await server?.stop();
  await worker?.close();
  await slack?.close();
  await teams?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function eventually<T>(
  what: string,
  get: () => Promise<T | null | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function consoleMessages(user: string): Promise<ConsoleMessage[]> {
  const res = await fetch(`${server.url}/console/api/messages?room=alerts&user=${user}`);
  return ((await res.json()) as { messages: ConsoleMessage[] }).messages;
}

async function incidentCard(): Promise<ConsoleMessage | undefined> {
  return (await consoleMessages('alice')).find((m) =>
    m.card?.facts.some((f) => f.key === 'incident'),
  );
}

const clickAs = async (user: string, value: string, messageId: string, extra: object = {}) =>
  (await (
    await fetch(`${server.url}/console/api/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, room: 'alerts', value, messageId, ...extra }),
    })
  ).json()) as { private: { text: string } | null };

const flat = (steps: CardStep[]): CardStep[] => steps.flatMap((s) => [s, ...flat(s.steps)]);
const fact = (card: Card, key: string) => card.facts.find((f) => f.key === key)?.value;

test('an alert becomes one card on every platform, is verified, fixed with an approval and recovers', async () => {
  // The bot is added to a Teams channel: that channel becomes the Teams alert channel.
  const installed = await fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'conversationUpdate',
      id: 'in-1',
      channelId: 'msteams',
      serviceUrl: teams.url,
      from: { id: '29:ann', name: 'Ann', aadObjectId: 'aad-ann' },
      recipient: { id: '28:bot', name: 'exchange-chatops' },
      membersAdded: [{ id: '28:bot', name: 'exchange-chatops' }],
      conversation: {
        id: '19:ops@thread.tacv2',
        conversationType: 'channel',
        isGroup: true,
        tenantId: 't1',
      },
      channelData: {
        team: { id: '19:ops@thread.tacv2', name: 'Ops' },
        tenant: { id: 't1' },
        eventType: 'teamMemberAdded',
      },
    }),
  });
  expect(installed.status).toBe(200);

  const res = await server.post(
    '/api/alerts/scom',
    ps51Alert({
      Id: 'aaaaaaaa-1111-4222-a333-444444444444',
      PrincipalName: 'EX01.contoso.com',
      NetbiosComputerName: 'EX01',
    }),
  );
  expect(res.status).toBeLessThan(300);

  // One card per platform.
  const posted = await slack.waitFor('chat.postMessage', 1);
  expect(posted[0]!.body).toMatchObject({ channel: 'C0ALERTS' });
  await eventually('the Teams card', async () =>
    teams.calls.some((c) => c.kind === 'createConversation' || c.kind === 'sendToConversation'),
  );
  const first = await eventually('the console card', incidentCard);

  // The verify procedure ran by itself: the card says it is confirmed, the recovery steps show.
  const confirmed = await eventually('the verdict', async () => {
    const m = await incidentCard();
    return m?.card &&
      /Confirmed/.test(fact(m.card, 'verdict') ?? '') &&
      flat(m.card.steps).some((s) => s.kind === 'change' && s.actions.length > 0)
      ? m
      : null;
  });
  expect(confirmed.id).toBe(first.id); // updated in place, not posted again
  expect(slack.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts)).toHaveLength(1);
  // Each platform has its own queue: Slack's card may be updated a moment after the console's.
  await eventually('the Slack card updated', async () => slack.callsTo('chat.update').length > 0);

  // Alice (operator) asks for the service restart.
  const restart = flat(confirmed.card!.steps).find(
    (s) => s.kind === 'change' && s.actions.length > 0,
  )!;
  expect(restart.commands[0]!.text).toContain("Restart-Service -Name 'MSExchangePOP3BE'");
  const asked = await clickAs('alice', restart.actions[0]!.value, confirmed.id);
  expect(asked.private!.text).toMatch(/waits for approval/);
  const pending = await eventually('the approval block', async () => {
    const m = await incidentCard();
    return m?.card?.requests?.find((r) => r.state === 'pending') ?? null;
  });
  const approve = pending.actions.find((a) => a.id.startsWith('approve:'))!;

  // A viewer's click changes nothing and gets a private explanation.
  const denied = await clickAs('guest', approve.value, confirmed.id);
  expect(denied.private!.text).toMatch(/viewer/i);
  expect((await incidentCard())!.card!.requests!.find((r) => r.id === pending.id)!.state).toBe(
    'pending',
  );

  // Bob approves: the signed job runs on the worker; the run re-checks the probe and recovers.
  const approved = await clickAs('bob', approve.value, confirmed.id);
  expect(approved.private!.text).toMatch(/^Approved/);
  const recovered = await eventually('recovered', async () => {
    const m = await incidentCard();
    return m?.card?.status?.label.startsWith('Recovered') ? m : null;
  });
  expect(recovered.card!.requests!.find((r) => r.id === pending.id)!.state).toBe('succeeded');
  // Step results are in the card's thread, on the console and on Slack.
  await eventually(
    'thread replies',
    async () => recovered.thread.length >= 2 || (await incidentCard())!.thread.length >= 2,
  );
  // Wait for the lines themselves, not for a number of calls: under load they arrive one by one.
  const threadTexts = () =>
    slack
      .callsTo('chat.postMessage')
      .filter((c) => c.body.thread_ts)
      .map((c) => String(c.body.text));
  const texts = await eventually('both step results in the Slack thread', async () => {
    const t = threadTexts();
    return t.some((x) => x.startsWith('✅ Step 1 · ')) && t.some((x) => /^✅ Step 2 · /.test(x))
      ? t
      : null;
  });
  expect(texts).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^✅ Step 1 · Restart an Exchange service: /),
      expect.stringMatching(/^✅ Step 2 · Re-run a probe: /),
    ]),
  );
  const teamsUpdates = teams.calls.filter((c) => c.kind === 'updateActivity');
  expect(teamsUpdates.length).toBeGreaterThan(0);

  // The audit trail has the whole story, and `/exchange audit` shows it.
  const incidentId = fact(recovered.card!, 'incident')!;
  const trail = await eventually('the audit trail', async () => {
    const entries = await server.approvals.audit.latest({ incidentId }, 200);
    const actions = new Set(entries.map((e) => e.action));
    return [
      'alert.received',
      'incident.created',
      'card.posted',
      'card.updated',
      'check.run',
      'approval.requested',
      'approval.approved',
      'job.finished',
    ].every((a) => actions.has(a as never))
      ? actions
      : null;
  });
  expect(trail.size).toBeGreaterThan(5);
  const shown = await fetch(`${server.url}/console/api/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'alice', room: 'alerts', text: `audit ${incidentId}` }),
  });
  const body = (await shown.json()) as { private: { code: Array<{ body: string }> } };
  expect(body.private.code[0]!.body).toMatch(/approved restart-service .* by bob/);
}, 90_000);

test('a Slack slash command is acknowledged at once and its check answers in the channel', async () => {
  const before = slack.callsTo('chat.postMessage').length;
  const res = await postToSlackEndpoint(
    `${server.url}/slack/events`,
    formBody({
      command: '/exchange',
      text: 'health EX02 POP.Protocol',
      user_id: 'U0ALICE',
      user_name: 'alice',
      channel_id: 'C0OPS',
      team_id: 'T1',
      response_url: slack.responseUrl('r1'),
      trigger_id: 't1',
    }),
    'application/x-www-form-urlencoded',
  );
  expect(res.status).toBe(200);
  const ack = await slack.waitFor('response_url', 1);
  expect(JSON.stringify(ack[0]!.body)).toMatch(/Queued for a worker/);
  const answer = await eventually('the check result', async () =>
    slack
      .callsTo('chat.postMessage')
      .slice(before)
      .find((c) => c.body.channel === 'C0OPS'),
  );
  expect(String(answer.body.text)).toMatch(/get-server-health on EX02/);
}, 60_000);
