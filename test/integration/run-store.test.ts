import type { ServerRef } from '../../src/domain/alerts/alert';
import type { AuditEvent } from '../../src/domain/audit/audit-entry';
import type { Incident, IncidentEvent } from '../../src/domain/incidents/incident';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { createRedisRunStore } from '../../src/infra/redis/redis-run-store';
import { createRemediationService } from '../../src/app/remediation';
import type { CheckQueue } from '../../src/app/remediation/ports';
import { loadCatalog } from '../../src/infra/files/load-catalog';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

/**
 * Runs in the real Redis, advanced by several bot replicas at once: the compare-and-set makes one
 * change of each event, and the outbox carries out every committed effect, even after a failure.
 */
const redis = testRedis();
const prefix = testPrefix('runs');
const catalog = loadCatalog();
const EX01: ServerRef = { name: 'EX01', fqdn: null, short: 'EX01', valid: true };

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

type Queued = Parameters<CheckQueue['enqueue']>[0];

function replicas(
  n: number,
  failEvents: { count: number },
  status: Incident['status'] = 'open',
  queueGate: Promise<void> = Promise.resolve(),
) {
  const queued: Queued[] = [];
  const events: IncidentEvent[] = [];
  const audit: AuditEvent[] = [];
  const incident = {
    id: 'INC-7',
    monitors: ['PopDeepTestMonitor'],
    healthSet: 'POP.Protocol',
    server: EX01,
    relatedServer: null,
    status,
  } as unknown as Incident; // only these fields are read
  const services = Array.from({ length: n }, () =>
    createRemediationService({
      store: createRedisRunStore(redis, { prefix, retentionMs: 60_000 }),
      catalog,
      incidents: { get: async (id) => (id === incident.id ? incident : null) },
      checks: {
        async enqueue(req) {
          // Idempotent by job id, as BullMQ is.
          if (!queued.some((q) => q.jobId === req.jobId)) queued.push(req);
          return { ok: true, jobId: req.jobId };
        },
      },
      timers: { schedule: async () => undefined },
      approvals: {
        requestStep: async () => ({ ok: false, code: 'denied', reason: 'not in this test' }),
        withdraw: async () => ({ ok: false, code: 'not-found', reason: 'not in this test' }),
      },
      audit: {
        async append(event) {
          audit.push(event);
          return null;
        },
      },
      events: {
        async publish(event) {
          await queueGate;
          if (failEvents.count > 0) {
            failEvents.count -= 1;
            throw new Error('queue down');
          }
          if (!events.some((e) => e.runVersion === event.runVersion)) events.push(event);
        },
      },
      waitSeconds: 1,
    }),
  );
  return { services, queued, events, audit };
}

test('replicas starting and advancing one run at once make one change per event', async () => {
  const failEvents = { count: 0 };
  const { services, queued, events } = replicas(4, failEvents);
  await Promise.all(services.map((s) => s.start('INC-7')));
  const started = await services[0]!.getRun('INC-7');
  expect(started?.version).toBe(1);
  expect(queued.map((q) => q.stepId)).toEqual(['pop-verify.2.1']);

  const job = queued[0]!;
  const outcome = {
    jobId: job.jobId,
    actionId: job.actionId,
    params: job.params,
    status: 'succeeded' as const,
    incidentId: 'INC-7',
    runId: job.runId,
    stepId: job.stepId,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: 5,
    parsed: { kind: 'server-health', monitors: [], unhealthy: [] },
    raw: '[]',
  };
  // The same result delivered twenty times over four replicas.
  await Promise.all(Array.from({ length: 20 }, (_, i) => services[i % 4]!.handleOutcome(outcome)));
  await Promise.all(services.map((s) => s.idle()));
  const after = await services[0]!.getRun('INC-7');
  expect(after?.version).toBe(2);
  expect(after?.steps['pop-verify.2.1']?.results).toHaveLength(1);
  expect(queued.map((q) => q.stepId)).toEqual(['pop-verify.2.1', 'pop-verify.2.3']);
  expect(events.map((e) => e.runVersion)).toEqual([1, 2]);
});

test('an effect that failed after the commit is carried out by the relay', async () => {
  await redis.del(redisKeys(prefix).run('INC-7'));
  const failEvents = { count: 1 };
  const { services, events, audit } = replicas(1, failEvents);
  await services[0]!.start('INC-7');
  await services[0]!.idle();
  expect(events).toHaveLength(0);
  expect(audit.map((a) => a.action)).toEqual(['check.run']);
  expect(await redis.zcard(redisKeys(prefix).runOutbox)).toBe(1);
  expect(await services[0]!.relay(0)).toBe(1);
  expect(events).toMatchObject([{ change: 'run', runId: 'RUN-INC-7', runVersion: 1 }]);
  expect(await redis.zcard(redisKeys(prefix).runOutbox)).toBe(0);
});

test('an incident resolved before its start came gets no run and no check', async () => {
  await redis.del(redisKeys(prefix).run('INC-7'));
  const { services, queued, events } = replicas(1, { count: 0 }, 'resolved');
  expect(await services[0]!.start('INC-7')).toBeNull();
  expect(await services[0]!.getRun('INC-7')).toBeNull();
  expect(queued).toEqual([]);
  expect(events).toEqual([]);
});

test('a run does not wait for its card event: the outbox holds it until the queue takes it', async () => {
  await redis.del(redisKeys(prefix).run('INC-7'));
  let open!: () => void;
  const queueGate = new Promise<void>((resolve) => (open = resolve));
  const { services, queued, events } = replicas(1, { count: 0 }, 'open', queueGate);
  try {
    // The queue does not answer, yet the run starts and its check is queued.
    await services[0]!.start('INC-7');
    expect(queued.map((q) => q.stepId)).toEqual(['pop-verify.2.1']);
    expect(events).toEqual([]);
    expect(await redis.zcard(redisKeys(prefix).runOutbox)).toBe(1);
  } finally {
    open();
  }
  await services[0]!.idle();
  expect(events).toMatchObject([{ change: 'run', runId: 'RUN-INC-7', runVersion: 1 }]);
  expect(await redis.zcard(redisKeys(prefix).runOutbox)).toBe(0);
});
