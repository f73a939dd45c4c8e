import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../src/infra/redis/redis';
import type { Card } from '../../src/domain/cards/card';
import type { ChatSurface, MessageRef, Reply } from '../../src/app/chat/ports';

/**
 * The console "platform": messages live in Redis (a hash of message documents per room and a
 * Stream of change notices), so every bot replica serves the same conversation and a restart
 * loses nothing. The browser renders the neutral card itself (public/app.js).
 */
export interface ConsoleMessage {
  id: string;
  room: string;
  at: string;
  updatedAt: string;
  /** Who the message is for: everyone, or one console user (a private answer). */
  visibleTo: string | null;
  card?: Card | undefined;
  reply?: Reply | undefined;
  /** Replies in this message's thread, oldest first. */
  thread: Array<{ at: string; reply: Reply }>;
}

export type ConsoleEvent = { type: 'post' | 'update' | 'thread'; id: string };

const MAX_MESSAGES = 300;

/** The console's keys: per room, a hash of message documents and a Stream of changes. */
export function consoleKeys(prefix: string) {
  return {
    consoleRoom: (room: string) => `${prefix}:{console}:room:${room}`,
    consoleMessages: (room: string) => `${prefix}:{console}:messages:${room}`,
  };
}

export type ConsoleKeys = ReturnType<typeof consoleKeys>;

export function createConsoleStore(redis: RedisClient, keys: ConsoleKeys) {
  async function save(msg: ConsoleMessage, event: ConsoleEvent['type']): Promise<void> {
    await redis
      .multi()
      .hset(keys.consoleMessages(msg.room), msg.id, JSON.stringify(msg))
      .xadd(keys.consoleRoom(msg.room), 'MAXLEN', '~', '5000', '*', 'type', event, 'id', msg.id)
      .exec();
  }

  async function get(room: string, id: string): Promise<ConsoleMessage | null> {
    const doc = await redis.hget(keys.consoleMessages(room), id);
    return doc ? (JSON.parse(doc) as ConsoleMessage) : null;
  }

  async function post(
    room: string,
    content: { card?: Card; reply?: Reply },
    visibleTo: string | null = null,
  ): Promise<ConsoleMessage> {
    const now = new Date().toISOString();
    // Time-ordered ids so the page can sort without another index.
    const id = `${Date.now().toString(36).padStart(9, '0')}-${randomUUID().slice(0, 8)}`;
    const msg: ConsoleMessage = {
      id,
      room,
      at: now,
      updatedAt: now,
      visibleTo,
      ...content,
      thread: [],
    };
    await save(msg, 'post');
    await trim(room);
    return msg;
  }

  async function trim(room: string): Promise<void> {
    const ids = await redis.hkeys(keys.consoleMessages(room));
    if (ids.length <= MAX_MESSAGES) return;
    // Command answers and echoes go first; an incident's card stays while others can go.
    const docs = (await redis.hvals(keys.consoleMessages(room))).map(
      (d) => JSON.parse(d) as ConsoleMessage,
    );
    const disposable = docs
      .filter((m) => !m.card || m.visibleTo !== null)
      .map((m) => m.id)
      .sort();
    const old = disposable.slice(0, Math.min(disposable.length, ids.length - MAX_MESSAGES));
    if (old.length > 0) await redis.hdel(keys.consoleMessages(room), ...old);
  }

  /** The room stream's last entry id ('0-0' when empty): where a fresh page starts following. */
  async function position(room: string): Promise<string> {
    const last = (await redis.xrevrange(keys.consoleRoom(room), '+', '-', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    return last[0]?.[0] ?? '0-0';
  }

  async function list(room: string, viewer: string | null): Promise<ConsoleMessage[]> {
    const all = await redis.hvals(keys.consoleMessages(room));
    return all
      .map((d) => JSON.parse(d) as ConsoleMessage)
      .filter((m) => m.visibleTo === null || m.visibleTo === viewer)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async function mutate(
    room: string,
    id: string,
    change: (m: ConsoleMessage) => void,
    event: ConsoleEvent['type'],
  ): Promise<void> {
    // Only the delivery queue writes a message after posting it, one incident at a time under its
    // redraw lock, so this read-modify-write has no concurrent writer.
    const msg = await get(room, id);
    if (!msg) throw new Error(`console message ${id} not found in ${room}`);
    change(msg);
    msg.updatedAt = new Date().toISOString();
    await save(msg, event);
  }

  const surface: ChatSurface = {
    platform: 'console',
    async postCard(channel: string, card: Card): Promise<MessageRef> {
      const msg = await post(channel, { card });
      return { platform: 'console', channel, messageId: msg.id };
    },
    async updateCard(ref: MessageRef, card: Card): Promise<void> {
      await mutate(ref.channel, ref.messageId, (m) => (m.card = card), 'update');
    },
    async postInThread(ref: MessageRef, reply: Reply): Promise<void> {
      await mutate(
        ref.channel,
        ref.messageId,
        (m) => m.thread.push({ at: new Date().toISOString(), reply }),
        'thread',
      );
    },
    async postToChannel(channel: string, reply: Reply): Promise<void> {
      await post(channel, reply.card ? { card: reply.card, reply } : { reply });
    },
  };

  return { surface, post, get, list, mutate, position };
}

export type ConsoleStore = ReturnType<typeof createConsoleStore>;
