import { Queue } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createActionProducer, type ActionOutcome } from '../../jobs/queues/action-jobs';
import { PowerShellPool } from '../../jobs/powershell';
import { createSimulatedOrg, setScenario, simulatorEnv } from '../../jobs/simulated-exchange';
import { createPoolExecutor } from '../../jobs/worker/pool-executor';
import { startWorker, type RunningWorker } from '../../jobs/worker/start-worker';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { createKeyRing } from '../../src/infra/signing/job-signing';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';
import { QUEUE_NAMES } from '../../jobs/queues/names';

/**
 * The whole path a fix takes: a job on the site's queue, the worker, real node-powershell, and the
 * simulated Exchange shell executing the exact command text we generated.
 */
const KEY = 'w'.repeat(40);
const redis = testRedis();
const prefix = testPrefix('wps');
const alice = { platform: 'console' as const, id: 'alice' };
const bob = { platform: 'console' as const, id: 'bob' };
let dir: string;
let worker: RunningWorker;
let results: Queue<ActionOutcome>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'exsim-'));
  const stateFile = path.join(dir, 'org.json');
  await createSimulatedOrg(stateFile, { timing: { rebootMs: 200, serviceRestartMs: 10 } });
  setScenario(stateFile, 'pop-backend-hung');
  const { NODE_POWERSHELL, ...env } = simulatorEnv(stateFile, true);
  process.env.NODE_POWERSHELL = NODE_POWERSHELL;
  const pool = new PowerShellPool({
    endpoint: { connectionUri: 'http://ex01.contoso.com/PowerShell/' },
    size: 2,
    timeoutMs: 10_000,
    env,
  });
  worker = await startWorker(
    loadConfig({
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      JOB_SIGNING_KEY: KEY,
    }),
    {
      executor: createPoolExecutor(pool),
      logger: createLogger('silent'),
      inventory: null,
    },
  );
  results = new Queue<ActionOutcome>(QUEUE_NAMES.actionResults, {
    connection: redis,
    prefix: redisKeys(prefix).bullPrefix,
  });
});

afterAll(async () => {
  await worker.close();
  await results.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

async function outcome(jobId: string): Promise<ActionOutcome> {
  for (let i = 0; i < 400; i++) {
    const job = await results.getJob(`result-${jobId}`);
    if (job) return job.data;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no outcome for ${jobId}`);
}

test('probe fails, an approved backend restart fixes it, the probe then succeeds', async () => {
  const producer = createActionProducer({
    connection: redis,
    bullPrefix: redisKeys(prefix).bullPrefix,
    inventory: null,
    signing: createKeyRing([{ id: 'default', secret: KEY }]),
  });
  try {
    const probe = { server: 'EX01', healthSet: 'POP.Protocol', probe: 'PopDeepTestProbe' };
    const first = await producer.enqueue({
      actionId: 'invoke-monitoring-probe',
      params: probe,
      requestedBy: alice,
    });
    if (!first.ok) throw new Error(first.reason);
    const before = await outcome(first.jobId);
    expect(before.status).toBe('succeeded');
    expect(before.command).toBe(
      "Invoke-MonitoringProbe -Identity 'POP.Protocol\\PopDeepTestProbe' -Server 'EX01'",
    );
    expect(JSON.stringify(before.parsed)).toMatch(/Failed/);

    const params = { server: 'EX01', service: 'MSExchangePOP3BE' };
    const signed = {
      approvalId: 'APR-1',
      actionId: 'restart-service',
      params,
      incidentId: 'INC-1',
      requester: alice,
      approvers: [bob],
      approvedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    };
    const fix = await producer.enqueue({
      actionId: 'restart-service',
      params,
      incidentId: 'INC-1',
      requestedBy: alice,
      approval: signed,
    });
    if (!fix.ok) throw new Error(fix.reason);
    expect((await outcome(fix.jobId)).status).toBe('succeeded');

    const again = await producer.enqueue({
      actionId: 'invoke-monitoring-probe',
      params: probe,
      requestedBy: alice,
    });
    if (!again.ok) throw new Error(again.reason);
    expect(JSON.stringify((await outcome(again.jobId)).parsed)).toMatch(/Succeeded/);
  } finally {
    await producer.close();
  }
}, 60_000);
