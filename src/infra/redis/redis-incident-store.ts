import type { Alert } from '../../domain/alerts/alert';
import type { AlertRecord } from '../../domain/incidents/apply-alert';
import type { Incident, IncidentChange, IncidentEvent } from '../../domain/incidents/incident';
import type {
  IncidentCommit,
  IncidentStore,
  IntakeSnapshot,
  ReserveIf,
} from '../../app/intake/ports';
import type { RedisClient } from './redis';
import { redisKeys } from './redis-keys';
import { redisOutbox } from './redis-outbox';

/**
 * Compare-and-set over everything the decision read: the key's open-incident pointer, that
 * incident's version and the alert's last fingerprint. Only if all three are unchanged are the
 * incident, the pointer, the indexes, the alert record and the outbox entry written, together.
 */
const COMMIT_SCRIPT = `
local pointer = redis.call('GET', KEYS[1]) or ''
if pointer ~= ARGV[1] then return 0 end
local version = redis.call('HGET', KEYS[2], 'version') or '0'
if version ~= ARGV[2] then return 0 end
local fp = redis.call('HGET', KEYS[3], 'fingerprint') or ''
if fp ~= ARGV[3] then return 0 end
local ttl = tonumber(ARGV[13])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[2], 'doc', ARGV[4], 'version', ARGV[5])
  if ARGV[7] == 'open' then
    redis.call('SET', KEYS[1], ARGV[6])
    redis.call('ZADD', KEYS[4], ARGV[11], ARGV[6])
  else
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[4], ARGV[6])
    redis.call('PEXPIRE', KEYS[2], ttl)
    for i = 7, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
  end
  redis.call('ZADD', KEYS[5], ARGV[11], ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', ARGV[14])
  redis.call('ZADD', KEYS[6], ARGV[11], ARGV[12])
end
redis.call('HSET', KEYS[3], 'fingerprint', ARGV[8], 'incidentId', ARGV[9], 'alert', ARGV[10])
if ARGV[7] == 'open' then
  redis.call('PERSIST', KEYS[3])
else
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return 1
`;

/**
 * Everything intake reads before deciding, in one round trip: the key's open-incident pointer,
 * that incident's document and the alert's last delivery. When the caller says the alert would
 * open an incident (ARGV[2] = '1') and nothing is open for its key and it is not a resend of the
 * recorded delivery (ARGV[3], its fingerprint), a new incident id is reserved too, so a new
 * incident costs no extra round trip. (Incident keys share the {inc} slot: the document's key,
 * built here from ARGV[1], is in the same slot as KEYS[1] on a Cluster.)
 */
const SNAPSHOT_SCRIPT = `
local pointer = redis.call('GET', KEYS[1])
local doc = false
if pointer then doc = redis.call('HGET', ARGV[1] .. pointer, 'doc') end
local record = redis.call('HMGET', KEYS[2], 'fingerprint', 'incidentId')
local reserved = false
if ARGV[2] == '1' and not doc and record[1] ~= ARGV[3] then
  reserved = redis.call('INCR', KEYS[3])
end
return {pointer, doc, record[1], record[2], reserved}
`;

interface CommitCommand {
  exchopsCommitIncident(...args: Array<string | number>): Promise<number>;
  exchopsIncidentSnapshot(
    ...args: string[]
  ): Promise<[string | null, string | null, string | null, string | null, number | null]>;
}

export interface RedisIncidentStoreOptions {
  prefix: string;
  /** How long a resolved incident (and its alerts) stays in Redis. */
  retentionMs: number;
}

export function createRedisIncidentStore(
  redis: RedisClient,
  options: RedisIncidentStoreOptions,
): IncidentStore {
  const keys = redisKeys(options.prefix);
  if (!('exchopsCommitIncident' in redis)) {
    redis.defineCommand('exchopsCommitIncident', { lua: COMMIT_SCRIPT });
  }
  if (!('exchopsIncidentSnapshot' in redis)) {
    redis.defineCommand('exchopsIncidentSnapshot', { lua: SNAPSHOT_SCRIPT, numberOfKeys: 3 });
  }
  const scripted = redis as unknown as RedisClient & CommitCommand;
  const outbox = redisOutbox(redis, keys.outbox);

  const parseIncident = (doc: string | null | undefined): Incident | null =>
    doc ? (JSON.parse(doc) as Incident) : null;

  return {
    async snapshot(key: string, alertId: string, reserve?: ReserveIf): Promise<IntakeSnapshot> {
      const [openId, doc, fingerprint, incidentId, reserved] =
        await scripted.exchopsIncidentSnapshot(
          keys.openPointer(key),
          keys.alert(alertId),
          keys.sequence,
          keys.incident(''),
          reserve ? '1' : '0',
          reserve?.fingerprint ?? '',
        );
      const open = openId ? parseIncident(doc) : null;
      const alertRecord: AlertRecord | null = fingerprint
        ? { alertId, fingerprint, incidentId: incidentId || null }
        : null;
      // A pointer to an incident that no longer exists counts as no open incident; the commit
      // still compares the pointer's stored value, so replacing it stays atomic.
      return {
        openId: openId ?? null,
        open,
        record: alertRecord,
        ...(reserved ? { reservedId: `INC-${reserved}` } : {}),
      };
    },

    async reserveIncidentId(): Promise<string> {
      return `INC-${await redis.incr(keys.sequence)}`;
    },

    async commit(c: IncidentCommit): Promise<boolean> {
      const now = Date.parse(c.at);
      const doc = c.incident?.doc;
      const incidentKeyName = keys.incident(doc?.id ?? c.expected.openId ?? 'none');
      const otherAlertKeys = c.incident?.otherAlertIds.map((id) => keys.alert(id)) ?? [];
      const result = await scripted.exchopsCommitIncident(
        6 + otherAlertKeys.length,
        keys.openPointer(c.key),
        incidentKeyName,
        keys.alert(c.alert.id),
        keys.openSet,
        keys.allSet,
        keys.outbox,
        ...otherAlertKeys,
        c.expected.openId ?? '',
        String(c.expected.openVersion),
        c.expected.recordFingerprint ?? '',
        doc ? JSON.stringify(doc) : '',
        doc ? String(doc.version) : '0',
        doc?.id ?? '',
        doc ? doc.status : recordStatus(c.alert),
        c.alert.fingerprint,
        c.incidentId ?? '',
        JSON.stringify(c.alert),
        String(now),
        doc && c.incident ? outboxMember(doc.id, doc.version, c.incident.change, c.at) : '',
        String(options.retentionMs),
        String(now - options.retentionMs),
      );
      return result === 1;
    },

    async get(incidentId: string): Promise<Incident | null> {
      return parseIncident(await redis.hget(keys.incident(incidentId), 'doc'));
    },

    async listOpen(limit = 100): Promise<Incident[]> {
      const ids = await redis.zrevrange(keys.openSet, 0, limit - 1);
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(keys.incident(id), 'doc');
      const docs = (await pipeline.exec()) ?? [];
      return docs
        .map(([, doc]) => parseIncident(doc as string | null))
        .filter((i): i is Incident => i !== null);
    },

    async pendingEvents(olderThanMs: number, limit?: number): Promise<IncidentEvent[]> {
      const members = await outbox.pending(olderThanMs, Date.now(), limit);
      return members.map(parseOutboxMember).filter((e): e is IncidentEvent => e !== null);
    },

    async markEventPublished(event: IncidentEvent): Promise<void> {
      await outbox.done(outboxMember(event.incidentId, event.version, event.change, event.at));
    },

    async markEventsPublished(events: IncidentEvent[]): Promise<void> {
      if (events.length === 0) return;
      await redis.zrem(
        keys.outbox,
        ...events.map((e) => outboxMember(e.incidentId, e.version, e.change, e.at)),
      );
    },
  };
}

/** An alert record with no incident change: kept while its alert is open, else it expires. */
function recordStatus(alert: Alert): 'open' | 'resolved' {
  return alert.state === 'resolved' || alert.state === 'closed' ? 'resolved' : 'open';
}

function outboxMember(
  id: string,
  version: number,
  change: IncidentEvent['change'],
  at: string,
): string {
  return JSON.stringify([id, version, change, at]);
}

function parseOutboxMember(member: string): IncidentEvent | null {
  try {
    const [incidentId, version, change, at] = JSON.parse(member) as [
      string,
      number,
      IncidentChange,
      string,
    ];
    return { incidentId, version, change, at };
  } catch {
    return null;
  }
}
