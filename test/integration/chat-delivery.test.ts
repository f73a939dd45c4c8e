import pino from 'pino';
import { Queue } from 'bullmq';
import { startChatDelivery, type ChatDelivery } from '../../jobs/chat/chat-delivery';
import { createCardEventQueue } from '../../jobs/queues/card-events';
import type { Card } from '../../src/domain/cards/card';
import {
  ChatDeliveryError,
  type ChatSurface,
  type MessageRef,
  type Reply,
} from '../../src/app/chat/ports';
import type { RunView } from '../../src/domain/cards/run-view';
import type { Incident } from '../../src/domain/incidents/incident';
import { createPrefs } from '../../src/main/chat-runtime';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { sampleIncident } from '../support/incidents';
import { createRedis } from '../../src/infra/redis/redis';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';
import { chatQueueName } from '../../jobs/queues/names';

/** The durable delivery over the real Redis and BullMQ, to a recording surface. */
const prefix = testPrefix('delivery');
const redis = testRedis();
const keys = redisKeys(prefix);
// Each change handed on at once, a job of its own, as these tests of the delivery mean it (the
// hand-off's gathering while changes keep coming is jobs/queues/card-events.test.ts's).
const events = createCardEventQueue(redis, keys.bullPrefix, { handOffMs: 0 });

type Call = { op: string; channel: string; text: string };
function recordingSurface(platform: 'slack' | 'teams', failures: Array<Error | null> = []) {
  const calls: Call[] = [];
  let n = 0;
  const maybeFail = () => {
    const f = failures[n++];
    if (f) throw f;
  };
  const surface: ChatSurface = {
    platform,
    async postCard(channel: string, card: Card): Promise<MessageRef> {
      maybeFail();
      calls.push({ op: 'post', channel, text: card.fallbackText });
      return { platform, channel, messageId: `m${calls.length}` };
    },
    async updateCard(ref: MessageRef, card: Card) {
      maybeFail();
      calls.push({ op: 'update', channel: ref.channel, text: card.fallbackText });
    },
    async postInThread(ref: MessageRef, reply: Reply) {
      maybeFail();
      calls.push({ op: 'thread', channel: `${ref.channel}/${ref.messageId}`, text: reply.text });
    },
    async postToChannel(channel: string, reply: Reply) {
      maybeFail();
      calls.push({ op: 'reply', channel, text: reply.text });
    },
  };
  return { surface, calls };
}

let incident: Incident = sampleIncident({}, 'INC-50');
let run: RunView | null = null;
const render = async (i: Incident, lang: string): Promise<Card> => ({
  version: 1,
  lang: lang === 'zh-TW' ? 'zh-TW' : 'en',
  title: i.id,
  tone: 'info',
  fallbackText: `${i.id} v${i.version} ${i.status}`,
  facts: [],
  notes: [],
  steps: [],
  actions: [],
  links: [],
});

/** A run of the current incident with one step and its results, as the remediation side shows it. */
function runWith(
  id: string,
  stepKey: string,
  step: RunView['steps'][string],
  version = 1,
): RunView {
  return {
    id,
    incidentId: incident.id,
    version,
    sectionId: 's',
    status: 'running',
    verdict: 'confirmed',
    waitUntil: null,
    steps: { [stepKey]: step },
  };
}

function start(surfaces: ChatSurface[]): ChatDelivery {
  return startChatDelivery({
    connection: redis,
    workerConnection: () => createRedis(redisUrl(), { forBlockingClient: true }),
    bullPrefix: keys.bullPrefix,
    redis,
    keys,
    surfaces,
    routeFor: async (_i, platform) => (platform === 'slack' ? 'C-ALERTS' : 'T-ALERTS'),
    incidents: { get: async (id) => (id === incident.id ? incident : null) },
    runs: { getRun: async () => run },
    buildCard: render,
    prefs: createPrefs(redis, keys),
    logger: pino({ level: 'silent' }),
  });
}

/** A change of the current incident, as the intake publishes it. */
const publish = (version: number, change: 'created' | 'updated' | 'resolved') =>
  events.sink.publish({ incidentId: incident.id, version, change, at: 'now' });

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

afterAll(async () => {
  await events.queue.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

test('one card per incident and platform: posted once, then updated in place; results go to the thread once', async () => {
  const slack = recordingSurface('slack');
  const teams = recordingSurface('teams');
  const delivery = start([slack.surface, teams.surface]);
  try {
    await publish(1, 'created');
    // A retried publish of the same change is the same job: nothing more is posted.
    await publish(1, 'created');
    await until(() => slack.calls.length === 1 && teams.calls.length === 1);
    expect(slack.calls[0]).toEqual({ op: 'post', channel: 'C-ALERTS', text: 'INC-50 v1 open' });
    expect(teams.calls[0]).toEqual({ op: 'post', channel: 'T-ALERTS', text: 'INC-50 v1 open' });

    run = runWith(
      'RUN-1',
      's/probe',
      {
        state: 'failed',
        results: [
          {
            jobId: 'J1',
            actionId: 'invoke-monitoring-probe',
            status: 'failed',
            summary: 'probe failed',
            durationMs: 1200,
            finishedAt: 'now',
            raw: 'ResultType: Failed',
          },
        ],
      },
      2,
    );
    incident = { ...incident, version: 2 };
    await publish(2, 'updated');
    await until(() => slack.calls.length >= 3);
    // The card's update and the result in its thread are independent calls: either may go first.
    expect(slack.calls.slice(1)).toHaveLength(2);
    expect(slack.calls.slice(1)).toEqual(
      expect.arrayContaining([
        { op: 'update', channel: 'C-ALERTS', text: 'INC-50 v2 open' },
        { op: 'thread', channel: 'C-ALERTS/m1', text: '❌ probe: probe failed (1.2 s)' },
      ]),
    );
    incident = { ...incident, version: 3, status: 'resolved' };
    await publish(3, 'resolved');
    await until(() => slack.calls.length === 4 && teams.calls.length === 4);
    // The same result was not posted again.
    expect(slack.calls.filter((c) => c.op === 'thread')).toHaveLength(1);
    expect(slack.calls[3]).toEqual({
      op: 'update',
      channel: 'C-ALERTS',
      text: 'INC-50 v3 resolved',
    });
  } finally {
    await delivery.close();
  }
});

test('a rate-limited or failing platform loses nothing and holds up no other platform', async () => {
  incident = sampleIncident({ Id: '11111111-2222-3333-4444-555555555555' }, 'INC-51');
  run = null;
  // Slack says "retry after 2.5 s": far longer than the first backoff (1 s), so only honouring
  // Retry-After explains the wait.
  const slack = recordingSurface('slack', [new ChatDeliveryError('ratelimited', 2500)]);
  const teams = recordingSurface('teams');
  const delivery = start([slack.surface, teams.surface]);
  try {
    const began = Date.now();
    await publish(1, 'created');
    await until(() => teams.calls.length === 1);
    expect(Date.now() - began).toBeLessThan(2000); // Teams did not wait for Slack
    await until(() => slack.calls.length === 1, 10_000);
    const slackAfter = Date.now() - began;
    expect(slack.calls[0]).toEqual({ op: 'post', channel: 'C-ALERTS', text: 'INC-51 v1 open' });
    expect(slackAfter).toBeGreaterThanOrEqual(2400);
    expect(slackAfter).toBeLessThan(6000);
    await delivery.sendReply('slack', 'C-OPS', { text: 'EX01 is healthy' }, 'check-1');
    await delivery.sendReply('slack', 'C-OPS', { text: 'EX01 is healthy' }, 'check-1');
    await until(() => slack.calls.some((c) => c.op === 'reply'));
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.calls.filter((c) => c.op === 'reply')).toEqual([
      { op: 'reply', channel: 'C-OPS', text: 'EX01 is healthy' },
    ]);
  } finally {
    await delivery.close();
  }
});

test('changes that pile up behind a rate limit make one update, of the newest state', async () => {
  incident = sampleIncident({ Id: '51111111-2222-3333-4444-555555555555' }, 'INC-55');
  run = null;
  const slack = recordingSurface('slack', [null, new ChatDeliveryError('ratelimited', 1000)]);
  const delivery = start([slack.surface]);
  try {
    await publish(1, 'created');
    await until(() => slack.calls.length === 1);
    for (let v = 2; v <= 6; v++) {
      incident = { ...incident, version: v };
      await publish(v, 'updated');
    }
    await until(() => slack.calls.some((c) => c.text === 'INC-55 v6 open'), 10_000);
    // Long enough for every queued redraw (rate limit, lock waits) to have run.
    await new Promise((r) => setTimeout(r, 3000));
    expect(slack.calls.filter((c) => c.op === 'update')).toEqual([
      { op: 'update', channel: 'C-ALERTS', text: 'INC-55 v6 open' },
    ]);
  } finally {
    await delivery.close();
  }
});

test('a redraw that would draw the same card makes no platform call; a changed card is updated', async () => {
  incident = sampleIncident({ Id: '71111111-2222-3333-4444-555555555555' }, 'INC-57');
  run = null;
  const slack = recordingSurface('slack');
  const delivery = start([slack.surface]);
  const drawnUpTo = async (): Promise<boolean> => {
    const [gen, drawn] = await redis.mget(
      keys.chatRedrawGen('slack', incident.id),
      keys.chatDrawn('slack', incident.id),
    );
    return (
      typeof gen === 'string' &&
      typeof drawn === 'string' &&
      Number(drawn.split(' ')[0]) >= Number(gen)
    );
  };
  const untilDrawn = async (): Promise<void> => {
    for (let i = 0; !(await drawnUpTo()); i++) {
      if (i > 400) throw new Error('the redraw never ran');
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  try {
    await publish(1, 'created');
    await until(() => slack.calls.length === 1);
    await untilDrawn();
    // Nothing changed (a run's change the card does not show, a manual refresh): no call.
    await delivery.redraw(incident.id);
    await untilDrawn();
    expect(slack.calls).toHaveLength(1);
    incident = { ...incident, version: 2 };
    await delivery.redraw(incident.id);
    await until(() => slack.calls.length === 2);
    expect(slack.calls[1]).toEqual({ op: 'update', channel: 'C-ALERTS', text: 'INC-57 v2 open' });
  } finally {
    await delivery.close();
  }
});

test('changes that come while a card waits for its budget join the waiting redraw: no job per change', async () => {
  incident = sampleIncident({ Id: '81111111-2222-3333-4444-555555555555' }, 'INC-58');
  run = null;
  const slack = recordingSurface('slack', [null, new ChatDeliveryError('ratelimited', 1500)]);
  const queue = new Queue(chatQueueName('slack'), { connection: redis, prefix: keys.bullPrefix });
  const before = Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
  const delivery = start([slack.surface]);
  try {
    await publish(1, 'created');
    await until(() => slack.calls.length === 1);
    for (let v = 2; v <= 21; v++) {
      incident = { ...incident, version: v };
      await publish(v, 'updated');
    }
    await until(() => slack.calls.some((c) => c.text === 'INC-58 v21 open'), 10_000);
    const jobs = Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0) - before;
    // 21 changes: the post, the redraw that met the rate limit (the others joined it) and at
    // most a couple more for changes that came while one was being drawn.
    expect(jobs).toBeLessThan(8);
    expect(slack.calls.filter((c) => c.op === 'update').map((c) => c.text)).toEqual([
      'INC-58 v21 open',
    ]);
  } finally {
    await delivery.close();
    await queue.close();
  }
});

test('a result whose thread post is rate limited after its card was drawn still reaches the thread', async () => {
  incident = sampleIncident({ Id: '91111111-2222-3333-4444-555555555555' }, 'INC-59');
  run = runWith('RUN-59', 's/probe', {
    state: 'failed',
    results: [
      {
        jobId: 'J59',
        actionId: 'invoke-monitoring-probe',
        status: 'failed',
        summary: 'probe failed',
        durationMs: 1000,
        finishedAt: 'now',
        raw: 'ResultType: Failed',
      },
    ],
  });
  // The card posts; the thread post right after it meets the platform's limit.
  const slack = recordingSurface('slack', [null, new ChatDeliveryError('ratelimited', 500)]);
  const delivery = start([slack.surface]);
  try {
    await publish(1, 'created');
    await until(() => slack.calls.some((c) => c.op === 'thread'), 10_000);
    expect(slack.calls.filter((c) => c.op === 'post')).toHaveLength(1);
    expect(slack.calls.find((c) => c.op === 'thread')?.text).toContain('probe failed');
  } finally {
    await delivery.close();
    run = null;
  }
});

test('a retry after the thread post met the rate limit does not update the same card again', async () => {
  incident = sampleIncident({ Id: 'a9111111-2222-3333-4444-555555555555' }, 'INC-60');
  run = null;
  // Post the card; update it; the result's thread post is rate limited; then all goes through.
  const slack = recordingSurface('slack', [null, null, new ChatDeliveryError('ratelimited', 300)]);
  const delivery = start([slack.surface]);
  try {
    await publish(1, 'created');
    await until(() => slack.calls.length === 1);
    run = runWith('RUN-60', 's/probe', {
      state: 'failed',
      results: [
        {
          jobId: 'J60',
          actionId: 'invoke-monitoring-probe',
          status: 'failed',
          summary: 'probe failed',
          durationMs: 1000,
          finishedAt: 'now',
          raw: 'ResultType: Failed',
        },
      ],
    });
    incident = { ...incident, version: 2 };
    await publish(2, 'updated');
    await until(() => slack.calls.some((c) => c.op === 'thread'), 10_000);
    // On a platform whose posts and updates share one budget (Teams), spending it on the same
    // update at every retry would never leave room for the thread post.
    expect(slack.calls.filter((c) => c.op === 'update')).toEqual([
      { op: 'update', channel: 'C-ALERTS', text: 'INC-60 v2 open' },
    ]);
  } finally {
    await delivery.close();
    run = null;
  }
});

test('a server error is retried until the platform takes the card', async () => {
  incident = sampleIncident({ Id: '31111111-2222-3333-4444-555555555555' }, 'INC-53');
  const slack = recordingSurface('slack', [
    new ChatDeliveryError('HTTP 500'),
    new Error('socket hang up'),
  ]);
  const delivery = start([slack.surface]);
  try {
    await publish(1, 'created');
    await until(() => slack.calls.length === 1, 10_000);
    expect(slack.calls[0]!.op).toBe('post');
  } finally {
    await delivery.close();
  }
});

test('a card that can no longer be edited is posted again, with its thread', async () => {
  incident = sampleIncident({ Id: '41111111-2222-3333-4444-555555555555' }, 'INC-54');
  run = null;
  const slack = recordingSurface('slack', [
    null,
    new ChatDeliveryError('message_not_found', undefined, false),
  ]);
  const delivery = start([slack.surface]);
  try {
    await publish(1, 'created');
    await until(() => slack.calls.length === 1);
    incident = { ...incident, version: 2 };
    await publish(2, 'updated');
    await until(() => slack.calls.length === 2);
    expect(slack.calls.map((c) => c.op)).toEqual(['post', 'post']);
    expect(JSON.parse((await redis.get(keys.chatMessage('slack', incident.id)))!)).toMatchObject({
      messageId: 'm2',
    });
  } finally {
    await delivery.close();
  }
});

test('a channel that cannot be posted to is given up on, not retried forever', async () => {
  incident = sampleIncident({ Id: '21111111-2222-3333-4444-555555555555' }, 'INC-52');
  const slack = recordingSurface('slack', [
    new ChatDeliveryError('channel_not_found', undefined, false),
  ]);
  const delivery = start([slack.surface]);
  const queue = new Queue(chatQueueName('slack'), { connection: redis, prefix: keys.bullPrefix });
  try {
    await publish(1, 'created');
    const failed = await (async () => {
      for (let i = 0; i < 100; i++) {
        const jobs = await queue.getJobs(['failed']);
        const mine = jobs.find((j) => (j.data as { incidentId?: string }).incidentId === 'INC-52');
        if (mine) return mine;
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    })();
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toBe('channel_not_found');
    expect(slack.calls).toEqual([]);
  } finally {
    await queue.close();
    await delivery.close();
  }
});

test('a step result with a parsed output goes to the thread as tables, the raw output kept, in the channel language', async () => {
  const replies: Reply[] = [];
  const surface: ChatSurface = {
    platform: 'slack',
    postCard: async (channel) => ({ platform: 'slack', channel, messageId: 'm-tables' }),
    updateCard: async () => undefined,
    postInThread: async (_ref, reply) => {
      replies.push(reply);
    },
    postToChannel: async () => undefined,
  };
  const prefs = createPrefs(redis, keys);
  await prefs.setLang({ platform: 'slack', id: 'C-ALERTS' }, 'zh-TW');
  incident = sampleIncident({ Id: '61111111-2222-3333-4444-555555555555' }, 'INC-56');
  run = runWith('RUN-51', 's/restart', {
    state: 'succeeded',
    results: [
      {
        jobId: 'J51',
        actionId: 'restart-service',
        params: { server: 'EX01', service: 'MSExchangePOP3BE' },
        status: 'succeeded',
        summary: 'done',
        durationMs: 4100,
        finishedAt: '2026-12-01T07:49:11.000Z',
        raw: '{"Name":"MSExchangePOP3BE","Status":4}',
        parsed: {
          kind: 'change',
          after: { kind: 'service-status', name: 'MSExchangePOP3BE', status: 'Running' },
        },
      },
    ],
  });
  const delivery = start([surface]);
  try {
    await events.sink.publish({
      incidentId: incident.id,
      version: 1,
      change: 'created',
      at: 'now',
    });
    await until(() => replies.length > 0);
    const [reply] = replies;
    expect(reply?.text).toContain('MSExchangePOP3BE Running，已於 07:49:11Z 重新啟動');
    expect(reply?.tables?.[0]).toMatchObject({
      title: '服務',
      rows: [{ cells: ['MSExchangePOP3BE', 'Running'] }],
    });
    expect(reply?.code?.find((c) => c.raw)?.body).toBe('{"Name":"MSExchangePOP3BE","Status":4}');
  } finally {
    await delivery.close();
    await prefs.setLang({ platform: 'slack', id: 'C-ALERTS' }, 'en');
  }
});
