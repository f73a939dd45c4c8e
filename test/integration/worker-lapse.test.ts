import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActionExecutor, ExecutionResult } from '../../jobs/worker/action-executor';
import { startWorker, type RunningWorker } from '../../jobs/worker/start-worker';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { redisUrl } from '../support/redis';
import { startTestServer, type TestServer } from '../support/server';

/**
 * A worker killed in the middle of a change: the card says "unknown" as soon as its heartbeat
 * lapses, not when the server lock (60 s) lets another worker find the stalled job.
 */
const KEY = 'h'.repeat(40);
const dir = mkdtempSync(path.join(tmpdir(), 'worker-lapse-'));
let srv: TestServer;
let worker: RunningWorker | null = null;

/** Holds every call until released, like a Restart-Computer that is still going. */
class HeldExecutor implements ActionExecutor {
  calls = 0;
  private waiting: Array<() => void> = [];
  async run(): Promise<ExecutionResult> {
    this.calls++;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return { ok: true, raw: '{}' };
  }
  release(): void {
    this.waiting.splice(0).forEach((r) => r());
  }
  async close(): Promise<void> {}
}

beforeAll(async () => {
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    'version: 1\nroles:\n  operator:\n    - console: olga\n  approver:\n    - console: alice\n',
  );
  srv = await startTestServer(
    'worker-lapse',
    { JOB_SIGNING_KEY: KEY, APPROVAL_POLICY: policy, AUDIT_CHECKPOINT_MINUTES: '0' },
    { lapseCheckMs: 200 },
  );
});

afterAll(async () => {
  await worker?.close();
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(get: () => Promise<T | null | undefined | false>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a change whose worker stops beating reads "unknown" at once, with the worker named; the server stays locked', async () => {
  const executor = new HeldExecutor();
  const heartbeatIntervalMs = 300;
  worker = await startWorker(
    loadConfig({
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: srv.prefix,
      JOB_SIGNING_KEY: KEY,
      LOG_LEVEL: 'silent',
    }),
    {
      executor,
      logger: createLogger('silent'),
      inventory: null,
      heartbeatIntervalMs,
      // BullMQ finds the stalled job only later; the heartbeat is what this test is about.
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
    },
  );
  const workerId = worker.workerId;
  const asked = await srv.approvals.flow.requestStep({
    actor: { platform: 'console', id: 'olga' },
    incidentId: null,
    actionId: 'set-pop-protocol-log',
    params: { server: 'EX01', enabled: true },
  });
  if (!asked.ok) throw new Error(asked.reason);
  const approved = await srv.approvals.flow.approve({
    actor: { platform: 'console', id: 'alice' },
    requestId: asked.request.id,
  });
  if (!approved.ok) throw new Error(approved.reason);
  await waitFor(async () => executor.calls > 0, 15_000);

  // kill -9: no goodbye, no result, the server lock left to lapse by itself (60 s).
  await worker.kill();
  worker = null;
  const killedAt = Date.now();
  const req = await waitFor(async () => {
    const r = await srv.approvals.flow.get(asked.request.id);
    return r?.state === 'unknown' ? r : null;
  }, 20_000);
  const took = Date.now() - killedAt;
  // Three missed beats and a poll, far inside the 60 s lock.
  expect(took).toBeLessThan(10_000);
  expect(req.history[req.history.length - 1]?.by).toEqual({ platform: 'worker', id: workerId });
  expect(req.execution?.summary).toContain(`worker ${workerId}`);
  expect(req.execution?.summary).toMatch(/check EX01/);
  // The dead worker's lock still keeps a second change off EX01 until it is safe.
  expect(await srv.redis.pttl(redisKeys(srv.prefix).serverLock('EX01'))).toBeGreaterThan(30_000);
  executor.release();
}, 60_000);

test('/readyz shows the workers online per site and the active signing key id', async () => {
  const executor = new HeldExecutor();
  worker = await startWorker(
    loadConfig({
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: srv.prefix,
      JOB_SIGNING_KEY: KEY,
      LOG_LEVEL: 'silent',
    }),
    { executor, logger: createLogger('silent'), inventory: null },
  );
  const body = (await (await fetch(`${srv.url}/readyz`)).json()) as Record<string, unknown>;
  expect(body).toMatchObject({ signingKeyId: 'default', workersOnline: { default: 1 } });
  await worker.close();
  worker = null;
  const after = (await (await fetch(`${srv.url}/readyz`)).json()) as Record<string, unknown>;
  expect(after).toMatchObject({ workersOnline: { default: 0 } });
});
