import { Queue } from 'bullmq';
import { createActionProducer, type ActionOutcome } from '../../jobs/queues/action-jobs';
import { createSignedJobSink } from '../../jobs/remediation/approved-job-sink';
import type { ActionExecutor } from '../../jobs/worker/action-executor';
import { startWorker } from '../../jobs/worker/start-worker';
import type { ApprovalRequest } from '../../src/domain/approvals/approval-request';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';
import { QUEUE_NAMES } from '../../jobs/queues/names';
import { createKeyRing } from '../../src/infra/signing/job-signing';

const KEY = 's'.repeat(40);
const redis = testRedis();
const prefix = testPrefix('sink');

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

test('an approved request becomes one signed job that the worker accepts and runs', async () => {
  const keys = redisKeys(prefix);
  const producer = createActionProducer({
    connection: redis,
    bullPrefix: keys.bullPrefix,
    inventory: null,
    signing: createKeyRing([{ id: 'default', secret: KEY }]),
  });
  const results = new Queue<ActionOutcome>(QUEUE_NAMES.actionResults, {
    connection: redis,
    prefix: keys.bullPrefix,
  });
  const calls: string[] = [];
  const executor: ActionExecutor = {
    run: async (actionId) => {
      calls.push(actionId);
      return { ok: true, raw: '{}' };
    },
    close: async () => undefined,
  };
  const worker = await startWorker(
    loadConfig({
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      JOB_SIGNING_KEY: KEY,
    }),
    { executor, logger: createLogger('silent'), inventory: null },
  );
  try {
    const now = Date.now();
    const approval = {
      id: 'APR-7',
      version: 2,
      state: 'approved',
      incidentId: 'INC-3',
      actionId: 'restart-service',
      title: 'Restart',
      risk: 'change',
      params: { server: 'EX01', service: 'MSExchangePOP3BE' },
      command: "Invoke-Command -ComputerName 'EX01' …",
      server: 'EX01',
      site: 'default',
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
    const sink = createSignedJobSink(producer);
    await sink.enqueue(approval);
    await sink.enqueue(approval); // the relay may hand it over twice
    let outcome: ActionOutcome | undefined;
    for (let i = 0; i < 200 && !outcome; i++) {
      outcome = (await results.getJob('result-approval-APR-7'))?.data;
      if (!outcome) await new Promise((r) => setTimeout(r, 50));
    }
    expect(outcome).toMatchObject({
      status: 'succeeded',
      actionId: 'restart-service',
      incidentId: 'INC-3',
    });
    expect(calls).toEqual(['restart-service']);
  } finally {
    await worker.close();
    await producer.close();
    await results.close();
  }
});
