import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient as Redis } from '../../../src/infra/redis/redis';
import type { ConsoleIdentity } from './identity';

/**
 * Console sessions and sign-ins in progress, in Redis under the console's own keys, each with its
 * expiry, so every bot replica knows them and a restart signs nobody out. The key holds a hash of
 * the cookie's value, not the value: whoever reads Redis cannot use what is there as a cookie.
 */
export interface ConsoleSession {
  user: ConsoleIdentity;
  /** Sent back by the page in a header on every action (see `sameToken`). */
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

/** A sign-in between the redirect to the provider and its answer. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export function consoleAuthKeys(prefix: string) {
  return {
    session: (hash: string) => `${prefix}:{console}:session:${hash}`,
    login: (hash: string) => `${prefix}:{console}:login:${hash}`,
  };
}

/** How long a sign-in may take at the provider. */
export const LOGIN_TTL_MS = 10 * 60_000;

const token = (): string => randomBytes(32).toString('base64url');
const hash = (value: string): string => createHash('sha256').update(value).digest('hex');
/** What a cookie may hold: the tokens we hand out, nothing longer. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Two tokens compared in constant time (hashed first, so their lengths say nothing). */
export function sameToken(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(a).digest(),
    createHash('sha256').update(b).digest(),
  );
}

export function createSessionStore(
  redis: Redis,
  prefix: string,
  options: { ttlMs: number; now?: () => number },
) {
  const keys = consoleAuthKeys(prefix);
  const now = options.now ?? Date.now;

  return {
    ttlMs: options.ttlMs,

    /** A new session for a signed-in user; the id goes in the cookie. */
    async create(user: ConsoleIdentity): Promise<{ id: string; session: ConsoleSession }> {
      const id = token();
      const at = now();
      const session: ConsoleSession = {
        user,
        csrf: token(),
        createdAt: new Date(at).toISOString(),
        expiresAt: new Date(at + options.ttlMs).toISOString(),
      };
      await redis.set(keys.session(hash(id)), JSON.stringify(session), 'PX', options.ttlMs);
      return { id, session };
    },

    /** The session of a cookie value; null when unknown, malformed or past its end. */
    async get(id: string | undefined): Promise<ConsoleSession | null> {
      if (!id || !TOKEN.test(id)) return null;
      const doc = await redis.get(keys.session(hash(id)));
      if (!doc) return null;
      const session = JSON.parse(doc) as ConsoleSession;
      // Redis expires the key; the record's own end holds even if its expiry was lost.
      return Date.parse(session.expiresAt) > now() ? session : null;
    },

    async destroy(id: string | undefined): Promise<void> {
      if (id && TOKEN.test(id)) await redis.del(keys.session(hash(id)));
    },

    /** Remembers a sign-in started in this browser; the id goes in a short-lived cookie. */
    async startLogin(login: PendingLogin): Promise<string> {
      const id = token();
      await redis.set(keys.login(hash(id)), JSON.stringify(login), 'PX', LOGIN_TTL_MS);
      return id;
    },

    /** The sign-in a callback finishes, once only (a replayed callback finds nothing). */
    async takeLogin(id: string | undefined): Promise<PendingLogin | null> {
      if (!id || !TOKEN.test(id)) return null;
      const doc = await redis.getdel(keys.login(hash(id)));
      return doc ? (JSON.parse(doc) as PendingLogin) : null;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
