import type { OutageStateStore } from '../../app/outages/ports';
import { EMPTY_OUTAGE_STATE, type OutageState } from '../../domain/outages/outage';
import type { RedisClient as Redis } from './redis';
import type { RedisKeys } from './redis-keys';

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

/** A parsed state per scope and the version it was read or written at. */
type Cached = { version: number; state: OutageState };

export function redisOutageStore(
  redis: Redis,
  keys: Pick<RedisKeys, 'outageState' | 'outageScopes'>,
): OutageStateStore {
  // In a storm the document holds hundreds of members and is read for every change, hold and
  // card: it is parsed again only when its version moved (one HGET to ask).
  const cache = new Map<string, Cached>();
  const loading = new Map<string, Promise<{ version: number; state: OutageState }>>();
  const load = async (scope: string): Promise<{ version: number; state: OutageState }> => {
    const [doc, version] = await redis.hmget(keys.outageState(scope), 'doc', 'version');
    const state = doc ? (JSON.parse(doc) as OutageState) : structuredClone(EMPTY_OUTAGE_STATE);
    return { state, version: Number(version ?? 0) };
  };
  return {
    async read(scope) {
      const cached = cache.get(scope);
      const now = cached ? Number((await redis.hget(keys.outageState(scope), 'version')) ?? 0) : -1;
      if (cached && now === cached.version) return { state: cached.state, version: now };
      // Readers that miss together (a write of this process still on its way back) share one
      // read of the document, unless it began before the version they saw.
      let read = loading.get(scope);
      if (!read) {
        read = load(scope).finally(() => loading.delete(scope));
        loading.set(scope, read);
      }
      let fresh = await read;
      if (fresh.version < now) fresh = await load(scope);
      // A slow read must not replace what a newer write of this process left.
      if (fresh.version >= (cache.get(scope)?.version ?? -1)) cache.set(scope, fresh);
      return fresh;
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
      if (Number(done) !== 1) return false;
      if (version + 1 > (cache.get(scope)?.version ?? -1))
        cache.set(scope, { version: version + 1, state });
      return true;
    },
    scopes: () => redis.smembers(keys.outageScopes),
  };
}
