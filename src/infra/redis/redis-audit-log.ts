import type { AuditEntry, AuditEvent, StoredAuditEntry } from '../../domain/audit/audit-entry';
import { chainEntry, GENESIS_HASH } from '../../domain/audit/hash-chain';
import type { AuditLog, AuditQuery, AuditReader } from '../../app/audit/ports';
import { LOST_RACE, retryOnConflict } from '../../app/shared/retry-on-conflict';
import { sameServer } from '../../domain/approvals/evaluate';
import type { RedisClient } from './redis';
import { redisKeys } from './redis-keys';

/**
 * Appends a batch of entries (group commit) only if the head is still the one the first entry's
 * hash was computed from; otherwise another replica appended first and the caller chains the batch
 * onto the new head. So concurrent appends from any number of replicas make one unbroken chain,
 * never a fork. (Redis Lua has no SHA-256, so the hashes are computed by the caller and the script
 * only compares.) An entry whose idempotency key is already written fails the whole batch with the
 * positions of those entries, since the hashes after them were computed with them in the chain.
 * ARGV: seq and hash of the expected head, the genesis hash, now (ms), then per entry: seq, hash,
 * entry JSON, idempotency key ('' for none). Returns the stream ids, false for a lost race, or
 * {'dup', i, ...} (1-based entry positions).
 */
const APPEND_SCRIPT = `
local dups = {}
local now = tonumber(ARGV[4])
for i = 5, #ARGV, 4 do
  local key = ARGV[i + 3]
  if key ~= '' and redis.call('ZSCORE', KEYS[3], key) then dups[#dups + 1] = (i - 1) / 4 end
end
if #dups > 0 then
  table.insert(dups, 1, 'dup')
  return dups
end
local head = redis.call('HMGET', KEYS[2], 'seq', 'hash')
local seq = head[1] or '0'
local hash = head[2] or ARGV[3]
if seq ~= ARGV[1] or hash ~= ARGV[2] then return false end
local ids = {}
local keyed = false
for i = 5, #ARGV, 4 do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'seq', ARGV[i], 'hash', ARGV[i + 1], 'entry', ARGV[i + 2])
  if ARGV[i + 3] ~= '' then
    redis.call('ZADD', KEYS[3], now, ARGV[i + 3])
    keyed = true
  end
end
local last = #ARGV - 3
redis.call('HSET', KEYS[2], 'seq', ARGV[last], 'hash', ARGV[last + 1], 'id', ids[#ids])
if keyed then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 604800000) end
return ids
`;

interface AuditCommands {
  exchopsAuditAppendBatch(...args: string[]): Promise<string[] | null>;
}

export type RedisAuditLog = AuditLog & AuditReader;

interface Pending {
  event: AuditEvent;
  key: string;
  resolve: (entry: AuditEntry | null) => void;
  reject: (err: unknown) => void;
}

/** At most this many entries per script call: bounded argument lists and script run time. */
const MAX_BATCH = 256;

export function createRedisAuditLog(
  redis: RedisClient,
  options: { prefix: string; maxAttempts?: number },
): RedisAuditLog {
  const keys = redisKeys(options.prefix);
  if (!('exchopsAuditAppendBatch' in redis)) {
    redis.defineCommand('exchopsAuditAppendBatch', { lua: APPEND_SCRIPT, numberOfKeys: 3 });
  }
  const scripted = redis as unknown as RedisClient & AuditCommands;
  const maxAttempts = options.maxAttempts ?? 200;

  async function head(): Promise<{ seq: number; hash: string } | null> {
    const [seq, hash] = await redis.hmget(keys.auditHead, 'seq', 'hash');
    return seq && hash ? { seq: Number(seq), hash } : null;
  }

  // The head this process wrote last: the next batch chains onto it without reading it first.
  // If another replica appended since, the script says so and the head is read again.
  let knownHead: { seq: number; hash: string } | null = null;

  /** Appends the batch in order; resolves each with its entry, or null when already written. */
  async function appendBatch(batch: Pending[]): Promise<void> {
    // An idempotency key twice in one batch: the later ones are already written by the first.
    const seen = new Set<string>();
    let todo: Pending[] = [];
    for (const p of batch) {
      if (p.key !== '' && seen.has(p.key)) {
        p.resolve(null);
        continue;
      }
      if (p.key !== '') seen.add(p.key);
      todo.push(p);
    }
    const appended = await retryOnConflict<true>(
      async () => {
        if (todo.length === 0) return true;
        const current = knownHead ?? (await head());
        const seq = current?.seq ?? 0;
        const prevHash = current?.hash ?? GENESIS_HASH;
        const entries: AuditEntry[] = [];
        const args: string[] = [String(seq), prevHash, GENESIS_HASH, String(Date.now())];
        let prev = prevHash;
        for (const [i, p] of todo.entries()) {
          const entry = chainEntry(p.event, seq + 1 + i, prev);
          prev = entry.hash;
          entries.push(entry);
          args.push(String(entry.seq), entry.hash, JSON.stringify(entry), p.key);
        }
        const result = await scripted.exchopsAuditAppendBatch(
          keys.auditStream,
          keys.auditHead,
          keys.auditKeys,
          ...args,
        );
        if (!result) {
          // Another replica appended first: chain onto its entry.
          knownHead = null;
          return LOST_RACE;
        }
        if (result[0] === 'dup') {
          // Already written under these keys (a relay, a retry): those write nothing.
          const dups = new Set(result.slice(1).map((n) => Number(n) - 1));
          todo = todo.filter((p, i) => {
            if (dups.has(i)) p.resolve(null);
            return !dups.has(i);
          });
          return LOST_RACE;
        }
        const last = entries[entries.length - 1] as AuditEntry;
        knownHead = { seq: last.seq, hash: last.hash };
        for (const [i, p] of todo.entries()) p.resolve(entries[i] as AuditEntry);
        return true;
      },
      { maxAttempts, maxPauseMs: 10 },
    );
    if (appended === LOST_RACE) {
      const err = new Error(
        `audit: could not append ${todo.length} entries: too many concurrent appends`,
      );
      for (const p of todo) p.reject(err);
    }
  }

  // Group commit: appends from this process wait while one batch is in flight and then go
  // together, in the order they were asked for, in one script call (under a webhook burst, one
  // round trip for dozens of entries instead of a head read and a script call each). Every
  // caller's promise resolves only after its entry is written, so "durable before the answer"
  // holds for each. Other replicas are still handled by the compare-and-set in the script.
  const queue: Pending[] = [];
  let pumping = false;
  async function pump(): Promise<void> {
    pumping = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, MAX_BATCH);
        try {
          await appendBatch(batch);
        } catch (err) {
          knownHead = null;
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      pumping = false;
    }
  }

  return {
    append(event: AuditEvent, opts: { idempotencyKey?: string } = {}): Promise<AuditEntry | null> {
      return new Promise<AuditEntry | null>((resolve, reject) => {
        queue.push({ event, key: opts.idempotencyKey ?? '', resolve, reject });
        if (!pumping) void pump();
      });
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
