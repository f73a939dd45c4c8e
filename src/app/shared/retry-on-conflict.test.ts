import { LOST_RACE, retryOnConflict } from './retry-on-conflict';

describe('retryOnConflict', () => {
  test('returns the first result that did not lose a race, deciding again after each loss', async () => {
    const seen: number[] = [];
    const r = await retryOnConflict(
      async (n) => {
        seen.push(n);
        return n < 3 ? LOST_RACE : `won on ${n}`;
      },
      { maxAttempts: 5, maxPauseMs: 1 },
    );
    expect(r).toBe('won on 3');
    expect(seen).toEqual([1, 2, 3]);
  });

  test('any result but LOST_RACE ends it, null and refusals included', async () => {
    expect(await retryOnConflict(async () => null, { maxAttempts: 2, maxPauseMs: 1 })).toBeNull();
    const refusal = { ok: false as const, reason: 'no' };
    expect(await retryOnConflict(async () => refusal, { maxAttempts: 2, maxPauseMs: 1 })).toBe(
      refusal,
    );
  });

  test('gives LOST_RACE after maxAttempts losses, for the caller to word', async () => {
    let calls = 0;
    const r = await retryOnConflict(
      async () => {
        calls += 1;
        return LOST_RACE;
      },
      { maxAttempts: 4, maxPauseMs: 1 },
    );
    expect(r).toBe(LOST_RACE);
    expect(calls).toBe(4);
  });

  test('an error is not a lost race: it ends the retries', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(
        async () => {
          calls += 1;
          throw new Error('redis down');
        },
        { maxAttempts: 4, maxPauseMs: 1 },
      ),
    ).rejects.toThrow('redis down');
    expect(calls).toBe(1);
  });
});
