/**
 * Work a committed change still owes (a queue event, a job, an audit entry), stored in the same
 * atomic write as the change, and taken out once it was carried out. A port: the Redis stores hold
 * it (src/infra/redis/redis-outbox.ts).
 */
export interface Outbox<E> {
  /** Entries still waiting that are older than `olderThanMs` (younger ones may be in flight). */
  pending(olderThanMs: number): Promise<E[]>;
  done(entry: E): Promise<void>;
}

export interface OutboxRelay<E> {
  /**
   * Carries an entry out right after its commit. A failure must not undo the change (it stands):
   * it is told to `onError` and the entry stays for `relay`. False when it failed.
   */
  handOn(entry: E): Promise<boolean>;
  /**
   * Carries out every entry a crash or an outage left behind; throws at the first failure (the
   * next run tries again). Returns how many were carried out.
   */
  relay(olderThanMs: number): Promise<number>;
}

/**
 * The transactional outbox's second half: carry out, then take out. A crash in between leaves the
 * entry, so it may be carried out twice: `carryOut` must be idempotent (a job id, an idempotency
 * key).
 */
export function outboxRelay<E>(
  outbox: Outbox<E>,
  carryOut: (entry: E) => Promise<void>,
  onError: (err: unknown, entry: E) => void,
): OutboxRelay<E> {
  async function once(entry: E): Promise<void> {
    await carryOut(entry);
    await outbox.done(entry);
  }
  return {
    async handOn(entry) {
      try {
        await once(entry);
        return true;
      } catch (err) {
        onError(err, entry);
        return false;
      }
    },
    async relay(olderThanMs) {
      const entries = await outbox.pending(olderThanMs);
      for (const entry of entries) await once(entry);
      return entries.length;
    },
  };
}
