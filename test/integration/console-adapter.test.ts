import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createConsoleAdapter } from '../../adapters/console';
import type { Card } from '../../src/domain/cards/card';
import type { ChatCore } from '../../src/app/chat/ports';
import { consoleKeys } from '../../adapters/console/console-surface';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

/** The console adapter over the real Redis, with a scripted core (the core has its own tests). */
const prefix = testPrefix('console');
const redis = testRedis();
const keys = consoleKeys(prefix);
const card = (title: string): Card => ({
  version: 1,
  lang: 'en',
  title,
  tone: 'warning',
  fallbackText: title,
  facts: [{ key: 'incident', label: 'Incident', value: 'INC-1' }],
  notes: [],
  steps: [],
  actions: [],
  links: [],
});
const seen: unknown[] = [];
const core: ChatCore = {
  async command(input) {
    seen.push(input);
    return { private: { text: 'only for you' }, public: { text: `said ${input.text}` } };
  },
  async action(input) {
    seen.push(input);
    return { private: { text: 'done' }, updatedCard: card('redrawn') };
  },
};
const redrawn: string[] = [];
const adapter = createConsoleAdapter({
  redraw: async (id) => void redrawn.push(id),
  redis,
  keys,
  core,
  logger: pino({ level: 'silent' }),
  access: { mode: 'picker' },
  users: () => [{ id: 'alice', role: 'operator' }],
});
let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  adapter.mount(app);
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/console`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

test('serves the page and its config', async () => {
  const page = await fetch(`${base}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('/console/static/app.js');
  expect((await fetch(`${base}/static/app.js`)).status).toBe(200);
  expect(await (await fetch(`${base}/api/config`)).json()).toMatchObject({
    users: [{ id: 'alice', role: 'operator' }],
    room: 'alerts',
  });
});

test('a command: private answer in the conversation for the asker, public answer for everyone', async () => {
  const res = await post('/api/command', { user: 'alice', room: 'alerts', text: 'workers' });
  const answer = (await res.json()) as { private: unknown; messageId: string };
  expect(answer).toEqual({ private: { text: 'only for you' }, messageId: expect.any(String) });
  // The private answer is a message of the room that only Alice sees (not a toast that fades).
  const forAlice = (await (await fetch(`${base}/api/messages?room=alerts&user=alice`)).json()) as {
    messages: Array<{ id: string; reply?: { text: string }; visibleTo: string | null }>;
  };
  expect(forAlice.messages.find((m) => m.id === answer.messageId)).toMatchObject({
    visibleTo: 'alice',
    reply: { text: 'only for you' },
  });
  expect(seen.at(-1)).toEqual({
    actor: { platform: 'console', id: 'alice', displayName: 'alice' },
    channel: { platform: 'console', id: 'alerts' },
    text: 'workers',
  });
  const forBob = (await (await fetch(`${base}/api/messages?room=alerts&user=bob`)).json()) as {
    messages: Array<{ reply?: { text: string }; visibleTo: string | null }>;
  };
  // Bob sees the public answer, not Alice's echo of her own command.
  expect(forBob.messages.map((m) => m.reply?.text)).toEqual(['said workers']);
});

test('a click asks for a redraw of its incident; the redraw reaches every viewer live', async () => {
  const ref = await adapter.surface.postCard('alerts', card('INC-1 card'));
  const controller = new AbortController();
  const from = (
    (await (await fetch(`${base}/api/messages?room=alerts&user=bob`)).json()) as { from: string }
  ).from;
  const stream = await fetch(`${base}/api/stream?room=alerts&user=bob&from=${from}`, {
    signal: controller.signal,
  });
  const reader = stream.body!.getReader();
  const res = await post('/api/action', {
    user: 'alice',
    room: 'alerts',
    value: '{"v":1}',
    messageId: ref.messageId,
    confirmed: true,
  });
  expect(await res.json()).toEqual({ private: { text: 'done' }, messageId: expect.any(String) });
  expect(seen.at(-1)).toMatchObject({ value: '{"v":1}', input: { confirmed: true } });
  expect(redrawn).toEqual(['INC-1']);
  // What the delivery queue does for that redraw:
  await adapter.surface.updateCard(ref, card('redrawn'));
  let text = '';
  while (!text.includes('redrawn')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  expect(text).toContain('event: message');
  expect(text).toContain('"title":"redrawn"');
  await adapter.surface.postInThread(ref, { text: 'step 1 succeeded', code: [{ body: 'out' }] });
  expect((await adapter.store.get('alerts', ref.messageId))!.thread).toHaveLength(1);
});

test('many command answers never push an incident card out of the room', async () => {
  const kept = await adapter.surface.postCard('alerts', card('kept'));
  for (let i = 0; i < 310; i++)
    await adapter.store.post('alerts', { reply: { text: `answer ${i}` } });
  expect(await adapter.store.get('alerts', kept.messageId)).not.toBeNull();
  expect((await adapter.store.list('alerts', null)).length).toBeLessThanOrEqual(300);
});

test('bad bodies get a 400 with the reason; scenarios exist only in the demo', async () => {
  const res = await post('/api/command', { user: 'alice; drop', text: 'x' });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { message: string }).message).toMatch(/user/);
  expect((await post('/api/action', { user: 'alice', value: 1 })).status).toBe(400);
  expect((await post('/api/command', { user: 'alice', room: 'other', text: 'x' })).status).toBe(
    400,
  );
  expect((await post('/api/scenario', { user: 'alice', scenario: 'x' })).status).toBe(404);
});

test('the picker (demo) refuses a click posted by another site', async () => {
  const res = await fetch(`${base}/api/action`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
    body: JSON.stringify({ user: 'alice', room: 'alerts', value: '{"v":1}' }),
  });
  expect(res.status).toBe(403);
  expect(await res.json()).toMatchObject({ error: 'cross_site', key: 'console.crossSite' });
  expect((await post('/api/action', { room: 'alerts', value: '{"v":1}' })).status).toBe(400);
});

test('without sign-in the console is read-only: it shows the room, and refuses every action with the reason', async () => {
  const readOnly = createConsoleAdapter({
    redis,
    keys,
    core,
    logger: pino({ level: 'silent' }),
    access: { mode: 'read-only' },
    users: () => [{ id: 'alice', role: 'operator' }],
  });
  const app = express();
  readOnly.mount(app);
  const srv = createServer(app);
  await new Promise<void>((r) => srv.listen(0, r));
  const ro = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/console`;
  try {
    const config = (await (await fetch(`${ro}/api/config`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ mode: 'read-only', users: [] });
    await adapter.store.post('alerts', { reply: { text: 'only for alice' } }, 'alice');
    const shown = (await (await fetch(`${ro}/api/messages?room=alerts&user=alice`)).json()) as {
      messages: Array<{ visibleTo: string | null }>;
    };
    expect(shown.messages.length).toBeGreaterThan(0);
    // Nobody is anybody: a private answer stays private, whatever `user` says.
    expect(shown.messages.every((m) => m.visibleTo === null)).toBe(true);
    const before = seen.length;
    for (const [path, body] of [
      ['/api/action', { user: 'bob', room: 'alerts', value: '{"v":1}' }],
      ['/api/command', { user: 'bob', room: 'alerts', text: 'workers' }],
    ] as const) {
      const res = await fetch(`${ro}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: 'read_only',
        key: 'console.readOnly',
        message: expect.stringContaining('This console is read-only'),
      });
    }
    expect(seen.length).toBe(before);
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
});
