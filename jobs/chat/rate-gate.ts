import type { RedisClient as Redis } from '../../src/infra/redis/redis';
import type { DeliveryCall, PlatformLimits } from '../../src/app/chat/delivery-limits';
import type { PlatformId } from '../../src/domain/identity/actor';

/**
 * The budgets every replica spends before it calls a chat platform, in Redis. One Lua script
 * checks the platform's Retry-After window and every rule that counts the call (GCRA), and
 * counts the call in all of them or in none. All keys of a platform share the hash tag
 * `{chat-rate:<platform>}`, so the script touches one slot on Redis Cluster. The time is Redis's
 * (TIME), so replicas with skewed clocks agree.
 */
export interface RateGate {
  /**
   * 0: go now (the call is counted); otherwise how many ms to wait (nothing was counted), and
   * whether what holds it back holds every call of the platform (a rule per app, or a 429's
   * Retry-After) or only calls to this channel.
   */
  take(
    platform: PlatformId,
    call: DeliveryCall,
    channel: string,
  ): Promise<{ waitMs: number; platformWide: boolean }>;
  /** The platform answered 429: nothing may call it for `ms`, on any replica. */
  block(platform: PlatformId, ms: number): Promise<void>;
}

const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = redis.call('PTTL', KEYS[1])
if blocked > 0 then return {blocked, 1} end
local wait = 0
local wide = 0
local tats = {}
for i = 2, #KEYS do
  local interval = tonumber(ARGV[(i - 2) * 3 + 1])
  local burst = tonumber(ARGV[(i - 2) * 3 + 2])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local nextTat = tat + interval
  local allowAt = nextTat - interval * burst
  if allowAt - now > wait then
    wait = allowAt - now
    wide = tonumber(ARGV[(i - 2) * 3 + 3])
  end
  tats[i] = nextTat
end
if wait > 0 then return {math.ceil(wait), wide} end
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], tats[i], 'PX', math.ceil(tats[i] - now) + 1000)
end
return {0, 0}
`;

const BLOCK = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
`;

export function createRateGate(
  redis: Redis,
  tag: (platform: PlatformId) => string,
  limits: Partial<Record<PlatformId, PlatformLimits | undefined>>,
): RateGate {
  return {
    async take(platform, call, channel) {
      const keys = [`${tag(platform)}:block`];
      const args: number[] = [];
      (limits[platform]?.rules ?? []).forEach((rule, i) => {
        if (!rule.calls.includes(call)) return;
        const scope = rule.per === 'channel' ? `ch:${channel}` : 'app';
        keys.push(`${tag(platform)}:${i}:${scope}`);
        args.push(rule.intervalMs, rule.burst, rule.per === 'channel' ? 0 : 1);
      });
      const [waitMs, wide] = (await redis.eval(TAKE, keys.length, ...keys, ...args)) as [
        number,
        number,
      ];
      return { waitMs: Number(waitMs), platformWide: Number(wide) === 1 };
    },
    async block(platform, ms) {
      await redis.eval(BLOCK, 1, `${tag(platform)}:block`, Math.max(1, Math.ceil(ms)));
    },
  };
}

/** A call the budget does not allow yet: the job waits `waitMs` and tries again. */
export class BudgetWait extends Error {
  constructor(
    readonly waitMs: number,
    /** Every call of the platform waits (not only this channel's). */
    readonly platformWide = false,
  ) {
    super(`chat budget: wait ${waitMs} ms`);
    this.name = 'BudgetWait';
  }
}
