import { Worker } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createActionProducer, type ActionOutcome } from '../jobs/queues/action-jobs';
import { createKeyRing } from '../src/infra/signing/job-signing';
import { createSignedJobSink } from '../jobs/remediation/approved-job-sink';
import { PowerShellPool } from '../jobs/powershell';
import { createSimulatedOrg, simulatorEnv } from '../jobs/simulated-exchange';
import { createPoolExecutor } from '../jobs/worker/pool-executor';
import { startWorker } from '../jobs/worker/start-worker';
import type { ApprovalRequest } from '../src/domain/approvals/approval-request';
import { loadConfig } from '../src/infra/config/load-config';
import { createLogger } from '../src/infra/logger';
import { createRedis, type RedisClient } from '../src/infra/redis/redis';
import { redisKeys } from '../src/infra/redis/redis-keys';
import { summarize, type LatencySummary } from './lib/stats';
import { QUEUE_NAMES } from '../jobs/queues/names';

/**
 * (c) The worker on the simulated Exchange: the real BullMQ worker, the node-powershell pool and
 * the fake Exchange shell (jobs/simulated-exchange). Measures read-job throughput for a burst, the
 * enqueue-to-start latency of single jobs on an idle worker, and approval-to-job-start: a signed
 * approval handed to the job sink until the worker starts the change.
 */
export interface WorkerBenchOptions {
  redis: RedisClient;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  burstJobs: number;
  singleJobs: number;
  approvals: number;
}

export interface WorkerBenchResult {
  concurrency: number;
  burst: {
    jobs: number;
    seconds: number;
    jobsPerSecond: number;
    enqueueToStartMs: LatencySummary;
    failed: number;
  };
  idle: { enqueueToStartMs: LatencySummary; enqueueToFinishMs: LatencySummary };
  approvals: {
    approvalToStartMs: LatencySummary;
    approvalToFinishMs: LatencySummary;
    failed: number;
  };
}

const KEY = 'b'.repeat(48);
const SERVERS = ['EX01', 'EX02', 'EX03', 'EX04'];
const bot = { platform: 'console' as const, id: 'bench' };
const approver = { platform: 'console' as const, id: 'bench-approver' };

export async function benchWorker(o: WorkerBenchOptions): Promise<WorkerBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'exbench-'));
  const stateFile = path.join(dir, 'org.json');
  await createSimulatedOrg(stateFile, { timing: { rebootMs: 200, serviceRestartMs: 10 } });
  const { NODE_POWERSHELL, ...env } = simulatorEnv(stateFile, true);
  const previousShell = process.env.NODE_POWERSHELL;
  // node-powershell takes its executable from the environment of the process that spawns it.
  process.env.NODE_POWERSHELL = NODE_POWERSHELL;
  const pool = new PowerShellPool({
    endpoint: { connectionUri: 'http://ex01.contoso.com/PowerShell/' },
    size: o.concurrency,
    timeoutMs: 30_000,
    env,
  });
  await pool.start();
  const bullPrefix = redisKeys(o.prefix).bullPrefix;
  const worker = await startWorker(
    loadConfig({
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: o.redisUrl,
      REDIS_PREFIX: o.prefix,
      JOB_SIGNING_KEY: KEY,
      WORKER_CONCURRENCY: String(o.concurrency),
    }),
    { executor: createPoolExecutor(pool), logger: createLogger('silent'), inventory: null },
  );
  const producer = createActionProducer({
    connection: o.redis,
    bullPrefix,
    inventory: null,
    signing: createKeyRing([{ id: 'default', secret: KEY }]),
  });

  // The results consumer, as the bot has one: every outcome, by job id.
  const outcomes = new Map<string, ActionOutcome>();
  const waiters = new Map<string, (o: ActionOutcome) => void>();
  const consumerConnection = createRedis(o.redisUrl, {
    forBlockingClient: true,
    connectionName: 'bench-results',
  });
  const consumer = new Worker<ActionOutcome>(
    QUEUE_NAMES.actionResults,
    async (job) => {
      outcomes.set(job.data.jobId, job.data);
      waiters.get(job.data.jobId)?.(job.data);
    },
    {
      connection: consumerConnection,
      prefix: bullPrefix,
      concurrency: 50,
    },
  );
  const outcomeOf = (jobId: string): Promise<ActionOutcome> => {
    const done = outcomes.get(jobId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => waiters.set(jobId, resolve));
  };
  const probe = (i: number) => ({
    actionId: 'invoke-monitoring-probe',
    params: {
      server: SERVERS[i % SERVERS.length],
      healthSet: 'POP.Protocol',
      probe: 'PopDeepTestProbe',
    },
    requestedBy: bot,
  });
  const enqueueRead = async (i: number): Promise<{ jobId: string; at: number }> => {
    const at = Date.now();
    const r = await producer.enqueue(probe(i));
    if (!r.ok) throw new Error(r.reason);
    return { jobId: r.jobId, at };
  };

  try {
    // Warm-up: every shell has run a command.
    await Promise.all(
      Array.from({ length: o.concurrency * 2 }, (_, i) =>
        enqueueRead(i).then((j) => outcomeOf(j.jobId)),
      ),
    );

    // A burst: N read jobs at once.
    const t0 = Date.now();
    const burst = await Promise.all(Array.from({ length: o.burstJobs }, (_, i) => enqueueRead(i)));
    const burstOutcomes = await Promise.all(burst.map((j) => outcomeOf(j.jobId)));
    const lastFinish = Math.max(...burstOutcomes.map((x) => Date.parse(x.finishedAt)));
    const burstSeconds = (lastFinish - t0) / 1000;

    // One job at a time on an idle worker.
    const idleStart: number[] = [];
    const idleFinish: number[] = [];
    for (let i = 0; i < o.singleJobs; i++) {
      const j = await enqueueRead(i);
      const out = await outcomeOf(j.jobId);
      idleStart.push(Date.parse(out.startedAt) - j.at);
      idleFinish.push(Date.parse(out.finishedAt) - j.at);
    }

    // Approved changes: from the signed hand-off to the worker starting it.
    const sink = createSignedJobSink(producer);
    const approvalStart: number[] = [];
    const approvalFinish: number[] = [];
    let approvalFailed = 0;
    for (let i = 0; i < o.approvals; i++) {
      const now = new Date();
      const id = `APR-bench-${i}-${now.getTime()}`;
      const server = SERVERS[i % SERVERS.length] as string;
      const request: ApprovalRequest = {
        id,
        version: 2,
        state: 'approved',
        incidentId: null,
        actionId: 'restart-service',
        title: `Restart MSExchangePOP3BE on ${server}`,
        risk: 'change',
        params: { server, service: 'MSExchangePOP3BE' },
        command: '',
        server,
        site: 'default',
        requester: bot,
        requestedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 600_000).toISOString(),
        note: null,
        autoApproved: false,
        approvedBy: approver,
        approvedAt: now.toISOString(),
        breakGlass: null,
        rejectedBy: null,
        rejectReason: null,
        execution: null,
        history: [],
      };
      const at = Date.now();
      await sink.enqueue(request);
      const out = await outcomeOf(`approval-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`);
      if (out.status !== 'succeeded') approvalFailed += 1;
      approvalStart.push(Date.parse(out.startedAt) - at);
      approvalFinish.push(Date.parse(out.finishedAt) - at);
    }

    return {
      concurrency: o.concurrency,
      burst: {
        jobs: o.burstJobs,
        seconds: Math.round(burstSeconds * 100) / 100,
        jobsPerSecond: Math.round((o.burstJobs / burstSeconds) * 10) / 10,
        enqueueToStartMs: summarize(
          burstOutcomes.map((x, i) => Date.parse(x.startedAt) - (burst[i]?.at ?? 0)),
        ),
        failed: burstOutcomes.filter((x) => x.status !== 'succeeded').length,
      },
      idle: { enqueueToStartMs: summarize(idleStart), enqueueToFinishMs: summarize(idleFinish) },
      approvals: {
        approvalToStartMs: summarize(approvalStart),
        approvalToFinishMs: summarize(approvalFinish),
        failed: approvalFailed,
      },
    };
  } finally {
    await consumer.close();
    consumerConnection.disconnect();
    await producer.close();
    await worker.close();
    if (previousShell === undefined) delete process.env.NODE_POWERSHELL;
    else process.env.NODE_POWERSHELL = previousShell;
    rmSync(dir, { recursive: true, force: true });
  }
}
