import express, { type Express, type Request, type Response } from 'express';
import type { RedisClient } from '../../src/infra/redis/redis';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Actor } from '../../src/domain/identity/actor';
import type { ChatCore, ChatResponse } from '../../src/app/chat/ports';
import type { Lang } from '../../src/domain/runbooks/text';
import { stringsWithPrefix } from '../../src/domain/strings';
import type { Logger } from '../../src/infra/logger';
import {
  createConsoleStore,
  type ConsoleKeys,
  type ConsoleMessage,
  type ConsoleStore,
} from './console-surface';

/**
 * The local console: a third chat adapter, a small web app that behaves like a chat channel.
 * There is no login: the user picker says who you are, so it is for the demo and for a trusted
 * machine only (see docs/console.md); `serve` enables it only when CONSOLE_ENABLED=true.
 */
export interface ConsoleUser {
  id: string;
  role: string;
}

export interface ConsoleScenario {
  name: string;
  description: string;
}

export interface ConsoleAdapterOptions {
  redis: RedisClient;
  keys: ConsoleKeys;
  core: ChatCore;
  logger: Logger;
  /** The console identities of the approval policy in force, with their roles. */
  users: () => ConsoleUser[];
  /** The demo's alert control; absent outside the demo. */
  scenarios?: {
    list: ConsoleScenario[];
    raise(name: string): Promise<{ ok: true; text: string } | { ok: false; reason: string }>;
  };
  /** Asks the delivery queue to redraw an incident's card (after a click changed something). */
  redraw?: (incidentId: string) => Promise<void>;
  /** Shown on the page (e.g. "Demo: waits are shortened to 20 s"), in one language or each. */
  banner?: string | Readonly<Record<Lang, string>>;
}

export const CONSOLE_ROOM = 'alerts';
const MAX_STREAMS = 100;
/** Where index.html takes the page's words. */
const STRINGS_MARK = '<!--console-strings-->';

/**
 * index.html with the console's strings of the catalogue in it, as JSON the page's script reads
 * (a classic script cannot import the TypeScript catalogue). `<` is escaped so that no string can
 * end the script element.
 */
export function consolePage(html: string): string {
  const json = JSON.stringify(stringsWithPrefix('console.')).replace(/</g, '\\u003c');
  return html.replace(
    STRINGS_MARK,
    `<script id="console-strings" type="application/json">${json}</script>`,
  );
}

/** The page's files: next to this module from source, or in the package when run from dist/. */
export function consolePublicDir(from: string = __dirname): string {
  const candidates = [
    join(from, 'public'),
    join(from, '..', '..', '..', 'adapters', 'console', 'public'),
  ];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

const userId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a console user name');
// One room today; a name from the client must not create keys at will.
const room = z.literal(CONSOLE_ROOM).default(CONSOLE_ROOM);
const commandBody = z.object({ user: userId, room, text: z.string().max(2000) }).strict();
const actionBody = z
  .object({
    user: userId,
    room,
    value: z.string().max(2000),
    messageId: z.string().max(100).optional(),
    reason: z.string().max(1000).optional(),
    confirmed: z.boolean().optional(),
  })
  .strict();
const scenarioBody = z.object({ user: userId, scenario: z.string().max(80) }).strict();

export function createConsoleAdapter(options: ConsoleAdapterOptions) {
  const store: ConsoleStore = createConsoleStore(options.redis, options.keys);
  const logger = options.logger.child({ adapter: 'console' });

  const actor = (user: string): Actor => ({ platform: 'console', id: user, displayName: user });

  /** Answers go back in the HTTP response (private) and into the room (public). */
  async function deliver(
    roomName: string,
    user: string,
    response: ChatResponse,
    messageId?: string,
  ): Promise<{ private: ChatResponse['private'] | null }> {
    if (response.public) await store.surface.postToChannel(roomName, response.public);
    if (response.updatedCard && messageId && options.redraw) {
      const msg = await store.get(roomName, messageId);
      const incidentId = msg?.card?.facts.find((f) => f.key === 'incident')?.value;
      // The delivery queue redraws the card (under its lock, so a click cannot overwrite a newer
      // card or a thread reply being added); a private card stays as it was.
      if (incidentId && msg?.visibleTo === null) await options.redraw(incidentId);
    }
    if (response.private?.card) {
      await store.post(roomName, { card: response.private.card, reply: response.private }, user);
    }
    return { private: response.private ?? null };
  }

  function bad(res: Response, error: z.ZodError): void {
    res.status(400).json({
      error: 'invalid_request',
      message: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    });
  }

  const publicDir = consolePublicDir();
  let openStreams = 0;
  let pageHtml: string | null = null;
  /** Read once: the page's files do not change while the process runs. */
  const page = (): string =>
    (pageHtml ??= consolePage(readFileSync(join(publicDir, 'index.html'), 'utf8')));

  function mount(app: Express): void {
    const router = express.Router();
    router.use(express.json({ limit: '32kb' }));
    router.use('/static', express.static(publicDir, { index: false, maxAge: 0 }));
    router.get('/', (_req, res) => {
      res.type('html').send(page());
    });
    router.get('/api/config', (_req, res) => {
      res.json({
        users: options.users(),
        scenarios: options.scenarios?.list ?? [],
        banner: options.banner ?? null,
        room: CONSOLE_ROOM,
      });
    });
    router.get('/api/messages', async (req, res) => {
      const user = userId.safeParse(req.query.user);
      const r = room.safeParse(req.query.room);
      if (!r.success) return bad(res, r.error);
      // The stream position first: the page follows the stream from there, so nothing that
      // changes between this answer and the stream's start is missed.
      const from = await store.position(r.data);
      res.json({ from, messages: await store.list(r.data, user.success ? user.data : null) });
    });
    router.get('/api/stream', (req, res) => void stream(req, res));
    router.post('/api/command', async (req, res) => {
      const body = commandBody.safeParse(req.body);
      if (!body.success) return bad(res, body.error);
      const { user, text } = body.data;
      const roomName = body.data.room;
      await store.post(roomName, { reply: { text: `/exchange ${text}` } }, user);
      const response = await options.core.command({
        actor: actor(user),
        channel: { platform: 'console', id: roomName },
        text,
      });
      res.json(await deliver(roomName, user, response));
    });
    router.post('/api/action', async (req, res) => {
      const body = actionBody.safeParse(req.body);
      if (!body.success) return bad(res, body.error);
      const { user, value, messageId, reason, confirmed } = body.data;
      const roomName = body.data.room;
      const response = await options.core.action({
        actor: actor(user),
        channel: { platform: 'console', id: roomName },
        value,
        input: { reason, confirmed },
        ...(messageId ? { message: { platform: 'console', channel: roomName, messageId } } : {}),
      });
      res.json(await deliver(roomName, user, response, messageId));
    });
    router.post('/api/scenario', async (req, res) => {
      if (!options.scenarios) {
        res.status(404).json({ error: 'not_found', message: 'Scenarios exist in the demo only.' });
        return;
      }
      const body = scenarioBody.safeParse(req.body);
      if (!body.success) return bad(res, body.error);
      const result = await options.scenarios.raise(body.data.scenario);
      if (!result.ok) {
        res.status(400).json({ error: 'invalid_scenario', message: result.reason });
        return;
      }
      logger.info({ user: body.data.user, scenario: body.data.scenario }, 'demo alert raised');
      res.json({ private: { text: result.text } });
    });
    app.use('/console', router);
  }

  /** Server-sent events: each change in the room, as the whole message document. */
  async function stream(req: Request, res: Response): Promise<void> {
    const r = room.safeParse(req.query.room);
    if (!r.success) return bad(res, r.error);
    // Each open page holds a Redis connection of its own: keep their number bounded.
    if (openStreams >= MAX_STREAMS) {
      res.status(503).json({ error: 'busy', message: 'Too many console pages are open.' });
      return;
    }
    openStreams += 1;
    res.on('close', () => (openStreams -= 1));
    const user = userId.safeParse(req.query.user);
    const viewer = user.success ? user.data : null;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    // A blocking read needs a connection of its own.
    const reader = options.redis.duplicate();
    reader.on('error', () => undefined);
    let open = true;
    req.on('close', () => {
      open = false;
      reader.disconnect();
    });
    let last = '$';
    const lastId =
      req.header('last-event-id') ??
      (typeof req.query.from === 'string' ? req.query.from : undefined);
    if (lastId && /^\d+-\d+$/.test(lastId)) last = lastId;
    while (open) {
      try {
        const got = (await reader.xread(
          'COUNT',
          100,
          'BLOCK',
          15_000,
          'STREAMS',
          options.keys.consoleRoom(r.data),
          last,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        if (!open) break;
        if (!got) {
          res.write(': keep-alive\n\n');
          continue;
        }
        for (const [, entries] of got) {
          for (const [entryId, fields] of entries) {
            last = entryId;
            const id = fields[fields.indexOf('id') + 1] ?? '';
            const msg: ConsoleMessage | null = await store.get(r.data, id);
            if (!msg || (msg.visibleTo !== null && msg.visibleTo !== viewer)) continue;
            res.write(`id: ${entryId}\nevent: message\ndata: ${JSON.stringify(msg)}\n\n`);
          }
        }
      } catch (err) {
        if (open) logger.warn({ err }, 'console stream read failed');
        break;
      }
    }
    res.end();
  }

  return { surface: store.surface, store, mount };
}

export type ConsoleAdapter = ReturnType<typeof createConsoleAdapter>;
