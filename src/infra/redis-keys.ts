/**
 * Every Redis key we write, in one place. Incident keys share the hash tag `{inc}` so the atomic
 * commit script touches one slot and runs unchanged on Redis Cluster.
 */
export function redisKeys(prefix: string) {
  const inc = `${prefix}:{inc}`;
  return {
    openPointer: (key: string) => `${inc}:open:${key}`,
    incident: (id: string) => `${inc}:incident:${id}`,
    alert: (alertId: string) => `${inc}:alert:${alertId}`,
    openSet: `${inc}:open-incidents`,
    allSet: `${inc}:all-incidents`,
    sequence: `${inc}:seq`,
    outbox: `${inc}:outbox`,
    /** One change at a time per server, across all workers. */
    serverLock: (server: string) => `${prefix}:{jobs}:lock:server:${server.toLowerCase()}`,
    /** Which job first used an approval: each approval runs once, a re-delivery is detected. */
    approvalUse: (approvalId: string) => `${prefix}:{jobs}:approval-use:${approvalId}`,
    workersOnline: `${prefix}:{workers}:online`,
    workerInfo: (workerId: string) => `${prefix}:{workers}:info:${workerId}`,
    /** BullMQ's prefix; the hash tag keeps each queue's keys in one slot on Cluster. */
    bullPrefix: `${prefix}:{bull}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
