import type { RunStore } from '../../app/remediation/ports';
import type { RemediationRun } from '../../domain/remediation/run';
import { FINAL_RUN_STATUSES } from '../../domain/remediation/run';
import type { RedisClient } from './redis';
import { redisKeys } from './redis-keys';
import { redisOutbox } from './redis-outbox';

/**
 * Remediation runs in Redis. A change is one compare-and-set on the run's version that also puts
 * the change's effects (jobs to queue, the chat redraw event, audit entries) into an outbox, in
 * the same script: a committed change cannot lose its effects. Keys share the hash tag `{rem}`.
 */
const COMMIT_SCRIPT = `
local version = redis.call('HGET', KEYS[1], 'version') or '0'
if version ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'version', ARGV[3])
if ARGV[5] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[6])
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
else
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[6])
  redis.call('PERSIST', KEYS[1])
end
for i = 8, #ARGV do redis.call('ZADD', KEYS[3], ARGV[4], ARGV[i]) end
return 1
`;

interface CommitCommand {
  exchopsCommitRun(...args: Array<string | number>): Promise<number>;
}

export function createRedisRunStore(
  redis: RedisClient,
  options: { prefix: string; retentionMs: number },
): RunStore {
  const keys = redisKeys(options.prefix);
  if (!('exchopsCommitRun' in redis)) {
    redis.defineCommand('exchopsCommitRun', { numberOfKeys: 3, lua: COMMIT_SCRIPT });
  }
  const scripted = redis as unknown as RedisClient & CommitCommand;
  const outbox = redisOutbox(redis, keys.runOutbox);
  return {
    async get(incidentId) {
      const doc = await redis.hget(keys.run(incidentId), 'doc');
      return doc ? (JSON.parse(doc) as RemediationRun) : null;
    },
    async commit(run, expectedVersion, outbox) {
      const final = FINAL_RUN_STATUSES.includes(run.status);
      const result = await scripted.exchopsCommitRun(
        keys.run(run.incidentId),
        keys.activeRuns,
        keys.runOutbox,
        String(expectedVersion),
        JSON.stringify(run),
        String(run.version),
        String(Date.now()),
        final ? '1' : '0',
        run.incidentId,
        String(options.retentionMs),
        ...outbox,
      );
      return result === 1;
    },
    pendingOutbox: (olderThanMs, limit) => outbox.pending(olderThanMs, Date.now(), limit),
    markDone: (entry) => outbox.done(entry),
    async listActive(limit = 500) {
      return redis.zrevrange(keys.activeRuns, 0, limit - 1);
    },
  };
}
