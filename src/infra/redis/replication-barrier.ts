import type { RedisClient } from './redis';

/** Redis did not confirm the writes on enough replicas in time (the webhook answers 503). */
export class ReplicationUnconfirmedError extends Error {}

/**
 * What the bot answers 202 for must survive a failover, but Redis replicates asynchronously: a
 * write the primary acknowledged may not have reached the replica that takes over. This barrier
 * asks the primary holding each key's slot to `WAIT` until `replicas` replicas have every write
 * sent on its connection so far (the intake's commit and audit entry among them), for at most
 * `timeoutMs`. Sent in a pipeline with a command on the key, so a Cluster routes it to the
 * key's primary, on the connection the writes took.
 */
export function replicationBarrier(
  redis: RedisClient,
  options: { replicas: number; timeoutMs: number; keys: readonly string[] },
): () => Promise<void> {
  return async () => {
    await Promise.all(
      options.keys.map(async (key) => {
        const replies = await redis
          .pipeline()
          .exists(key)
          .wait(options.replicas, options.timeoutMs)
          .exec();
        const [err, acked] = replies?.[1] ?? [new Error('no reply to WAIT'), 0];
        if (err) throw err;
        if (Number(acked) < options.replicas) {
          throw new ReplicationUnconfirmedError(
            `Redis confirmed the write on ${Number(acked)} of ${options.replicas} replicas within ${options.timeoutMs} ms`,
          );
        }
      }),
    );
  };
}
