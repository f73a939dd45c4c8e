import type { AuditEntry, AuditEvent, StoredAuditEntry } from '../../domain/audit/audit-entry';
import { chainEntry, GENESIS_HASH } from '../../domain/audit/hash-chain';
import type { AuditLog, AuditQuery, AuditReader } from '../../app/audit/ports';
import { LOST_RACE, retryOnConflict } from '../../app/shared/retry-on-conflict';
import { sameServer } from '../../domain/approvals/evaluate';
import type { RedisClient } from './redis';
import { redisKeys } from './redis-keys';

/**
 * Appends one entry only if the head is still the one its hash was computed from; otherwise another
 * replica appended first and the caller chains onto the new head. So concurrent appends from any
 * number of replicas make one unbroken chain, never a fork. (Redis Lua has no SHA-256, so the hash
 * is computed by the caller and the script only compares.)
 */
const APPEND_SCRIPT = `
if ARGV[7] ~= '' and redis.call('ZSCORE', KEYS[3], ARGV[7]) then return '' end
local head = redis.call('HMGET', KEYS[2], 'seq', 'hash')
local seq = head[1] or '0'
local hash = head[2] or ARGV[6]
if seq ~= ARGV[1] or hash ~= ARGV[2] then return false end
local id = redis.call('XADD', KEYS[1], '*', 'seq', ARGV[3], 'hash', ARGV[4], 'entry', ARGV[5])
redis.call('HSET', KEYS[2], 'seq', ARGV[3], 'hash', ARGV[4], 'id', id)
if ARGV[7] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[8], ARGV[7])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[8]) - 604800000)
end
return id
`;

interface AuditCommands {
  exchopsAuditAppend(...args: string[]): Promise<string | null>;
}

export type RedisAuditLog = AuditLog & AuditReader;

export function createRedisAuditLog(
  redis: RedisClient,
  options: { prefix: string; maxAttempts?: number },
): RedisAuditLog {
  const keys = redisKeys(options.prefix);
  if (!('exchopsAuditAppend' in redis)) {
    redis.defineCommand('exchopsAuditAppend', { lua: APPEND_SCRIPT, numberOfKeys: 3 });
  }
  const scripted = redis as unknown as RedisClient & AuditCommands;
  const maxAttempts = options.maxAttempts ?? 200;

  async function head(): Promise<{ seq: number; hash: string } | null> {
    const [seq, hash] = await redis.hmget(keys.auditHead, 'seq', 'hash');
    return seq && hash ? { seq: Number(seq), hash } : null;
  }

  async function appendNow(
    event: AuditEvent,
    opts: { idempotencyKey?: string },
  ): Promise<AuditEntry | null> {
    const key = opts.idempotencyKey ?? '';
    const appended = await retryOnConflict<AuditEntry | null>(
      async () => {
        const current = await head();
        const seq = current?.seq ?? 0;
        const prevHash = current?.hash ?? GENESIS_HASH;
        const entry = chainEntry(event, seq + 1, prevHash);
        const id = await scripted.exchopsAuditAppend(
          keys.auditStream,
          keys.auditHead,
          keys.auditKeys,
          String(seq),
          prevHash,
          String(entry.seq),
          entry.hash,
          JSON.stringify(entry),
          GENESIS_HASH,
          key,
          String(Date.now()),
        );
        if (id === '') return null; // already written under this key
        // No id: another replica appended first; chain onto its entry.
        return id ? entry : LOST_RACE;
      },
      { maxAttempts, maxPauseMs: 10 },
    );
    if (appended === LOST_RACE) {
      throw new Error(`audit: could not append ${event.action}: too many concurrent appends`);
    }
    return appended;
  }

  // Appends from this process go one at a time: concurrent ones would only race for the chain's
  // head and retry (under a webhook burst that tripled the cost of each alert). Other replicas
  // are still handled by the compare-and-set in appendNow.
  let tail: Promise<unknown> = Promise.resolve();

  return {
    append(event: AuditEvent, opts: { idempotencyKey?: string } = {}): Promise<AuditEntry | null> {
      const next = tail.then(() => appendNow(event, opts));
      tail = next.catch(() => undefined);
      return next;
    },

    head,

    async *scan(pageSize = 500): AsyncIterable<StoredAuditEntry> {
      let start = '-';
      for (;;) {
        const page = await redis.xrange(keys.auditStream, start, '+', 'COUNT', pageSize);
        for (const [id, fields] of page) yield toStored(id, fields);
        if (page.length < pageSize) return;
        start = `(${page[page.length - 1]?.[0]}`;
      }
    },

    async latest(query: AuditQuery, limit: number): Promise<AuditEntry[]> {
      const found: AuditEntry[] = [];
      const since = query.since ? Date.parse(query.since) : null;
      let end = '+';
      // Bounded so a chat command on a huge trail answers quickly; export reads everything.
      for (let scanned = 0; scanned < 20_000;) {
        const page = await redis.xrevrange(keys.auditStream, end, '-', 'COUNT', 500);
        for (const [id, fields] of page) {
          const entry = toStored(id, fields).entry;
          if (!entry) continue;
          if (since !== null && Date.parse(entry.at) < since) return found;
          if (matches(entry, query)) found.push(entry);
          if (found.length >= limit) return found;
        }
        scanned += page.length;
        if (page.length < 500) return found;
        end = `(${page[page.length - 1]?.[0]}`;
      }
      return found;
    },
  };
}

export function matches(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.incidentId && entry.incidentId !== query.incidentId) return false;
  if (query.server && !(entry.server && sameServer(entry.server, query.server))) return false;
  if (query.since && Date.parse(entry.at) < Date.parse(query.since)) return false;
  return true;
}

function toStored(id: string, list: string[]): StoredAuditEntry {
  const raw: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) raw[list[i] as string] = list[i + 1] as string;
  let entry: AuditEntry | null = null;
  try {
    const parsed = raw.entry ? (JSON.parse(raw.entry) as AuditEntry) : null;
    // The stream's own seq/hash fields must agree with the JSON: either edited alone is tampering.
    if (parsed && String(parsed.seq) === raw.seq && parsed.hash === raw.hash) entry = parsed;
  } catch {
    entry = null;
  }
  return { id, entry, raw };
}
