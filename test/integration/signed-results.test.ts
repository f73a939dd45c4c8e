import { Queue } from 'bullmq';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActionOutcome } from '../../jobs/queues/action-jobs';
import { QUEUE_NAMES } from '../../jobs/queues/names';
import type { ApprovalRequest } from '../../src/domain/approvals/approval-request';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { createKeyRing, signOutcome } from '../../src/infra/signing/job-signing';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Results on the results queue are input like any other: someone who can write to Redis must not
 * be able to make a request look succeeded or failed. Only a result the worker signed for exactly
 * its job moves a request.
 */
const KEY = 'r'.repeat(40);
const ring = createKeyRing([{ id: 'default', secret: KEY }]);
const olga = { platform: 'console', id: 'olga' };
const alice = { platform: 'console', id: 'alice' };
const dir = mkdtempSync(path.join(tmpdir(), 'signed-results-'));
let srv: TestServer;
let results: Queue;

beforeAll(async () => {
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    'version: 1\nroles:\n  operator:\n    - console: olga\n  approver:\n    - console: alice\n',
  );
  // No worker runs: the approved job stays queued, so each request stays where the test put it.
  srv = await startTestServer('signed-results', {
    JOB_SIGNING_KEY: KEY,
    APPROVAL_POLICY: policy,
    AUDIT_CHECKPOINT_MINUTES: '0',
  });
  results = new Queue(QUEUE_NAMES.actionResults, {
    connection: srv.redis,
    prefix: redisKeys(srv.prefix).bullPrefix,
  });
});

afterAll(async () => {
  await results.close();
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(server: string): Promise<ApprovalRequest> {
  const r = await srv.approvals.flow.requestStep({
    actor: olga,
    incidentId: null,
    actionId: 'set-pop-protocol-log',
    params: { server, enabled: true },
  });
  if (!r.ok) throw new Error(r.reason);
  return r.request;
}

function outcomeFor(req: ApprovalRequest, over: Partial<ActionOutcome> = {}): ActionOutcome {
  const now = new Date().toISOString();
  return {
    jobId: `approval-${req.id}`,
    actionId: req.actionId,
    params: req.params,
    incidentId: null,
    runId: null,
    stepId: null,
    site: 'default',
    workerId: 'forger',
    status: 'succeeded',
    command: req.command,
    raw: '{}',
    startedAt: now,
    finishedAt: now,
    durationMs: 1,
    ...over,
  };
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const rejectedCount = async (): Promise<number> => {
  const m = await srv.metrics.registry
    .getSingleMetric('exchops_action_results_rejected_total')
    ?.get();
  return m?.values[0]?.value ?? 0;
};

/** Adds results and waits until the bot has taken every one of them. */
async function deliver(entries: unknown[]): Promise<void> {
  const before = (await results.getJobCounts('completed')).completed ?? 0;
  for (const [i, data] of entries.entries()) {
    await results.add('outcome', data, { jobId: `forged-result-${Date.now()}-${i}` });
  }
  await waitFor(
    async () =>
      ((await results.getJobCounts('completed')).completed ?? 0) >= before + entries.length,
  );
}

/** Every way to forge a result for a request, given a genuine signed result of another job. */
async function forgeries(req: ApprovalRequest, genuine: ActionOutcome & { signature: string }) {
  const other = createKeyRing([{ id: 'default', secret: 'x'.repeat(40) }]);
  const rotatedOut = createKeyRing([{ id: 'k0', secret: 'z'.repeat(40) }]);
  return [
    outcomeFor(req),
    outcomeFor(req, { status: 'failed', reason: 'forged' }),
    await signOutcome(other, outcomeFor(req), true),
    await signOutcome(rotatedOut, outcomeFor(req), true),
    // A genuine signature moved onto this request's job.
    { ...genuine, jobId: `approval-${req.id}` },
    { ...outcomeFor(req), signature: genuine.signature },
    // Genuine: a worker's refusal of a forged job with this id. It may not fail the request.
    await signOutcome(ring, outcomeFor(req, { status: 'refused', reason: 'no grant' }), false),
  ];
}

test('a forged result for a pending, approved or running request changes nothing', async () => {
  const pending = await ask('EX01');
  const approved = await ask('EX02');
  const running = await ask('EX03');
  for (const r of [approved, running]) {
    const a = await srv.approvals.flow.approve({ actor: alice, requestId: r.id });
    if (!a.ok) throw new Error(a.reason);
  }
  await srv.approvals.flow.recordExecution({
    requestId: running.id,
    state: 'running',
    by: { platform: 'worker', id: 'w1' },
    jobId: `approval-${running.id}`,
  });
  const genuine = await signOutcome(
    ring,
    outcomeFor(pending, { jobId: 'check-genuine', workerId: 'w1' }),
    true,
  );

  const rejectedBefore = await rejectedCount();
  const forged = [
    ...(await forgeries(pending, genuine)),
    ...(await forgeries(approved, genuine)),
    ...(await forgeries(running, genuine)),
  ];
  await deliver(forged);
  // Each ignored one is counted, except the signed refusals (audited, applied to nothing).
  expect(await rejectedCount()).toBe(rejectedBefore + forged.length - 3);
  expect((await srv.approvals.flow.get(pending.id))?.state).toBe('pending');
  expect((await srv.approvals.flow.get(approved.id))?.state).toBe('approved');
  expect((await srv.approvals.flow.get(running.id))?.state).toBe('running');

  // The control: the worker's own signed result for the running request does move it.
  await deliver([await signOutcome(ring, outcomeFor(running, { workerId: 'w1' }), true)]);
  expect((await srv.approvals.flow.get(running.id))?.state).toBe('succeeded');
});
