import type { AdmissionStore } from '../../app/remediation/admission';
import { EMPTY_ADMISSION, type AdmissionState } from '../../domain/outages/admission';
import type { RedisClient as Redis } from './redis';
import type { RedisKeys } from './redis-keys';
import { versionedDocs } from './versioned-docs';

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
  // Read for every change, hold and card in a storm: parsed again only when its version moved.
  const docs = versionedDocs<AdmissionState>(redis, keys.admission, () =>
    structuredClone(EMPTY_ADMISSION),
  );
  return {
    read: (id) => docs.read(id),
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
      docs.wrote(site, version + 1, state);
      return true;
    },
    sites: () => redis.smembers(keys.admissionSites),
  };
}
