import express, { type Express, type Request, type Response } from 'express';
import type { RedisClient } from '../../src/infra/redis/redis';
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Actor, Principal } from '../../src/domain/identity/actor';
import type { ChatCore, ChatResponse, Reply } from '../../src/app/chat/ports';
import type { GroupResolver } from '../../src/app/approvals/ports';
import type { Role } from '../../src/domain/approvals/roles';
import type { Lang } from '../../src/domain/runbooks/text';
import { stringsWithPrefix, type PlainKey } from '../../src/domain/strings';
import type { Logger } from '../../src/infra/logger';
import { refuse, sameOrigin, type ConsoleAuth } from './auth';
import type { ConsoleIdentity } from './auth/identity';
import {
  createConsoleStore,
  type ConsoleKeys,
  type ConsoleMessage,
  type ConsoleStore,
} from './console-surface';

/**
 * The local console: a third chat adapter, a small web app that behaves like a chat channel.
 * Who is acting depends on its access mode: people sign in with OpenID Connect (`serve` with
 * CONSOLE_OIDC_*); without sign-in it is read-only; the demo alone (on 127.0.0.1) has a user
 * picker instead. `serve` enables it only when CONSOLE_ENABLED=true (docs/chat.md).
 */
export interface ConsoleUser {
  id: string;
  role: string;
}

export type ConsoleAccess =
  /** The demo: the page's picker says who you are (anyone who reaches the port is anyone). */
  | { mode: 'picker' }
  /** No sign-in configured: anyone may read the room, nobody may act. */
  | { mode: 'read-only' }
  /** OpenID Connect sign-in: the session says who you are. */
  | { mode: 'oidc'; auth: ConsoleAuth };

export interface ConsoleScenario {
  name: string;
  /** In every language; the page shows the one it is in. */
  description: { en: string; 'zh-TW': string };
}

export interface ConsoleAdapterOptions {
  redis: RedisClient;
  keys: ConsoleKeys;
  core: ChatCore;
  logger: Logger;
  access: ConsoleAccess;
  /** The console identities of the approval policy in force, with their roles (the picker's). */
  users: () => ConsoleUser[];
  /** A signed-in user's role anywhere under the policy in force, shown on the page. */
  roleOf?: (principal: Principal) => Role;
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

const userId = z.string().regex(/^[A-Za-z0-9_.@+-]{1,128}$/, 'a console user name');
// One room today; a name from the client must not create keys at will.
const room = z.literal(CONSOLE_ROOM).default(CONSOLE_ROOM);
// `user` is the picker's choice; with sign-in the session says who it is, and `user` is ignored.
const commandBody = z
  .object({ user: userId.optional(), room, text: z.string().max(2000) })
  .strict();
const actionBody = z
  .object({
    user: userId.optional(),
    room,
    value: z.string().max(2000),
    messageId: z.string().max(100).optional(),
    reason: z.string().max(1000).optional(),
    confirmed: z.boolean().optional(),
  })
  .strict();
const scenarioBody = z.object({ user: userId.optional(), scenario: z.string().max(80) }).strict();

/** What a command or a click answers the page: the private reply, and the message it is in. */
interface Delivered {
  private: Reply | null;
  messageId: string | null;
}

/** Who a request is, and whether it may act. */
type Who =
  | { ok: true; actor: Actor; identity: ConsoleIdentity | null }
  | { ok: false; status: number; error: string; key: PlainKey };

export function createConsoleAdapter(options: ConsoleAdapterOptions) {
  const store: ConsoleStore = createConsoleStore(options.redis, options.keys);
  const logger = options.logger.child({ adapter: 'console' });
  const access = options.access;
  /**
   * The signed-in user of the action being handled: the policy asks the console for the groups of
   * the actor it checks, and they are this session's (from the ID token). Outside a request (or
   * for anyone else) there are none: the safe side of an approval.
   */
  const acting = new AsyncLocalStorage<ConsoleIdentity>();
  const groups: GroupResolver = {
    groupsOf: async (a) => {
      const who = acting.getStore();
      return who && a.platform === 'console' && a.id === who.id ? who.groups : [];
    },
  };

  const actor = (user: string, displayName = user): Actor => ({
    platform: 'console',
    id: user,
    displayName,
  });

  /** Who reads: the picker's user, the session's, or nobody (read-only: public messages only). */
  async function whoReads(req: Request): Promise<Who | { ok: true; actor: null; identity: null }> {
    if (access.mode === 'picker') {
      const user = userId.safeParse(req.query.user);
      return user.success
        ? { ok: true, actor: actor(user.data), identity: null }
        : { ok: true, actor: null, identity: null };
    }
    if (access.mode === 'read-only') return { ok: true, actor: null, identity: null };
    const s = await access.auth.session(req);
    if (!s)
      return { ok: false, status: 401, error: 'unauthenticated', key: 'console.signInNeeded' };
    return { ok: true, actor: actor(s.user.id, s.user.displayName), identity: s.user };
  }

  /** Who acts: refused without sign-in, from another site, or without the session's token. */
  async function whoActs(req: Request, bodyUser: string | undefined): Promise<Who> {
    if (access.mode === 'read-only') {
      return { ok: false, status: 403, error: 'read_only', key: 'console.readOnly' };
    }
    if (access.mode === 'picker') {
      if (!bodyUser)
        return { ok: false, status: 400, error: 'invalid_request', key: 'console.pickUser' };
      return { ok: true, actor: actor(bodyUser), identity: null };
    }
    const s = await access.auth.session(req);
    if (!s)
      return { ok: false, status: 401, error: 'unauthenticated', key: 'console.signInNeeded' };
    const refused = access.auth.checkAction(req, s);
    if (refused) return { ok: false, status: 403, error: 'cross_site', key: refused };
    return { ok: true, actor: actor(s.user.id, s.user.displayName), identity: s.user };
  }

  /** Runs a core call with the acting user's groups at hand (see `acting`). */
  const withGroups = <T>(who: Who & { ok: true }, fn: () => Promise<T>): Promise<T> =>
    who.identity ? acting.run(who.identity, fn) : fn();

  /**
   * Answers go into the room: a public one for everyone, a private one (a command's answer, a
   * refusal, an opened section) as a message only its asker sees, so it stays in the conversation
   * (and in Redis) instead of a toast that fades. The HTTP response names that message, so the
   * page can bring it into view.
   */
  async function deliver(
    roomName: string,
    user: string,
    response: ChatResponse,
    messageId?: string,
  ): Promise<Delivered> {
    if (response.public) await store.surface.postToChannel(roomName, response.public);
    if (response.updatedCard && messageId && options.redraw) {
      const msg = await store.get(roomName, messageId);
      const incidentId = msg?.card?.facts.find((f) => f.key === 'incident')?.value;
      // The delivery queue redraws the card (under its lock, so a click cannot overwrite a newer
      // card or a thread reply being added); a private card stays as it was.
      if (incidentId && msg?.visibleTo === null) await options.redraw(incidentId);
    }
    return postPrivate(roomName, user, response.private ?? null);
  }

  async function postPrivate(roomName: string, user: string, reply: Reply | null) {
    if (!reply) return { private: null, messageId: null };
    const content = reply.card ? { card: reply.card, reply } : { reply };
    const msg = await store.post(roomName, content, user);
    return { private: reply, messageId: msg.id };
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

  const refused = (res: Response, who: Who & { ok: false }) =>
    refuse(res, who.status, who.error, who.key);

  /** Where the console's page is served from: a change must come from there. */
  const ownOrigin = (req: Request): string =>
    access.mode === 'oidc' ? access.auth.origin : `${req.protocol}://${req.get('host') ?? ''}`;

  function mount(app: Express): void {
    const router = express.Router();
    // First of all, before the body is read: a change posted by another site's page is refused
    // (the demo's port is on 127.0.0.1, but a page elsewhere can still post to it).
    router.use((req, res, next) => {
      if (req.method === 'GET' || req.method === 'HEAD') return next();
      if (!sameOrigin(req, ownOrigin(req)))
        return refuse(res, 403, 'cross_site', 'console.crossSite');
      next();
    });
    router.use(express.json({ limit: '32kb' }));
    router.use('/static', express.static(publicDir, { index: false, maxAge: 0 }));
    if (access.mode === 'oidc') access.auth.mount(router);
    router.get('/', async (req, res) => {
      // Signed out: straight to the provider (and back here) rather than an empty page.
      if (access.mode === 'oidc' && !(await access.auth.session(req))) {
        return res.redirect(303, '/console/auth/login');
      }
      res.type('html').set('cache-control', 'no-store').send(page());
    });
    router.get('/api/config', async (req, res) => {
      const base = {
        mode: access.mode,
        scenarios: access.mode === 'picker' ? (options.scenarios?.list ?? []) : [],
        banner: options.banner ?? null,
        room: CONSOLE_ROOM,
      };
      if (access.mode === 'picker') return void res.json({ ...base, users: options.users() });
      if (access.mode === 'read-only') return void res.json({ ...base, users: [] });
      const s = await access.auth.session(req);
      if (!s) return refuse(res, 401, 'unauthenticated', 'console.signInNeeded');
      const role =
        options.roleOf?.({ ...actor(s.user.id, s.user.displayName), groups: s.user.groups }) ??
        'viewer';
      res.set('cache-control', 'no-store').json({
        ...base,
        users: [],
        me: { id: s.user.id, name: s.user.displayName, role },
        // Same-origin only (no CORS): a page of another site cannot read it.
        csrf: s.csrf,
        expiresAt: s.expiresAt,
      });
    });
    router.get('/api/messages', async (req, res) => {
      const r = room.safeParse(req.query.room);
      if (!r.success) return bad(res, r.error);
      const who = await whoReads(req);
      if (!who.ok) return refused(res, who);
      // The stream position first: the page follows the stream from there, so nothing that
      // changes between this answer and the stream's start is missed.
      const from = await store.position(r.data);
      res.json({ from, messages: await store.list(r.data, who.actor?.id ?? null) });
    });
    router.get('/api/stream', (req, res) => void stream(req, res));
    router.post('/api/command', async (req, res) => {
      const body = commandBody.safeParse(req.body);
      if (!body.success) return bad(res, body.error);
      const who = await whoActs(req, body.data.user);
      if (!who.ok) return refused(res, who);
      const { text } = body.data;
      const user = who.actor.id;
      const roomName = body.data.room;
      await store.post(roomName, { reply: { text: `/exchange ${text}` } }, user);
      const response = await withGroups(who, () =>
        options.core.command({
          actor: who.actor,
          channel: { platform: 'console', id: roomName },
          text,
        }),
      );
      res.json(await deliver(roomName, user, response));
    });
    router.post('/api/action', async (req, res) => {
      const body = actionBody.safeParse(req.body);
      if (!body.success) return bad(res, body.error);
      const who = await whoActs(req, body.data.user);
      if (!who.ok) return refused(res, who);
      const { value, messageId, reason, confirmed } = body.data;
      const roomName = body.data.room;
      const response = await withGroups(who, () =>
        options.core.action({
          actor: who.actor,
          channel: { platform: 'console', id: roomName },
          value,
          input: { reason, confirmed },
          ...(messageId ? { message: { platform: 'console', channel: roomName, messageId } } : {}),
        }),
      );
      res.json(await deliver(roomName, who.actor.id, response, messageId));
    });
    router.post('/api/scenario', async (req, res) => {
      if (!options.scenarios || access.mode !== 'picker') {
        res.status(404).json({ error: 'not_found', message: 'Scenarios exist in the demo only.' });
        return;
      }
      const body = scenarioBody.safeParse(req.body);
      if (!body.success) return bad(res, body.error);
      const who = await whoActs(req, body.data.user);
      if (!who.ok) return refused(res, who);
      const result = await options.scenarios.raise(body.data.scenario);
      if (!result.ok) {
        res.status(400).json({ error: 'invalid_scenario', message: result.reason });
        return;
      }
      logger.info({ user: who.actor.id, scenario: body.data.scenario }, 'demo alert raised');
      res.json(await postPrivate(CONSOLE_ROOM, who.actor.id, { text: result.text }));
    });
    app.use('/console', router);
  }

  /** Server-sent events: each change in the room, as the whole message document. */
  async function stream(req: Request, res: Response): Promise<void> {
    const r = room.safeParse(req.query.room);
    if (!r.success) return bad(res, r.error);
    const who = await whoReads(req);
    if (!who.ok) return refused(res, who);
    // Each open page holds a Redis connection of its own: keep their number bounded.
    if (openStreams >= MAX_STREAMS) {
      res.status(503).json({ error: 'busy', message: 'Too many console pages are open.' });
      return;
    }
    openStreams += 1;
    res.on('close', () => (openStreams -= 1));
    const viewer = who.actor?.id ?? null;
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
        // A session that ended (signed out, expired) stops its stream; the page then signs in.
        if (access.mode === 'oidc' && !(await access.auth.session(req))) break;
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

  return { surface: store.surface, store, mount, groups };
}

export type ConsoleAdapter = ReturnType<typeof createConsoleAdapter>;
