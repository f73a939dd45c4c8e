import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import {
  createActionProducer,
  type ActionOutcome,
  type ActionProducer,
} from '../../jobs/queues/action-jobs';
import type { ActionExecutor, ExecutionResult } from '../../jobs/worker/action-executor';
import { listOnlineWorkers } from '../../jobs/queues/worker-heartbeat';
import { startWorker, type RunningWorker } from '../../jobs/worker/start-worker';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import type { Actor } from '../../src/domain/identity/actor';
import { grantClaimsFor, type ApprovalGrant } from '../../src/domain/remediation/signed-approval';
import {
  createKeyRing,
  signJobGrant,
  verifyOutcome,
  type KeyRing,
} from '../../src/infra/signing/job-signing';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';
import { actionQueueName, QUEUE_NAMES } from '../../jobs/queues/names';

const KEY = 'k'.repeat(40);
const ring = createKeyRing([{ id: 'default', secret: KEY }]);
const otherRing = createKeyRing([{ id: 'default', secret: 'x'.repeat(40) }]);
const alice: Actor = { platform: 'console', id: 'alice' };
const bob: Actor = { platform: 'console', id: 'bob' };
const redis = testRedis();
const logger = createLogger('silent');

/** An executor that records calls; `hold` makes calls wait until released. */
class FakeExecutor implements ActionExecutor {
  calls: Array<{ actionId: string; params: Record<string, unknown> }> = [];
  running = new Map<string, number>();
  maxConcurrentPerServer = 0;
  hold = false;
  /** The shell breaks (not a failed command: an exception). */
  crash = false;
  private waiting: Array<() => void> = [];
  async run(actionId: string, params: Record<string, unknown>): Promise<ExecutionResult> {
    this.calls.push({ actionId, params });
    const server = String(params.server);
    const n = (this.running.get(server) ?? 0) + 1;
    this.running.set(server, n);
    this.maxConcurrentPerServer = Math.max(this.maxConcurrentPerServer, n);
    try {
      if (this.crash) throw new Error('the shell went away');
      if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
      else await new Promise((r) => setTimeout(r, 100));
      return { ok: true, raw: `{"ran":"${actionId}"}`, parsed: { ran: actionId } };
    } finally {
      this.running.set(server, (this.running.get(server) ?? 1) - 1);
    }
  }
  release(): void {
    this.waiting.splice(0).forEach((r) => r());
  }
  async close(): Promise<void> {
    this.release();
  }
}

let prefix: string;
let producer: ActionProducer;
let results: Queue<ActionOutcome>;
let worker: RunningWorker | null;
let executor: FakeExecutor;

function config(env: Record<string, string> = {}) {
  return loadConfig({
    // The test Redis is a throw-away one (no persistence).
    REDIS_VOLATILE_OK: 'true',
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    JOB_SIGNING_KEY: KEY,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

function grant(over: Partial<ApprovalGrant> = {}): ApprovalGrant {
  return {
    approvalId: `appr-${randomUUID()}`,
    actionId: 'restart-service',
    params: { server: 'EX01', service: 'MSExchangePOP3BE' },
    incidentId: 'INC-1',
    requester: alice,
    approvers: [bob],
    approvedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    ...over,
  };
}

/** A grant signed for a job, as the producer would make it (or a forger with the key). */
async function grantFor(
  job: {
    jobId: string;
    actionId: string;
    params: Record<string, unknown>;
    incidentId?: string | null;
  },
  options: { approval?: ApprovalGrant | null; keys?: KeyRing; expiresAt?: Date } = {},
): Promise<string> {
  const claims = grantClaimsFor(
    {
      jobId: job.jobId,
      actionId: job.actionId,
      params: job.params,
      incidentId: job.incidentId ?? null,
      runId: null,
      stepId: null,
      requestedBy: alice,
    },
    options.approval ?? null,
  );
  if (!claims.ok) throw new Error(claims.reason);
  return signJobGrant(
    options.keys ?? ring,
    claims.claims,
    options.expiresAt ?? new Date(Date.now() + 60_000),
  );
}

async function outcome(jobId: string, timeoutMs = 15_000): Promise<ActionOutcome> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await results.getJob(`result-${jobId}`);
    if (job) return job.data;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no outcome for ${jobId}`);
}

beforeEach(async () => {
  prefix = testPrefix('worker');
  executor = new FakeExecutor();
  const keys = redisKeys(prefix);
  producer = createActionProducer({
    connection: redis,
    bullPrefix: keys.bullPrefix,
    inventory: null,
    signing: ring,
  });
  results = new Queue<ActionOutcome>(QUEUE_NAMES.actionResults, {
    connection: redis,
    prefix: keys.bullPrefix,
  });
  worker = await startWorker(config(), { executor, logger, inventory: null, lockRetryMs: 100 });
});

afterEach(async () => {
  await worker?.close();
  await producer.close();
  await results.close();
  await deletePrefix(redis, prefix);
});

afterAll(async () => {
  await redis.quit();
});

test('a read-only check runs without approval and reports its result', async () => {
  const r = await producer.enqueue({
    actionId: 'get-server-health',
    params: { server: 'EX01', healthSet: 'POP' },
    requestedBy: alice,
  });
  if (!r.ok) throw new Error(r.reason);
  expect(r.command).toBe("Get-ServerHealth -Identity 'EX01' -HealthSet 'POP'");
  const o = await outcome(r.jobId);
  expect(o).toMatchObject({
    status: 'succeeded',
    actionId: 'get-server-health',
    site: 'default',
    parsed: { ran: 'get-server-health' },
  });
  expect(executor.calls).toHaveLength(1);
});

test('the producer refuses a change without approval and bad parameters', async () => {
  expect(
    await producer.enqueue({
      actionId: 'restart-server',
      params: { server: 'EX01' },
      requestedBy: alice,
    }),
  ).toEqual({
    ok: false,
    reason: 'restart-server is a destructive action and needs an approval',
  });
  const bad = await producer.enqueue({
    actionId: 'get-server-health',
    params: { server: "EX01'; Restart-Computer" },
    requestedBy: alice,
  });
  expect(bad.ok).toBe(false);
});

test('an approved change runs once; the same approval in another job is refused as a replay', async () => {
  const signed = grant();
  const r = await producer.enqueue({
    actionId: 'restart-service',
    params: signed.params,
    incidentId: 'INC-1',
    requestedBy: alice,
    approval: signed,
  });
  if (!r.ok) throw new Error(r.reason);
  expect((await outcome(r.jobId)).status).toBe('succeeded');
  const replay = await producer.enqueue({
    actionId: 'restart-service',
    params: signed.params,
    incidentId: 'INC-1',
    requestedBy: alice,
    approval: signed,
    jobId: 'replayed-job',
  });
  if (!replay.ok) throw new Error(replay.reason);
  const o = await outcome('replayed-job');
  expect(o.status).toBe('refused');
  expect(o.reason).toMatch(/already used/);
  expect(executor.calls).toHaveLength(1);
});

describe('a job written straight into Redis without a valid approval is refused', () => {
  const params = { server: 'EX01', service: 'MSExchangePOP3BE' };
  const job = (jobId: string) => ({
    jobId,
    actionId: 'restart-service',
    params,
    incidentId: 'INC-1',
  });
  const cases: Array<[string, (jobId: string) => Promise<string | undefined>]> = [
    ['unsigned', async () => undefined],
    ['signed with another key', (id) => grantFor(job(id), { approval: grant(), keys: otherRing })],
    [
      'altered after signing',
      async (id) => {
        // The signature of one grant on the claims of another.
        const [h, , sig] = (await grantFor(job(id), { approval: grant() })).split('.');
        const other = (
          await grantFor(
            { ...job(id), params: { server: 'EX02', service: 'MSExchangePOP3BE' } },
            { approval: grant({ params: { server: 'EX02', service: 'MSExchangePOP3BE' } }) },
          )
        ).split('.')[1];
        return `${h}.${other}.${sig}`;
      },
    ],
    [
      'for other parameters',
      (id) =>
        grantFor(
          { ...job(id), params: { server: 'EX02', service: 'MSExchangePOP3BE' } },
          { approval: grant({ params: { server: 'EX02', service: 'MSExchangePOP3BE' } }) },
        ),
    ],
    ['for another job', () => grantFor(job('another-job'), { approval: grant() })],
    ['without an approval', (id) => grantFor(job(id))],
    [
      'expired',
      (id) =>
        grantFor(job(id), {
          approval: grant({ expiresAt: new Date(Date.now() - 1000).toISOString() }),
          expiresAt: new Date(Date.now() - 1000),
        }),
    ],
  ];
  test.each(cases)('%s', async (_name, makeGrant) => {
    const q = producer.queueFor('default');
    const jobId = `forged-${randomUUID()}`;
    const token = await makeGrant(jobId);
    await q.add(
      'restart-service',
      {
        actionId: 'restart-service',
        params,
        incidentId: 'INC-1',
        runId: null,
        stepId: null,
        requestedBy: alice,
        ...(token === undefined ? {} : { grant: token }),
        enqueuedAt: new Date().toISOString(),
      },
      { jobId, attempts: 1 },
    );
    const o = await outcome(jobId);
    expect(o.status).toBe('refused');
    expect(executor.calls).toHaveLength(0);
  });
});

describe('a read job written straight into Redis without a valid grant is refused, not run', () => {
  const params = { server: 'EX01', healthSet: 'POP' };
  const read = (jobId: string) => ({ jobId, actionId: 'get-server-health', params });
  const cases: Array<[string, (jobId: string) => Promise<unknown>]> = [
    ['as the bot queued reads before (no grant at all)', async () => undefined],
    ['signed with another key', (id) => grantFor(read(id), { keys: otherRing })],
    ['for another job', () => grantFor(read('check-another'))],
    [
      'for another check',
      (id) => grantFor({ ...read(id), actionId: 'get-mailbox-database-copy-status' }),
    ],
    ['not a JWS', async () => 'a'.repeat(64)],
  ];
  test.each(cases)('%s', async (_name, makeGrant) => {
    const jobId = `forged-read-${randomUUID()}`;
    const token = await makeGrant(jobId);
    await producer.queueFor('default').add(
      'get-server-health',
      {
        actionId: 'get-server-health',
        params,
        incidentId: null,
        runId: null,
        stepId: null,
        requestedBy: alice,
        // Without a grant: the job exactly as a read was queued before grants (it ran then).
        ...(token === undefined ? { approval: null } : { grant: token as string }),
        enqueuedAt: new Date().toISOString(),
      } as never,
      { jobId, attempts: 1 },
    );
    const o = await outcome(jobId);
    expect(o.status).toBe('refused');
    expect(executor.calls).toHaveLength(0);
    // The refusal is signed, but says the job had no valid grant: it may move nothing.
    expect(await verifyOutcome(ring, o, new Date())).toMatchObject({ ok: true, granted: false });
  });
});

test('every result is signed by the worker and bound to its job', async () => {
  const r = await producer.enqueue({
    actionId: 'get-server-health',
    params: { server: 'EX01', healthSet: 'POP' },
    requestedBy: alice,
  });
  if (!r.ok) throw new Error(r.reason);
  const o = await outcome(r.jobId);
  expect(await verifyOutcome(ring, o, new Date())).toEqual({
    ok: true,
    granted: true,
    kid: 'default',
  });
  expect(await verifyOutcome(ring, { ...o, status: 'failed' }, new Date())).toMatchObject({
    ok: false,
  });
  expect(await verifyOutcome(ring, { ...o, jobId: 'approval-APR-1' }, new Date())).toMatchObject({
    ok: false,
  });
  expect(await verifyOutcome(ring, { ...o, raw: 'other output' }, new Date())).toMatchObject({
    ok: false,
  });
});

test('a job that is not even well-formed is refused, not run', async () => {
  const jobId = `junk-${randomUUID()}`;
  await producer
    .queueFor('default')
    .add('restart-server', { actionId: 'restart-server', params: { server: 'EX01' } } as never, {
      jobId,
    });
  expect((await outcome(jobId)).reason).toMatch(/malformed job/);
  expect(executor.calls).toHaveLength(0);
});

test('two destructive jobs for one server never overlap', async () => {
  const a = grant({ actionId: 'restart-server', params: { server: 'EX01' } });
  const b = grant({ actionId: 'move-preferred-databases-back', params: { server: 'EX01' } });
  const ra = await producer.enqueue({
    actionId: 'restart-server',
    params: { server: 'EX01' },
    incidentId: 'INC-1',
    requestedBy: alice,
    approval: a,
  });
  const rb = await producer.enqueue({
    actionId: 'move-preferred-databases-back',
    params: { server: 'EX01' },
    incidentId: 'INC-1',
    requestedBy: alice,
    approval: b,
  });
  if (!ra.ok || !rb.ok) throw new Error('enqueue');
  expect((await outcome(ra.jobId)).status).toBe('succeeded');
  expect((await outcome(rb.jobId)).status).toBe('succeeded');
  expect(executor.calls).toHaveLength(2);
  expect(executor.maxConcurrentPerServer).toBe(1);
});

test('a worker killed in the middle of a change leaves its outcome unknown and the change is not run again', async () => {
  await worker?.close();
  executor.hold = true;
  const fast = { lockDurationMs: 1000, stalledIntervalMs: 500, lockRetryMs: 100 };
  const dying = await startWorker(config(), { executor, logger, inventory: null, ...fast });
  const signed = grant({ actionId: 'restart-server', params: { server: 'EX01' } });
  const r = await producer.enqueue({
    actionId: 'restart-server',
    params: { server: 'EX01' },
    incidentId: 'INC-1',
    requestedBy: alice,
    approval: signed,
  });
  if (!r.ok) throw new Error(r.reason);
  while (executor.calls.length === 0) await new Promise((res) => setTimeout(res, 20));
  await dying.kill();

  // A fresh worker finds the stalled job; the server lock of the dead one lapses first.
  const fresh = new FakeExecutor();
  worker = await startWorker(config(), { executor: fresh, logger, inventory: null, ...fast });
  // The dead worker's server lock (60 s) has to lapse first.
  const o = await outcome(r.jobId, 90_000);
  expect(o.status).toBe('unknown');
  expect(o.reason).toMatch(/verify/);
  expect(fresh.calls).toHaveLength(0);
  executor.release();
}, 120_000);

test('a change whose shell breaks mid-run is reported unknown, not left running', async () => {
  executor.crash = true;
  const r = await producer.enqueue({
    actionId: 'restart-server',
    params: { server: 'EX01' },
    incidentId: 'INC-1',
    requestedBy: alice,
    approval: grant({ actionId: 'restart-server', params: { server: 'EX01' } }),
  });
  if (!r.ok) throw new Error(r.reason);
  const o = await outcome(r.jobId);
  expect(o.status).toBe('unknown');
  expect(o.reason).toMatch(/shell failed .*the shell went away.*verify/);
  expect(await redis.hlen(redisKeys(prefix).inflightChanges)).toBe(0);
});

test('the heartbeat says which sites have a worker online', async () => {
  const keys = redisKeys(prefix);
  const online = await listOnlineWorkers(redis, keys);
  expect(online).toEqual([
    expect.objectContaining({ workerId: worker?.workerId, sites: ['default'] }),
  ]);
  await worker?.close();
  worker = null;
  expect(await listOnlineWorkers(redis, keys)).toEqual([]);
});

test("with an inventory, jobs go to the server's site and unlisted servers are refused", async () => {
  const inventory = {
    sites: ['berlin', 'paris'],
    servers: [
      { name: 'EX01', fqdn: 'ex01.contoso.com', site: 'berlin', roles: ['mailbox' as const] },
      { name: 'EX02', fqdn: null, site: 'paris', roles: ['mailbox' as const] },
    ],
  };
  const keys = redisKeys(prefix);
  const p = createActionProducer({
    connection: redis,
    bullPrefix: keys.bullPrefix,
    inventory,
    signing: ring,
  });
  try {
    expect(
      await p.enqueue({
        actionId: 'get-server-health',
        params: { server: 'EX09' },
        requestedBy: alice,
      }),
    ).toEqual({
      ok: false,
      reason: 'server EX09 is not in the inventory',
    });
    const r = await p.enqueue({
      actionId: 'get-server-health',
      params: { server: 'ex01.contoso.com' },
      requestedBy: alice,
    });
    expect(r).toMatchObject({ ok: true, site: 'berlin' });
    expect(await p.queueFor('berlin').getJobCounts('waiting')).toEqual({ waiting: 1 });

    // A job smuggled into the wrong site's queue is refused by that site's worker.
    await worker?.close();
    worker = await startWorker(config({ WORKER_SITES: 'paris' }), { executor, logger, inventory });
    const jobId = `wrong-site-${randomUUID()}`;
    const token = await grantFor({
      jobId,
      actionId: 'get-server-health',
      params: { server: 'EX01' },
    });
    await p.queueFor('paris').add(
      'get-server-health',
      {
        actionId: 'get-server-health',
        params: { server: 'EX01' },
        incidentId: null,
        runId: null,
        stepId: null,
        requestedBy: alice,
        grant: token,
        enqueuedAt: new Date().toISOString(),
      },
      { jobId },
    );
    expect((await outcome(jobId)).reason).toBe('server EX01 belongs to site berlin, not paris');
    expect(actionQueueName('paris')).toBe('actions-paris');
  } finally {
    await p.close();
  }
});
