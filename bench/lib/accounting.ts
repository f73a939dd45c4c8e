import { normalizeAlert } from '../../src/domain/alerts/normalize-alert';
import type { RedisClient } from '../../src/infra/redis/redis';
import type { RedisKeys } from '../../src/infra/redis/redis-keys';

/**
 * Every alert id answered is recorded, by its last payload's fingerprint, in the incident the
 * webhook named for it: read back from Redis 200 at a time.
 */
export async function accountAlerts(
  redis: RedisClient,
  keys: Pick<RedisKeys, 'alert'>,
  lastPayload: ReadonlyMap<string, Record<string, unknown>>,
  incidentOf: ReadonlyMap<string, string>,
): Promise<{ recorded: number; missing: number }> {
  const ids = [...lastPayload.keys()];
  let recorded = 0;
  let missing = 0;
  for (let i = 0; i < ids.length; i += 200) {
    const pipeline = redis.pipeline();
    for (const id of ids.slice(i, i + 200))
      pipeline.hmget(keys.alert(id), 'fingerprint', 'incidentId');
    const rows = (await pipeline.exec()) ?? [];
    ids.slice(i, i + 200).forEach((id, j) => {
      const [fingerprint, incidentId] = (rows[j]?.[1] ?? []) as [string | null, string | null];
      const normalized = normalizeAlert(lastPayload.get(id), { timeZone: 'UTC' });
      const fp = normalized.ok ? normalized.alert.fingerprint : null;
      if (fingerprint === fp && incidentId && incidentId === incidentOf.get(id)) recorded += 1;
      else missing += 1;
    });
  }
  return { recorded, missing };
}
