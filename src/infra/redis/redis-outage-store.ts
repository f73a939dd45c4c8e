import type { OutageStateStore } from '../../app/outages/ports';
import { EMPTY_OUTAGE_STATE, type OutageState } from '../../domain/outages/outage';
import type { RedisClient as Redis } from './redis';
import type { RedisKeys } from './redis-keys';

/**
 * The outage state in Redis: a hash (`doc`, `version`) per scope and a set of the scopes, all
 * under the hash tag `{outage}` so the compare-and-set script touches one slot on Cluster. An
 * empty state is deleted rather than kept.
 */
const WRITE = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
if ARGV[3] == '1' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[4])
else
  redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'version', v + 1)
  redis.call('SADD', KEYS[2], ARGV[4])
end
return 1
`;

export function redisOutageStore(
  redis: Redis,
  keys: Pick<RedisKeys, 'outageState' | 'outageScopes'>,
): OutageStateStore {
  return {
    async read(scope) {
      const [doc, version] = await redis.hmget(keys.outageState(scope), 'doc', 'version');
      const state = doc ? (JSON.parse(doc) as OutageState) : structuredClone(EMPTY_OUTAGE_STATE);
      return { state, version: Number(version ?? 0) };
    },
    async write(scope, state, version) {
      const empty =
        state.recent.length === 0 && state.outages.length === 0 && !state.detached?.length;
      const done = await redis.eval(
        WRITE,
        2,
        keys.outageState(scope),
        keys.outageScopes,
        version,
        JSON.stringify(state),
        empty ? '1' : '0',
        scope,
      );
      return Number(done) === 1;
    },
    scopes: () => redis.smembers(keys.outageScopes),
  };
}
