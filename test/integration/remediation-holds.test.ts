import { Worker } from 'bullmq';
import { createActionProducer, type ActionProducer } from '../../jobs/queues/action-jobs';
import { QUEUE_NAMES } from '../../jobs/queues/names';
import { createSignedJobSink } from '../../jobs/remediation/approved-job-sink';
import { gatedProducer, slotOf, type GatedRequest } from '../../jobs/remediation/gated-producer';
import { handleSignedResult } from '../../jobs/remediation/remediation-queues';
import type { ActionExecutor } from '../../jobs/worker/action-executor';
import { startWorker, type RunningWorker } from '../../jobs/worker/start-worker';
import { createAdmission, type Admission } from '../../src/app/remediation/admission';
import type { AuditEvent } from '../../src/domain/audit/audit-entry';
import type { ApprovalRequest } from '../../src/domain/approvals/approval-request';
import { parseInventory, type Inventory } from '../../src/domain/inventory/inventory';
import type { Outage, OutageState } from '../../src/domain/outages/outage';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { createRedis, type RedisClient } from '../../src/infra/redis/redis';
import { redisAdmissionStore } from '../../src/infra/redis/redis-admission-store';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { redisOutageStore } from '../../src/infra/redis/redis-outage-store';
import { createKeyRing, type SignedOutcome } from '../../src/infra/signing/job-signing';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';

/**
 * The remediation gate with the real pieces around it: two bot "replicas" (each its own Redis
 * connection, gate and producer) over the real action queues, the real worker (its executor
 * waits until the test lets a job finish), and the real result path (signed results through
 * `handleSignedResult`, which frees the job's slot).
 */
const KEY = 'h'.repeat(40);
const redis = testRedis();
const prefix = testPrefix('holds');
const keys = redisKeys(prefix);
const signing = createKeyRing([{ id: 'default', secret: KEY }]);
const logger = createLogger('silent');

const parsed = parseInventory({
  sites: {
    'site-a': {
      servers: [
        { name: 'EX01', dag: 'dag01' },
        { name: 'EX02', dag: 'dag01' },
        { name: 'EX03' },
        { name: 'EX04' },
        { name: 'EX05' },
      ],
    },
  },
});
if (!parsed.ok) throw new Error(parsed.errors.join('; '));
const inventory: Inventory = parsed.inventory;

/** Jobs the worker started, by server; each waits until the test finishes it. */
const started: string[] = [];
const finishers = new Map<string, () => void>();
const executor: ActionExecutor = {
  run: (actionId, params) =>
    new Promise((resolve) => {
      const server = String(params.server);
      started.push(`${actionId}@${server}`);
      finishers.set(`${actionId}@${server}`, () => resolve({ ok: true, raw: '{}' }));
    }),
  close: async () => undefined,
};
const finish = (job: string) => {
  const f = finishers.get(job);
  if (!f) throw new Error(`${job} is not running`);
  finishers.delete(job);
  f();
};

interface Replica {
  connection: RedisClient;
  producer: ActionProducer;
  gate: Admission<GatedRequest>;
  close(): Promise<void>;
}
const audit: AuditEvent[] = [];
/** Incidents the test says resolved: their waiting steps are no longer wanted. */
const resolvedIncidents = new Set<string>();
const dropped: string[] = [];
const replicas: Replica[] = [];
let worker: RunningWorker;
let results: Worker<SignedOutcome>;

function replica(settings: { changesPerSite: number; checksPerSite: number }): Replica {
  const connection = createRedis(redisUrl(), { connectionName: 'jest-replica' });
  const queued = createActionProducer({
    connection,
    bullPrefix: keys.bullPrefix,
    inventory,
    signing,
  });
  const outages = redisOutageStore(connection, keys);
  let gate: Admission<GatedRequest> | null = null;
  const producer = gatedProducer(queued, inventory, () => gate!);
  gate = createAdmission<GatedRequest>({
    store: redisAdmissionStore(connection, keys),
    outages: {
      openFor: async (site) =>
        (await outages.read(site)).state.outages.filter((o) => o.status === 'open'),
    },
    settings,
    catalog: { dependencies: [] },
    describe: (req) => slotOf(inventory, req),
    stillWanted: async (req) => !resolvedIncidents.has(req.incidentId ?? ''),
    onDropped: async (req) => {
      dropped.push(req.jobId);
    },
    start: async (req) => {
      const r = await queued.enqueue(req);
      return r.ok ? { ok: true } : r;
    },
    audit: {
      append: async (e: AuditEvent) => {
        audit.push(e);
        return null;
      },
    },
  });
  const r: Replica = {
    connection,
    producer,
    gate,
    async close() {
      await queued.close();
      await connection.quit();
    },
  };
  replicas.push(r);
  return r;
}

function approval(id: string, server: string, incidentId: string): ApprovalRequest {
  const now = Date.now();
  return {
    id,
    version: 2,
    state: 'approved',
    incidentId,
    actionId: 'restart-service',
    title: 'Restart',
    risk: 'change',
    params: { server, service: 'MSExchangePOP3BE' },
    command: '…',
    server,
    site: 'site-a',
    requester: { platform: 'slack', id: 'U1' },
    requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 900_000).toISOString(),
    note: null,
    autoApproved: false,
    approvedBy: { platform: 'slack', id: 'U2' },
    approvedAt: new Date(now).toISOString(),
    breakGlass: null,
    rejectedBy: null,
    rejectReason: null,
    execution: null,
    history: [],
  } as unknown as ApprovalRequest;
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined) {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}; started: ${started.join(', ')}`);
}

const outageOf = (incidentIds: string[], id = 'outage-site-a-active-directory-t1'): Outage => ({
  id,
  site: 'site-a',
  key: { kind: 'dependency', id: 'active-directory' },
  status: 'open',
  openedAt: new Date().toISOString(),
  changedAt: new Date().toISOString(),
  resolvedAt: null,
  reopened: 0,
  members: incidentIds.map((incidentId, i) => ({
    incidentId,
    server: `EX0${i + 1}`,
    site: 'site-a',
    healthSet: 'POP.Protocol',
    monitor: null,
    dag: null,
    dependencies: ['active-directory'],
    firstSeen: new Date().toISOString(),
    lastSeen: new Date().toISOString(),
    joinedAt: new Date().toISOString(),
    status: 'open',
    resolvedAt: null,
    hadOwnCard: false,
  })),
});

async function setOutage(outage: Outage | null) {
  const store = redisOutageStore(redis, keys);
  const { version } = await store.read('site-a');
  const state: OutageState = { version: 1, recent: [], outages: outage ? [outage] : [] };
  if (!(await store.write('site-a', state, version))) throw new Error('outage state raced');
}

beforeAll(async () => {
  worker = await startWorker(
    loadConfig({
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      JOB_SIGNING_KEY: KEY,
      WORKER_CONCURRENCY: '8',
    }),
    { executor, logger, inventory },
  );
  // The bot's result consumer, as startRemediationConsumers runs it: every result frees its slot.
  const gateOf = () => replicas[0]!.gate;
  results = new Worker<SignedOutcome>(
    QUEUE_NAMES.actionResults,
    async (job) => {
      await handleSignedResult(job.data, {
        admission: { finished: (j) => gateOf().finished(j) },
        remediation: {
          start: async () => null,
          stop: async () => undefined,
          handleOutcome: async () => undefined,
          handleTimer: async () => undefined,
        },
        flow: { recordExecution: async () => ({ ok: true }) } as never,
        audit: { append: async () => undefined } as never,
        logger,
        handlers: () => [],
        signing,
      });
    },
    {
      connection: createRedis(redisUrl(), { forBlockingClient: true, connectionName: 'jest-res' }),
      prefix: keys.bullPrefix,
    },
  );
});

afterEach(async () => {
  for (const job of [...finishers.keys()]) finish(job);
  await until('the site to be idle', async () => {
    const { state } = await redisAdmissionStore(redis, keys).read('site-a');
    return state.running.length === 0 && state.waiting.length === 0;
  });
  started.length = 0;
  await setOutage(null);
});

afterAll(async () => {
  await results?.close();
  await worker?.close();
  for (const r of replicas) await r.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

test('two replicas asking for the last change slot of a site at once: one starts, the other is held and starts when the slot frees', async () => {
  const a = replica({ changesPerSite: 1, checksPerSite: 4 });
  const b = replica({ changesPerSite: 1, checksPerSite: 4 });
  await Promise.all([
    createSignedJobSink(a.producer).enqueue(approval('APR-1', 'EX03', 'INC-1')),
    createSignedJobSink(b.producer).enqueue(approval('APR-2', 'EX04', 'INC-2')),
  ]);
  await until('one change to start', () => started.length === 1);
  const { state } = await redisAdmissionStore(redis, keys).read('site-a');
  expect(state.running).toHaveLength(1);
  expect(state.waiting).toHaveLength(1);
  const held = state.waiting[0]!;
  expect(held.kinds).toEqual(['site-changes']);
  const first = started[0]!;
  // The held one names what holds it back: the change that runs.
  expect(held.hold?.en).toBe(
    `Held: site-a already runs 1 change at once (the limit): Restart an Exchange service on ${first.split('@')[1]}.`,
  );
  expect(audit.some((e) => e.action === 'step.held' && e.params.jobId === held.jobId)).toBe(true);
  // Nothing more starts while the slot is taken: run the gate's timer ourselves (no fixed wait).
  await a.gate.tick();
  expect(started).toHaveLength(1);

  finish(first);
  const second = await until('the held change to start by itself', () => started[1]);
  expect(second).not.toBe(first);
  expect(started).toHaveLength(2);
});

test('read-only checks beyond K per site wait during an outage, then run', async () => {
  const a = replica({ changesPerSite: 2, checksPerSite: 2 });
  await setOutage(outageOf(['INC-9']));
  const answers = await Promise.all(
    ['EX01', 'EX02', 'EX03'].map((server, i) =>
      a.producer.enqueue({
        actionId: 'get-server-health',
        params: { server },
        requestedBy: { platform: 'system', id: 'bot' },
        jobId: `check-k-${i}`,
      }),
    ),
  );
  // Every check is accepted (queued or waiting), none refused.
  expect(answers.every((r) => r.ok)).toBe(true);
  await until('two checks to run', () => started.length === 2);
  const { state } = await redisAdmissionStore(redis, keys).read('site-a');
  expect(state.waiting.map((w) => w.kinds)).toEqual([['site-checks']]);
  expect(state.waiting[0]!.hold?.['zh-TW']).toBeTruthy();
  await a.gate.tick();
  expect(started).toHaveLength(2);

  finish(started[0]!);
  await until('the third check to run', () => started.length === 3);
});

test('an outage member’s change is held until a person releases it with a reason (audited)', async () => {
  const a = replica({ changesPerSite: 2, checksPerSite: 4 });
  await setOutage(outageOf(['INC-M1']));
  await createSignedJobSink(a.producer).enqueue(approval('APR-M1', 'EX05', 'INC-M1'));
  const held = await until('the change to be held', async () => {
    const { state } = await redisAdmissionStore(redis, keys).read('site-a');
    return state.waiting[0];
  });
  expect(held.kinds).toEqual(['outage-member']);
  expect(started).toHaveLength(0);
  // Another incident's change in the same site is not an outage member: it runs.
  await createSignedJobSink(a.producer).enqueue(approval('APR-X', 'EX04', 'INC-X'));
  await until('the non-member change to run', () => started.includes('restart-service@EX04'));
  expect(started).not.toContain('restart-service@EX05');

  const r = await a.gate.release({
    outageId: 'outage-site-a-active-directory-t1',
    site: 'site-a',
    by: { platform: 'slack', id: 'U9', displayName: 'Dana' },
    reason: 'AD is back: dcdiag clean',
  });
  expect(r).toEqual({ ok: true, started: 1 });
  await until('the released change to run', () => started.includes('restart-service@EX05'));
  expect(audit).toContainEqual(
    expect.objectContaining({
      action: 'outage.holds-released',
      actor: { platform: 'slack', id: 'U9', displayName: 'Dana' },
      result: 'AD is back: dcdiag clean',
    }),
  );
  expect(audit.some((e) => e.action === 'step.admitted')).toBe(true);
});

test('a held change whose incident resolved is dropped when its hold ends, not started late', async () => {
  const a = replica({ changesPerSite: 2, checksPerSite: 4 });
  // A release of an outage that ended (the test before) is forgotten: this one holds again.
  await a.gate.tick();
  await setOutage(outageOf(['INC-R1']));
  await createSignedJobSink(a.producer).enqueue(approval('APR-R1', 'EX03', 'INC-R1'));
  await until('the change to be held', async () => {
    const { state } = await redisAdmissionStore(redis, keys).read('site-a');
    return state.waiting.length === 1;
  });
  resolvedIncidents.add('INC-R1');
  await setOutage(null);
  await a.gate.tick();
  expect(dropped).toEqual(['approval-APR-R1']);
  const { state } = await redisAdmissionStore(redis, keys).read('site-a');
  expect(state.waiting).toEqual([]);
  await a.gate.tick();
  expect(started).not.toContain('restart-service@EX03');
});

test('a delayed check takes its slot when it is due, and is queued then without the delay', async () => {
  const a = replica({ changesPerSite: 2, checksPerSite: 4 });
  const r = await a.producer.enqueue({
    actionId: 'get-server-health',
    params: { server: 'EX04' },
    requestedBy: { platform: 'system', id: 'bot' },
    jobId: 'check-delayed-1',
    delayMs: 200,
  });
  expect(r.ok).toBe(true);
  const { state } = await redisAdmissionStore(redis, keys).read('site-a');
  expect(state.running).toEqual([]);
  expect(state.waiting[0]?.notBefore).toBeTruthy();
  // Every replica's timer (here called by hand) starts it once it is due.
  await until('the delayed check to run', async () => {
    await a.gate.tick();
    return started.includes('get-server-health@EX04');
  });
  const job = await a.producer.queueFor('site-a').getJob('check-delayed-1');
  expect(job?.opts.delay ?? 0).toBe(0);
});

test('forty checks asked for at once in one replica: each change of the site’s gate lands the first time (no race within a process)', async () => {
  const store = redisAdmissionStore(redis, {
    ...keys,
    admission: (site) => `${keys.admission(site)}:burst`,
  });
  let lost = 0;
  const gate = createAdmission<GatedRequest>({
    store: {
      ...store,
      async write(site, state, version) {
        const ok = await store.write(site, state, version);
        if (!ok) lost += 1;
        return ok;
      },
    },
    settings: { changesPerSite: 2, checksPerSite: 4 },
    catalog: { dependencies: [] },
    describe: (req) => slotOf(inventory, req),
    start: async () => ({ ok: true }),
  });
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      gate.request({
        actionId: 'get-server-health',
        params: { server: ['EX01', 'EX02', 'EX03', 'EX04'][i % 4]! },
        requestedBy: { platform: 'system', id: 'bot' },
        jobId: `burst-${i}`,
      }),
    ),
  );
  expect(answers.every((r) => r.ok)).toBe(true);
  expect(lost).toBe(0);
  const { state } = await store.read('site-a');
  expect(state.running).toHaveLength(40);
});

test('a change that waited its turn in the gate is decided on the outages open when its turn came, not when it asked', async () => {
  const store = redisAdmissionStore(redis, {
    ...keys,
    admission: (site) => `${keys.admission(site)}:turn`,
  });
  let letWrite!: () => void;
  const firstWrite = new Promise<void>((resolve) => (letWrite = resolve));
  let writes = 0;
  let open: Outage[] = [];
  const gate = createAdmission<GatedRequest>({
    store: {
      ...store,
      async write(site, state, version) {
        writes += 1;
        if (writes === 1) await firstWrite;
        return store.write(site, state, version);
      },
    },
    outages: { openFor: async () => open },
    settings: { changesPerSite: 2, checksPerSite: 4 },
    catalog: { dependencies: [] },
    describe: (req) => slotOf(inventory, req),
    start: async () => ({ ok: true }),
  });
  const ask = (jobId: string, server: string, incidentId: string) =>
    gate.request({
      actionId: 'restart-service',
      params: { server, service: 'MSExchangePOP3BE' },
      requestedBy: { platform: 'slack', id: 'U1' },
      jobId,
      incidentId,
    });
  // The first holds the site's turn (its write waits); the second queues behind it.
  const first = ask('turn-1', 'EX01', 'INC-T1');
  await until('the first write', () => writes === 1 || undefined);
  const second = ask('turn-2', 'EX02', 'INC-T2');
  // Meanwhile an outage opens with the second's incident among its members.
  open = [outageOf(['INC-T9', 'INC-T2'])];
  letWrite();
  expect(await first).toMatchObject({ ok: true, state: 'started' });
  expect(await second).toMatchObject({ ok: true, state: 'held' });
  const { state } = await store.read('site-a');
  expect(state.waiting.map((w) => w.kinds)).toEqual([['outage-member']]);
});
