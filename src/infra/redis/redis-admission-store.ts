import type { AdmissionStore } from '../../app/remediation/admission';
import { EMPTY_ADMISSION, type AdmissionState } from '../../domain/outages/admission';
import type { RedisClient as Redis } from './redis';
import type { RedisKeys } from './redis-keys';

/**
 * Each site's admission document in Redis: a hash (`doc`, `version`) per site and a set of the
 * sites, under the hash tag `{admission}` so the compare-and-set script touches one slot on
 * Cluster. The script is the atomic step: of two replicas that read the same version, one write
 * wins and the other decides again on what the winner wrote. A document is kept when it empties
 * (one per site, small): the version keeps counting, so no stale read can match it again.
 */
const WRITE = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'version', v + 1)
redis.call('SADD', KEYS[2], ARGV[3])
return 1
`;

export function redisAdmissionStore(
  redis: Redis,
  keys: Pick<RedisKeys, 'admission' | 'admissionSites'>,
): AdmissionStore {
  // Read for every step of every run, and long in a storm (the steps that wait): parsed again
  // only when its version moved (one HGET to ask). Versions never repeat (see above).
  const cache = new Map<string, { version: number; state: AdmissionState }>();
  const loading = new Map<string, Promise<{ version: number; state: AdmissionState }>>();
  const load = async (site: string): Promise<{ version: number; state: AdmissionState }> => {
    const [doc, version] = await redis.hmget(keys.admission(site), 'doc', 'version');
    const state = doc ? (JSON.parse(doc) as AdmissionState) : structuredClone(EMPTY_ADMISSION);
    return { state, version: Number(version ?? 0) };
  };
  return {
    async read(site) {
      const cached = cache.get(site);
      const now = cached ? Number((await redis.hget(keys.admission(site), 'version')) ?? 0) : -1;
      if (cached && now === cached.version) return { state: cached.state, version: now };
      // Readers that miss together (a write of this process still on its way back) share one
      // read of the document, unless it began before the version they saw.
      let read = loading.get(site);
      if (!read) {
        read = load(site).finally(() => loading.delete(site));
        loading.set(site, read);
      }
      let fresh = await read;
      if (fresh.version < now) fresh = await load(site);
      // A slow read must not replace what a newer write of this process left.
      if (fresh.version >= (cache.get(site)?.version ?? -1)) cache.set(site, fresh);
      return fresh;
    },
    async write(site, state, version) {
      const done = await redis.eval(
        WRITE,
        2,
        keys.admission(site),
        keys.admissionSites,
        version,
        JSON.stringify(state),
        site,
      );
      if (Number(done) !== 1) return false;
      if (version + 1 > (cache.get(site)?.version ?? -1))
        cache.set(site, { version: version + 1, state });
      return true;
    },
    sites: () => redis.smembers(keys.admissionSites),
  };
}
