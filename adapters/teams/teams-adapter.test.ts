// One file on purpose (over 450 lines): every test talks to the same Teams adapter through the
// same fake Bot Connector and signed-token set-up below; split, each part would copy it.
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { toServerRef } from '../../src/domain/alerts/host-name';
import type { Card } from '../../src/domain/cards/card';
import { buildRunbookCard } from '../../src/domain/cards/runbook-card';
import {
  ChatDeliveryError,
  type ChatCore,
  type ChatResponse,
  type MessageRef,
} from '../../src/app/chat/ports';
import { createLogger } from '../../src/infra/logger';
import { loadCatalog } from '../../src/infra/files/load-catalog';
import { adaptiveCardProblems } from '../../test/support/adaptive-cards';
import {
  startFakeBotConnector,
  type FakeBotConnector,
} from '../../test/support/fake-bot-connector';
import { deletePrefix, testPrefix, testRedis } from '../../test/support/redis';
import { teamsKeys } from './conversation-store';
import { createTeamsAdapter, type TeamsAdapter } from './index';

const TENANT = '11111111-2222-3333-4444-555555555555';
const ANN = {
  id: '29:ann',
  name: 'Ann Admin',
  aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000001',
};
const BOB = { id: '29:bob', name: 'Bob Ops', aadObjectId: 'bbbbbbbb-0000-0000-0000-000000000002' };
const BOT = { id: '28:exchops', name: 'ExchOps' };
const TEAM = '19:team-general@thread.tacv2';
const OTHER_CHANNEL = '19:alerts@thread.tacv2';
const PERSONAL = 'a:1personal-ann';

const catalog = loadCatalog();
const popCtp = catalog.sections.get('pop-ctp');
if (!popCtp) throw new Error('pop-ctp');
const sampleCard: Card = buildRunbookCard(
  popCtp,
  {
    server: toServerRef('EX01.contoso.com'),
    relatedServer: null,
    healthSet: 'POP',
    probe: { name: 'PopCTPProbe', healthSet: 'POP' },
    roles: null,
    incident: { id: 'inc-1', version: 1 },
  },
  'en',
);

/** A ChatCore that records its calls and answers what the test asks. */
function stubCore() {
  const commands: Parameters<ChatCore['command']>[0][] = [];
  const actions: Parameters<ChatCore['action']>[0][] = [];
  const answers = {
    command: (_: Parameters<ChatCore['command']>[0]): ChatResponse => ({ public: { text: 'ok' } }),
    action: (_: Parameters<ChatCore['action']>[0]): ChatResponse => ({}),
  };
  /** Conversations set to Traditional Chinese (`lang zh-TW`). */
  const zhChannels = new Set<string>();
  const core: ChatCore = {
    langOf: async (channel) => (zhChannels.has(channel.id) ? 'zh-TW' : 'en'),
    async command(input) {
      commands.push(input);
      return answers.command(input);
    },
    async action(input) {
      actions.push(input);
      return answers.action(input);
    },
  };
  return { core, commands, actions, answers, zhChannels };
}

interface InvokeBody {
  statusCode: number;
  type: string;
  value: object;
}

let fake: FakeBotConnector;
const redis = testRedis();
const prefix = testPrefix('teams');
const stub = stubCore();
let teams: TeamsAdapter;
let server: Server;
let baseUrl: string;

async function listen(adapter: TeamsAdapter): Promise<{ server: Server; url: string }> {
  const app = express();
  adapter.mount(app);
  const s = await new Promise<Server>((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  return { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  fake = await startFakeBotConnector();
  fake.members.set(ANN.id, { ...ANN, userPrincipalName: 'ann@contoso.com' });
  fake.teamChannels.set(TEAM, [
    { id: TEAM, name: 'General' },
    { id: OTHER_CHANNEL, name: 'Alerts' },
  ]);
  const created = createTeamsAdapter({
    env: { TEAMS_ALLOW_ANONYMOUS: 'true' },
    core: stub.core,
    redis,
    redisPrefix: prefix,
    logger: createLogger('silent'),
  });
  if (!created) throw new Error('adapter off');
  teams = created;
  ({ server, url: baseUrl } = await listen(teams));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

beforeEach(() => {
  fake.clear();
  fake.refuseOneOnOne = false;
  stub.commands.length = 0;
  stub.actions.length = 0;
});

let seq = 0;
function activity(over: Record<string, unknown>): Record<string, unknown> {
  return {
    id: `in-${++seq}`,
    channelId: 'msteams',
    serviceUrl: fake.url,
    from: ANN,
    recipient: BOT,
    conversation: { id: TEAM, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { team: { id: TEAM, name: 'Ops' }, tenant: { id: TENANT } },
    ...over,
  };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const install = () =>
  post(
    baseUrl,
    activity({
      type: 'conversationUpdate',
      membersAdded: [BOT],
      channelData: {
        team: { id: TEAM, name: 'Ops' },
        tenant: { id: TENANT },
        eventType: 'teamMemberAdded',
      },
    }),
  );

describe('installation', () => {
  it('stores the conversation reference in Redis when the bot is added to a team', async () => {
    const res = await install();
    expect(res.status).toBe(200);
    const raw = await redis.get(teamsKeys(prefix).conversation(TEAM));
    expect(raw).not.toBeNull();
    const stored = JSON.parse(raw as string);
    expect(stored).toMatchObject({ kind: 'channel', teamId: TEAM, tenantId: TENANT });
    expect(stored.reference).toMatchObject({
      serviceUrl: fake.url,
      bot: { id: BOT.id },
      conversation: { id: TEAM },
    });
    expect(stored.reference.activityId).toBeUndefined();
    // The team's other channels are known too, but the install channel is the alert default.
    expect(await redis.get(teamsKeys(prefix).conversation(OTHER_CHANNEL))).not.toBeNull();
    expect(await teams.alertChannel()).toBe(TEAM);
    // Anonymous mode: nothing was signed.
    expect(fake.calls.every((c) => c.authorization === undefined)).toBe(true);
  });

  it('stores a 1:1 installation but never makes it the alert channel', async () => {
    await install();
    const res = await post(
      baseUrl,
      activity({
        type: 'installationUpdate',
        action: 'add',
        conversation: { id: PERSONAL, conversationType: 'personal', tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
      }),
    );
    expect(res.status).toBe(200);
    const stored = JSON.parse(
      (await redis.get(teamsKeys(prefix).conversation(PERSONAL))) as string,
    );
    expect(stored.kind).toBe('personal');
    expect(await teams.alertChannel()).toBe(TEAM);
  });

  it('follows channels created and deleted in the team', async () => {
    await install();
    const created = await post(
      baseUrl,
      activity({
        type: 'conversationUpdate',
        channelData: {
          team: { id: TEAM },
          channel: { id: '19:new@thread.tacv2', name: 'New' },
          eventType: 'channelCreated',
          tenant: { id: TENANT },
        },
      }),
    );
    expect(created.status).toBe(200);
    const stored = JSON.parse(
      (await redis.get(teamsKeys(prefix).conversation('19:new@thread.tacv2'))) as string,
    );
    expect(stored).toMatchObject({ kind: 'channel', teamId: TEAM, name: 'New' });
    expect(stored.reference.conversation.id).toBe('19:new@thread.tacv2');
    await post(
      baseUrl,
      activity({
        type: 'conversationUpdate',
        channelData: {
          team: { id: TEAM },
          channel: { id: '19:new@thread.tacv2' },
          eventType: 'channelDeleted',
        },
      }),
    );
    expect(await redis.get(teamsKeys(prefix).conversation('19:new@thread.tacv2'))).toBeNull();
    expect(await teams.alertChannel()).toBe(TEAM);
  });

  it('forgets a group chat when the bot is removed from it', async () => {
    const chat = '19:groupchat@thread.v2';
    const inChat = {
      conversation: { id: chat, conversationType: 'groupChat', isGroup: true },
      channelData: { tenant: { id: TENANT } },
    };
    await post(baseUrl, activity({ type: 'conversationUpdate', membersAdded: [BOT], ...inChat }));
    expect(await teams.alertChannel()).toBe(chat);
    const stored = JSON.parse((await redis.get(teamsKeys(prefix).conversation(chat))) as string);
    expect(stored.kind).toBe('groupChat');
    await post(baseUrl, activity({ type: 'conversationUpdate', membersRemoved: [BOT], ...inChat }));
    expect(await redis.get(teamsKeys(prefix).conversation(chat))).toBeNull();
    expect(await teams.alertChannel()).toBe(TEAM);
  });

  it('follows a service URL change of a stored conversation', async () => {
    await install();
    const moved = `${fake.url}/moved`;
    await post(baseUrl, activity({ type: 'typing', serviceUrl: moved }));
    const stored = JSON.parse((await redis.get(teamsKeys(prefix).conversation(TEAM))) as string);
    expect(stored.reference.serviceUrl).toBe(moved);
    expect(await teams.alertChannel()).toBe(TEAM);
    await post(baseUrl, activity({ type: 'typing' }));
  });

  it('removes the team’s references when the bot is uninstalled', async () => {
    await install();
    const res = await post(baseUrl, activity({ type: 'installationUpdate', action: 'remove' }));
    expect(res.status).toBe(200);
    expect(await redis.get(teamsKeys(prefix).conversation(TEAM))).toBeNull();
    expect(await redis.get(teamsKeys(prefix).conversation(OTHER_CHANNEL))).toBeNull();
    expect(await teams.alertChannel()).toBeNull();
    await install(); // the rest of the file posts to the team
  });
});

describe('commands', () => {
  beforeAll(() => install());

  it('strips the @mention, passes the actor with UPN, replies in the thread', async () => {
    stub.answers.command = () => ({
      public: {
        text: 'EX01 is healthy',
        code: [{ title: 'Get-ServerHealth', body: 'POP  Healthy' }],
      },
    });
    const res = await post(
      baseUrl,
      activity({
        type: 'message',
        id: '1700000000001',
        text: '<at>ExchOps</at>\u00a0health  EX01 ',
        entities: [{ type: 'mention', mentioned: BOT, text: '<at>ExchOps</at>' }],
        conversation: {
          id: `${TEAM};messageid=1700000000001`,
          conversationType: 'channel',
          isGroup: true,
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(stub.commands).toEqual([
      {
        actor: {
          platform: 'teams',
          id: ANN.aadObjectId,
          displayName: ANN.name,
          upn: 'ann@contoso.com',
        },
        channel: { platform: 'teams', id: TEAM },
        text: 'health EX01',
      },
    ]);
    const reply = fake.calls.find((c) => c.kind === 'replyToActivity');
    expect(reply?.conversationId).toBe(`${TEAM};messageid=1700000000001`);
    const card = reply?.body.attachments[0];
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(card.content)).toContain('POP\u00a0 Healthy');
    expect(adaptiveCardProblems(card.content)).toEqual([]);
  });

  it('tolerates a member lookup that fails: no UPN, still the object id', async () => {
    await post(baseUrl, activity({ type: 'message', text: 'help&nbsp;EX01', from: BOB }));
    expect(stub.commands[0]?.actor).toEqual({
      platform: 'teams',
      id: BOB.aadObjectId,
      displayName: BOB.name,
    });
    expect(stub.commands[0]?.text).toBe('help EX01');
  });

  it('sends a private answer to a 1:1 chat with the user', async () => {
    stub.answers.command = () => ({ private: { text: 'Only approvers may do that.' } });
    await post(
      baseUrl,
      activity({
        type: 'message',
        text: '<at>ExchOps</at> audit',
        entities: [{ type: 'mention', mentioned: BOT, text: '<at>ExchOps</at>' }],
      }),
    );
    const create = fake.calls.find((c) => c.kind === 'createConversation');
    expect(create?.body).toMatchObject({
      isGroup: false,
      members: [{ id: ANN.id }],
      tenantId: TENANT,
    });
    const sent = fake.calls.find((c) => c.kind === 'sendToConversation');
    expect(sent?.conversationId).toMatch(/^a:1on1-/);
    expect(sent?.body).toMatchObject({ text: 'Only approvers may do that.', textFormat: 'plain' });
  });

  it('falls back to an @mention in the thread when no 1:1 chat can be opened', async () => {
    stub.answers.command = () => ({ private: { text: 'Not allowed: <server> & co.' } });
    fake.refuseOneOnOne = true;
    await post(baseUrl, activity({ type: 'message', text: 'approve' }));
    const reply = fake.calls.find((c) => c.kind === 'replyToActivity');
    expect(reply?.body.text).toBe('<at>Ann Admin</at> Not allowed: &#60;server&#62; &#38; co.');
    expect(reply?.body.entities[0]).toMatchObject({ type: 'mention', mentioned: { id: ANN.id } });
  });

  it('answers in the 1:1 chat itself when the command came from there', async () => {
    stub.answers.command = () => ({ private: { text: 'help text' } });
    await post(
      baseUrl,
      activity({
        type: 'message',
        text: 'help',
        conversation: { id: PERSONAL, conversationType: 'personal' },
        channelData: { tenant: { id: TENANT } },
      }),
    );
    expect(fake.calls.some((c) => c.kind === 'createConversation')).toBe(false);
    expect(fake.calls.find((c) => c.kind === 'replyToActivity')?.conversationId).toBe(PERSONAL);
  });

  it('refuses a user without an AAD object id, without calling the core', async () => {
    await post(
      baseUrl,
      activity({ type: 'message', text: 'health EX01', from: { id: '29:guest', name: 'Guest' } }),
    );
    expect(stub.commands).toHaveLength(0);
    expect(fake.calls.find((c) => c.kind === 'replyToActivity')?.body.text).toMatch(
      /could not identify/,
    );
  });
});

describe('Action.Execute', () => {
  beforeAll(() => install());

  const execute = (data: Record<string, unknown>, from = ANN, verb = 'exchops') =>
    post(
      baseUrl,
      activity({
        type: 'invoke',
        name: 'adaptiveCard/action',
        from,
        replyToId: '1700000000042',
        conversation: {
          id: `${TEAM};messageid=1700000000042`,
          conversationType: 'channel',
          isGroup: true,
        },
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      }),
    );

  it('passes value, reason and confirmation to the core and returns the redrawn card', async () => {
    stub.answers.action = () => ({
      updatedCard: { ...sampleCard, status: { label: 'Rejected', tone: 'attention' } },
    });
    const res = await execute({
      v: 'VALUE-1',
      confirmed: true,
      reasonInput: 'reason-3',
      'reason-3': '  too risky now ',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as InvokeBody;
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(body.value)).toContain('Rejected');
    expect(adaptiveCardProblems(body.value)).toEqual([]);
    expect(stub.actions).toEqual([
      {
        actor: {
          platform: 'teams',
          id: ANN.aadObjectId,
          displayName: ANN.name,
          upn: 'ann@contoso.com',
        },
        channel: { platform: 'teams', id: TEAM },
        value: 'VALUE-1',
        input: { reason: 'too risky now', confirmed: true },
        message: { platform: 'teams', channel: TEAM, messageId: '1700000000042' },
      },
    ]);
  });

  it('gives each user the core’s answer for them: card for one, private refusal for another', async () => {
    stub.answers.action = (input) =>
      input.actor.id === ANN.aadObjectId
        ? { updatedCard: sampleCard, public: { text: 'Approved by Ann' } }
        : { private: { text: 'You may not approve this request.' } };
    const bob = await (await execute({ v: 'APPROVE' }, BOB)).json();
    expect(bob).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'You may not approve this request.',
    });
    const ann = (await (await execute({ v: 'APPROVE' }, ANN)).json()) as InvokeBody;
    expect(ann.type).toBe('application/vnd.microsoft.card.adaptive');
    const pub = fake.calls.find((c) => c.kind === 'replyToActivity');
    expect(pub?.conversationId).toBe(`${TEAM};messageid=1700000000042`);
    expect(pub?.body.text).toBe('Approved by Ann');
    expect(stub.actions.map((a) => [a.actor.id, a.input])).toEqual([
      [BOB.aadObjectId, { reason: undefined, confirmed: undefined }],
      [ANN.aadObjectId, { reason: undefined, confirmed: undefined }],
    ]);
  });

  it('stays quiet: a click that redraws the card opens no 1:1 chat; a private card still goes privately', async () => {
    stub.answers.action = () => ({
      updatedCard: sampleCard,
      private: { text: 'Step 1 requested; approval open until 03:15.' },
    });
    const res = (await (await execute({ v: 'REQUEST' })).json()) as InvokeBody;
    expect(res.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(fake.calls.filter((c) => c.kind !== 'getMember')).toEqual([]);
    // Something the invoke response cannot carry (a card for this person only) is sent to them.
    stub.answers.action = () => ({ private: { text: 'Break glass?', card: sampleCard } });
    const offer = await (await execute({ v: 'APPROVE' })).json();
    expect(offer).toMatchObject({ value: 'Break glass?' });
    expect(fake.calls.some((c) => c.kind === 'createConversation')).toBe(true);
  });

  it('answers 400 for another verb or malformed data, without calling the core', async () => {
    expect((await execute({ v: 'x' }, ANN, 'other')).status).toBe(400);
    expect((await execute({ nothing: 1 })).status).toBe(400);
    expect((await execute({ v: 'x', reasonInput: '../../etc' })).status).toBe(400);
    const noValue = await post(baseUrl, activity({ type: 'invoke', name: 'adaptiveCard/action' }));
    expect(noValue.status).toBe(400);
    expect(stub.actions).toHaveLength(0);
  });

  it("refuses in the conversation's language", async () => {
    stub.zhChannels.add(TEAM);
    try {
      const res = await execute({ nothing: 1 });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { value: { message: string } };
      expect(body.value.message).toBe('動作資料格式不正確。');
    } finally {
      stub.zhChannels.clear();
    }
  });
});

describe('bad requests', () => {
  it('answers 400 to a body that is not JSON or not an activity', async () => {
    expect((await post(baseUrl, '{not json')).status).toBe(400);
    const res = await post(baseUrl, { type: 'message', text: 'hi' });
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { details: { issues: string[] } } };
    expect(err.error.details.issues.join(' ')).toMatch(/serviceUrl/);
  });

  it('survives an activity type it does not know, and an unknown invoke', async () => {
    expect((await post(baseUrl, activity({ type: 'typing' }))).status).toBe(200);
    expect(
      (await post(baseUrl, activity({ type: 'invoke', name: 'composeExtension/query' }))).status,
    ).toBeGreaterThanOrEqual(400);
  });

  it('answers 401 without a token when anonymous mode is off, and calls nothing', async () => {
    const secure = createTeamsAdapter({
      env: {
        TEAMS_APP_ID: '99999999-8888-7777-6666-555555555555',
        TEAMS_APP_PASSWORD: 'secret',
        TEAMS_APP_TENANT_ID: TENANT,
      },
      core: stub.core,
      redis,
      redisPrefix: prefix,
      logger: createLogger('silent'),
    });
    if (!secure) throw new Error('off');
    const running = await listen(secure);
    try {
      const res = await post(running.url, activity({ type: 'message', text: 'health EX01' }));
      expect(res.status).toBe(401);
      expect(stub.commands).toHaveLength(0);
      expect(fake.calls).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => running.server.close(() => resolve()));
    }
  });
});

describe('surface (used by the delivery queue)', () => {
  beforeAll(() => install());

  it('postCard starts a thread in the channel with the card as its root', async () => {
    const ref = await teams.surface.postCard(TEAM, sampleCard);
    const create = fake.calls.find((c) => c.kind === 'createConversation');
    expect(create?.body).toMatchObject({
      isGroup: true,
      channelData: { channel: { id: TEAM } },
      tenantId: TENANT,
    });
    expect(create?.body.activity.attachments[0].contentType).toBe(
      'application/vnd.microsoft.card.adaptive',
    );
    expect(create?.body.activity.summary).toBe(sampleCard.fallbackText);
    expect(ref).toEqual({
      platform: 'teams',
      channel: TEAM,
      messageId: expect.stringMatching(/^1700/),
    });
  });

  it('updateCard updates the root in place, postInThread replies under it', async () => {
    const ref = await teams.surface.postCard(TEAM, sampleCard);
    fake.clear();
    await teams.surface.updateCard(ref, {
      ...sampleCard,
      status: { label: 'Recovered', tone: 'good' },
    });
    await teams.surface.postInThread(ref, { text: 'Step 2 succeeded', code: [{ body: 'OK' }] });
    const thread = `${TEAM};messageid=${ref.messageId}`;
    expect(fake.calls.map((c) => [c.method, c.kind, c.conversationId, c.activityId])).toEqual([
      ['PUT', 'updateActivity', thread, ref.messageId],
      ['POST', 'replyToActivity', thread, ref.messageId],
    ]);
    expect(JSON.stringify(fake.calls[0]?.body)).toContain('Recovered');
    expect(fake.calls[1]?.body.replyToId).toBe(ref.messageId);
  });

  it('postToChannel posts a new message; a 1:1 chat gets a plain message', async () => {
    await teams.surface.postToChannel(TEAM, { text: 'Audit chain verified' });
    expect(fake.calls[0]).toMatchObject({
      kind: 'createConversation',
      body: { activity: { text: 'Audit chain verified' } },
    });
    fake.clear();
    await post(
      baseUrl,
      activity({
        type: 'installationUpdate',
        action: 'add',
        conversation: { id: PERSONAL, conversationType: 'personal' },
        channelData: { tenant: { id: TENANT } },
      }),
    );
    fake.clear();
    const ref = await teams.surface.postCard(PERSONAL, sampleCard);
    expect(fake.calls.map((c) => [c.kind, c.conversationId])).toEqual([
      ['sendToConversation', PERSONAL],
    ]);
    expect(ref.channel).toBe(PERSONAL);
  });

  it('429 with Retry-After → ChatDeliveryError with retryAfterMs, one call only; then it goes through', async () => {
    fake.failNext(1, 429, { 'Retry-After': '7' });
    const err = await teams.surface.postCard(TEAM, sampleCard).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatDeliveryError);
    expect(err).toMatchObject({ retryAfterMs: 7000, retryable: true });
    expect(fake.calls).toHaveLength(1); // botbuilder did not retry behind the queue's back
    // The queue retries: the same call now succeeds, nothing lost.
    await expect(teams.surface.postCard(TEAM, sampleCard)).resolves.toMatchObject({
      channel: TEAM,
    });
  });

  it('5xx is retryable, 403/404 are not, an unknown channel is not', async () => {
    const ref: MessageRef = { platform: 'teams', channel: TEAM, messageId: '1' };
    fake.failNext(1, 502);
    await expect(teams.surface.updateCard(ref, sampleCard)).rejects.toMatchObject({
      retryable: true,
    });
    fake.failNext(1, 403);
    await expect(teams.surface.postInThread(ref, { text: 'x' })).rejects.toMatchObject({
      retryable: false,
    });
    fake.failNext(1, 404);
    await expect(teams.surface.postToChannel(TEAM, { text: 'x' })).rejects.toMatchObject({
      retryable: false,
    });
    await expect(
      teams.surface.postCard('19:nowhere@thread.tacv2', sampleCard),
    ).rejects.toMatchObject({
      name: 'ChatDeliveryError',
      retryable: false,
    });
    expect(fake.calls).toHaveLength(3);
  });
});
