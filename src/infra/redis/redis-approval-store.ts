import type { ApprovalRequest } from '../../domain/approvals/approval-request';
import { FINAL_STATES } from '../../domain/approvals/approval-request';
import type { ApprovalStore } from '../../app/approvals/ports';
import type { RedisClient } from './redis';
import { redisKeys } from './redis-keys';
import { redisOutbox } from './redis-outbox';

/**
 * Creates a request unless the same step is already pending (the dedupe pointer), and indexes it.
 * The dedupe pointer expires with the request, so a forgotten one never blocks a new request.
 */
const CREATE_SCRIPT = `
if ARGV[7] == '1' then
  local existing = redis.call('GET', KEYS[4])
  if existing then return existing end
  redis.call('SET', KEYS[4], ARGV[1], 'PXAT', ARGV[5])
end
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('request id in use') end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'version', ARGV[3], 'state', ARGV[4], 'dedupe', ARGV[9])
if ARGV[4] == 'pending' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1]) end
if ARGV[10] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
  if tonumber(ARGV[11]) > 0 then redis.call('PEXPIRE', KEYS[3], ARGV[11]) end
end
if ARGV[8] == '1' then redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1]) end
if ARGV[12] ~= '' then redis.call('ZADD', KEYS[6], ARGV[6], ARGV[12]) end
return ''
`;

/**
 * Compare-and-set on the request's version: the new state is written only if nobody changed the
 * request since it was read. Leaving `pending` also leaves the expiry index and frees the dedupe
 * pointer; an approval enters the job outbox in the same write, so it cannot be lost or doubled.
 */
const COMMIT_SCRIPT = `
local v = redis.call('HGET', KEYS[1], 'version')
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'version', ARGV[3], 'state', ARGV[4])
if ARGV[4] ~= 'pending' then
  redis.call('ZREM', KEYS[2], ARGV[5])
  if redis.call('GET', KEYS[4]) == ARGV[5] then redis.call('DEL', KEYS[4]) end
end
if ARGV[6] == '1' then redis.call('ZADD', KEYS[3], ARGV[7], ARGV[5]) end
if ARGV[9] == '1' and tonumber(ARGV[8]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[8]) end
if ARGV[10] ~= '' then redis.call('ZADD', KEYS[5], ARGV[7], ARGV[10]) end
return 1
`;

interface ApprovalCommands {
  exchopsCreateApproval(...args: Array<string | number>): Promise<string>;
  exchopsCommitApproval(...args: Array<string | number>): Promise<number>;
}

export interface RedisApprovalStoreOptions {
  prefix: string;
  /** How long a finished request (rejected, expired, cancelled, succeeded, failed, unknown) stays. */
  retentionMs: number;
}

export function createRedisApprovalStore(
  redis: RedisClient,
  options: RedisApprovalStoreOptions,
): ApprovalStore {
  const keys = redisKeys(options.prefix);
  if (!('exchopsCreateApproval' in redis)) {
    redis.defineCommand('exchopsCreateApproval', { lua: CREATE_SCRIPT, numberOfKeys: 6 });
    redis.defineCommand('exchopsCommitApproval', { lua: COMMIT_SCRIPT, numberOfKeys: 5 });
  }
  const scripted = redis as unknown as RedisClient & ApprovalCommands;
  // Stands in for an absent optional key; it is never written, and shares the slot.
  const noKey = keys.approvalDedupe('none');
  const jobOutbox = redisOutbox(redis, keys.approvalOutbox);
  const auditOutbox = redisOutbox(redis, keys.approvalAuditOutbox);

  const parse = (doc: string | null | undefined): ApprovalRequest | null =>
    doc ? (JSON.parse(doc) as ApprovalRequest) : null;

  return {
    async reserveId(): Promise<string> {
      return `APR-${await redis.incr(keys.approvalSequence)}`;
    },

    async create(request, { dedupeKey, enqueue, audit }) {
      const dedupe = dedupeKey ? keys.approvalDedupe(dedupeKey) : noKey;
      const existing = await scripted.exchopsCreateApproval(
        keys.approvalRequest(request.id),
        keys.approvalPending,
        request.incidentId ? keys.approvalsByIncident(request.incidentId) : noKey,
        dedupe,
        keys.approvalOutbox,
        keys.approvalAuditOutbox,
        request.id,
        JSON.stringify(request),
        String(request.version),
        request.state,
        String(Date.parse(request.expiresAt)),
        String(Date.parse(request.requestedAt)),
        dedupeKey ? '1' : '',
        enqueue ? '1' : '',
        dedupeKey ? dedupe : '',
        request.incidentId ? '1' : '',
        String(options.retentionMs),
        audit ?? '',
      );
      return existing ? { created: false, existingId: existing } : { created: true };
    },

    async get(id) {
      return parse(await redis.hget(keys.approvalRequest(id), 'doc'));
    },

    async commit(next, expectedVersion, { enqueue, audit }) {
      // The dedupe pointer's name is fixed at creation, so reading it first is race-free.
      const dedupe = (await redis.hget(keys.approvalRequest(next.id), 'dedupe')) || noKey;
      const result = await scripted.exchopsCommitApproval(
        keys.approvalRequest(next.id),
        keys.approvalPending,
        keys.approvalOutbox,
        dedupe,
        keys.approvalAuditOutbox,
        String(expectedVersion),
        JSON.stringify(next),
        String(next.version),
        next.state,
        next.id,
        enqueue ? '1' : '',
        String(changedAtMs(next)),
        String(options.retentionMs),
        FINAL_STATES.includes(next.state) ? '1' : '',
        audit ?? '',
      );
      return result === 1;
    },

    async listForIncident(incidentId, limit = 50) {
      const index = keys.approvalsByIncident(incidentId);
      const ids = await redis.zrevrange(index, 0, limit - 1);
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(keys.approvalRequest(id), 'doc');
      const docs = (await pipeline.exec()) ?? [];
      const found: ApprovalRequest[] = [];
      const gone: string[] = [];
      docs.forEach(([, doc], i) => {
        const req = parse(doc as string | null);
        if (req) found.push(req);
        else gone.push(ids[i] as string);
      });
      // Requests past retention expired on their own; drop them from the index as we notice.
      if (gone.length > 0) await redis.zrem(index, ...gone);
      return found;
    },

    async dueForExpiry(nowMs, limit = 500) {
      return redis.zrangebyscore(keys.approvalPending, '-inf', nowMs, 'LIMIT', 0, limit);
    },

    pendingEnqueues: (olderThanMs, nowMs, limit) => jobOutbox.pending(olderThanMs, nowMs, limit),
    markEnqueued: (id) => jobOutbox.done(id),
    pendingAudits: (olderThanMs, nowMs, limit) => auditOutbox.pending(olderThanMs, nowMs, limit),
    markAudited: (record) => auditOutbox.done(record),
  };
}

/** When the change being committed happened (the relay's age check uses the same clock). */
function changedAtMs(req: ApprovalRequest): number {
  const at = Date.parse(req.history[req.history.length - 1]?.at ?? '');
  return Number.isFinite(at) ? at : Date.now();
}
