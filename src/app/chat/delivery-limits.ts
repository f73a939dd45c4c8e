/**
 * A chat platform's published rate limits, as budgets the delivery keeps to so that it never earns
 * a 429. Each rule is a GCRA (a token bucket): one call every `intervalMs` on average, with up to
 * `burst` at once after a quiet spell. Several rules may apply to one call; all must allow it.
 * The numbers belong to each platform module (`limits`), with where they come from.
 */
export interface RateRule {
  /** Which calls count: new messages (cards, thread posts, replies) and/or card updates. */
  calls: readonly DeliveryCall[];
  /** Counted per channel (conversation, thread) or for the whole app on the platform. */
  per: 'channel' | 'app';
  intervalMs: number;
  burst: number;
}

export type DeliveryCall = 'post' | 'update';

export interface PlatformLimits {
  rules: readonly RateRule[];
}
