/** What an attempt returns when its compare-and-set lost to a concurrent change. */
export const LOST_RACE = Symbol('lost-race');
export type LostRace = typeof LOST_RACE;

export interface RetryOptions {
  maxAttempts: number;
  /**
   * The pause after a lost race is random (jitter, so racers spread out) up to
   * `min(maxPauseMs, pauseStepMs × attempt)`: it grows with each loss, to a cap.
   */
  maxPauseMs: number;
  pauseStepMs?: number;
}

/**
 * Optimistic concurrency: read, decide, compare-and-set, and on a lost race decide again on fresh
 * data, after a short jittered pause. `attempt` does one read-decide-commit and returns its result,
 * or LOST_RACE when the commit found the data changed since it was read. Returns LOST_RACE when
 * every attempt lost, for the caller to say so in its own terms.
 */
export async function retryOnConflict<T>(
  attempt: (n: number) => Promise<T | LostRace>,
  options: RetryOptions,
): Promise<T | LostRace> {
  const step = options.pauseStepMs ?? 1;
  for (let n = 1; n <= options.maxAttempts; n++) {
    const result = await attempt(n);
    if (result !== LOST_RACE) return result;
    // No pause after the last loss: nothing follows it.
    if (n < options.maxAttempts)
      await sleep(Math.min(options.maxPauseMs, step * n) * Math.random());
  }
  return LOST_RACE;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
