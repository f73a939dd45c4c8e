import type { OutageStateStore } from '../../app/outages/ports';
import { EMPTY_OUTAGE_STATE, type OutageState } from '../../domain/outages/outage';
import type { RedisClient as Redis } from './redis';
import type { RedisKeys } from './redis-keys';
import { versionedDocs } from './versioned-docs';

/**
 * The outage state in Redis: a hash (`doc`, `version`) per scope and a set of the scopes, all
 * under the hash tag `{outage}` so the compare-and-set script touches one slot on Cluster. An
 * empty state keeps only its version (its scope leaves the set): were the hash deleted, the
 * version would count from 0 again and a stale read could match a different state of the same
 * number, on write or in a reader's cache.
 */
const WRITE = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
if ARGV[3] == '1' then
  redis.call('HDEL', KEYS[1], 'doc')
  redis.call('HSET', KEYS[1], 'version', v + 1)
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
  // Read for every change, hold and card in a storm: parsed again only when its version moved.
  const docs = versionedDocs<OutageState>(redis, keys.outageState, () =>
    structuredClone(EMPTY_OUTAGE_STATE),
  );
  return {
    read: (id) => docs.read(id),
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
      if (Number(done) !== 1) return false;
      docs.wrote(scope, version + 1, state);
      return true;
    },
    scopes: () => redis.smembers(keys.outageScopes),
  };
}
