import { Queue } from 'bullmq';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActionOutcome } from '../../jobs/queues/action-jobs';
import { PowerShellPool } from '../../jobs/powershell';
import { eventsOf, type CardEventJob } from '../../jobs/queues/card-events';
import {
  createSimulatedOrg,
  readOrg,
  setScenario,
  simulatorEnv,
} from '../../jobs/simulated-exchange';
import { createPoolExecutor } from '../../jobs/worker/pool-executor';
import { startWorker, type RunningWorker } from '../../jobs/worker/start-worker';
import type { Actor } from '../../src/domain/identity/actor';
import { loadConfig } from '../../src/infra/config/load-config';
import { startServer, type RunningServer } from '../../src/main/start-server';
import { createLogger } from '../../src/infra/logger';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { createRedisRunStore } from '../../src/infra/redis/redis-run-store';
import type { RemediationRun } from '../../src/app/remediation';
import { ps51Alert } from '../fixtures/scom-alerts';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';
import { TEST_TOKEN } from '../support/server';
import { QUEUE_NAMES } from '../../jobs/queues/names';
import { createKeyRing, signOutcome } from '../../src/infra/signing/job-signing';

/**
 * The remediation run end to end: a SCOM alert through the webhook, the run's verify procedure by
 * itself, approvals through the approval flow, the real worker with node-powershell against the
 * simulated Exchange, results back through the `action-results` queue, and a bot restart in the
 * middle of it.
 */
const KEY = 'r'.repeat(40);
const redis = testRedis();
const prefix = testPrefix('rem');
// Console accounts with their login as directory identity (`upn`), as the two-person rule needs.
const cy: Actor = { platform: 'console', id: 'cy', displayName: 'Cy', upn: 'cy' };
const ana: Actor = { platform: 'console', id: 'ana', displayName: 'Ana', upn: 'ana' };
let dir: string;
let stateFile: string;
let worker: RunningWorker;
let server: RunningServer;
let env: Record<string, string>;

async function startBot(): Promise<RunningServer> {
  return startServer(
    loadConfig({
      PORT: '0',
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      ...env,
    }),
    {
      logger: createLogger('silent'),
      relayIntervalMs: 500,
    },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'exrem-'));
  stateFile = path.join(dir, 'org.json');
  await createSimulatedOrg(stateFile, { timing: { rebootMs: 1000, serviceRestartMs: 10 } });
  setScenario(stateFile, 'pop-needs-reboot', { server: 'EX01' });
  setScenario(stateFile, 'pop-transient', { server: 'EX02' });
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    'version: 1\nroles:\n  operator:\n    - console: [cy]\n  approver:\n    - console: [ana]\n',
  );
  env = {
    SCOM_WEBHOOK_TOKEN: TEST_TOKEN,
    JOB_SIGNING_KEY: KEY,
    APPROVAL_POLICY: policy,
    APPROVAL_POLICY_RELOAD_SECONDS: '0',
    AUDIT_CHECKPOINT_MINUTES: '0',
    RUNBOOK_WAIT_SECONDS: '1',
    LOG_LEVEL: 'silent',
  };
  const { NODE_POWERSHELL, ...shellEnv } = simulatorEnv(stateFile, true);
  process.env.NODE_POWERSHELL = NODE_POWERSHELL;
  const pool = new PowerShellPool({
    endpoint: { connectionUri: 'http://ex01.contoso.com/PowerShell/' },
    size: 2,
    timeoutMs: 15_000,
    env: shellEnv,
  });
  worker = await startWorker(
    loadConfig({
      REDIS_VOLATILE_OK: 'true',
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      JOB_SIGNING_KEY: KEY,
    }),
    { executor: createPoolExecutor(pool), logger: createLogger('silent'), inventory: null },
  );
  server = await startBot();
});

afterAll(async () => {
  await server?.close();
  await worker?.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

async function until(
  incidentId: string,
  what: string,
  ok: (run: RemediationRun) => boolean,
  timeoutMs = 30_000,
): Promise<RemediationRun> {
  const end = Date.now() + timeoutMs;
  let run: RemediationRun | null = null;
  while (Date.now() < end) {
    run = await server.remediation.getRun(incidentId);
    if (run && ok(run)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `timed out waiting for ${what}; run is ${run?.status} at ${run?.sectionId}: ${JSON.stringify(
      run?.history.slice(-5),
    )}`,
  );
}

async function alert(id: string, host: string): Promise<string> {
  const res = await fetch(`${server.url}/api/alerts/scom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify(
      ps51Alert({
        Id: id,
        PrincipalName: `${host}.contoso.com`,
        MonitoringObjectDisplayName: `${host}.contoso.com`,
        NetbiosComputerName: host,
      }),
    ),
  });
  expect(res.status).toBeLessThan(300);
  const open = await server.incidents.listOpen();
  const inc = open.find((i) => i.server?.short === host);
  if (!inc) throw new Error(`no incident for ${host}`);
  return inc.id;
}

/** Cy asks for the step, Ana approves it (two people, as destructive steps need). */
async function approveStep(incidentId: string, stepId: string): Promise<string> {
  const asked = await server.remediation.requestStep({
    incidentId,
    sectionId: 'pop-deep',
    stepId,
    actor: cy,
    confirmed: true,
  });
  if (!asked.ok) throw new Error(asked.reason);
  expect(asked.request.runId).toBe(`RUN-${incidentId}`);
  expect(asked.request.stepId).toBe(stepId);
  const self = await server.approvals.flow.approve({ actor: cy, requestId: asked.request.id });
  expect(self.ok).toBe(false);
  const ok = await server.approvals.flow.approve({ actor: ana, requestId: asked.request.id });
  if (!ok.ok) throw new Error(ok.reason);
  return asked.request.id;
}

let incident: string;

test('a new alert: the verify procedure runs by itself and records the verdict', async () => {
  const seen: ActionOutcome[] = [];
  const remove = server.onActionOutcome(async (o) => void seen.push(o));
  incident = await alert('11111111-2222-4333-8444-555555555555', 'EX01');
  const run = await until(incident, 'verdict', (r) => r.verdict !== 'pending');
  expect(run.verdict).toBe('confirmed');
  const verify = run.steps['pop-verify.2.3']!;
  expect(verify.results[0]).toMatchObject({
    status: 'succeeded',
    command:
      "Invoke-MonitoringProbe -Identity 'POP.Protocol\\PopDeepTestProbe' -Server 'EX01.contoso.com'",
    expectation: 'not-met',
  });
  expect(verify.results[0]?.raw).toMatch(/Failed/);
  const after = await until(incident, 'the first change', (r) => r.status === 'awaiting-approval');
  expect(after.sectionId).toBe('pop-deep');
  expect(after.steps['pop-deep.1']?.state).toBe('awaiting-approval');
  // Extra result handlers (the chat core's) hear every result too, right after the run does.
  for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  // Beyond the seed: the hold check (maintenance, Managed Availability) before the first change.
  expect(seen.map((o) => o.stepId)).toEqual(['pop-verify.2.1', 'pop-verify.2.3', 'pop-deep.hold']);
  remove();

  // A check of the recovery section may be run by hand before the run gets there: recorded only.
  const byHand = await server.remediation.runStep({
    incidentId: incident,
    sectionId: 'pop-deep',
    stepId: 'pop-deep.4',
    actor: cy,
  });
  if (!byHand.ok) throw new Error(byHand.reason);
  const recorded = await until(
    incident,
    'hand-run result',
    (r) => (r.steps['pop-deep.4']?.results.length ?? 0) > 0,
  );
  expect(recorded.steps['pop-deep.4']?.outcome).toBeUndefined();
  expect(recorded.steps['pop-deep.4']?.results[0]?.summary).toMatch(/active database cop/);
  // "Run read-only checks" leaves out a check whose condition does not hold yet (step 6 runs
  // only after step 5, the restart).
  const early = await server.remediation.runStep({
    incidentId: incident,
    sectionId: 'pop-deep',
    stepId: 'pop-deep.6',
    actor: cy,
    onlyWhenItsConditionHolds: true,
  });
  expect(early).toEqual({ ok: false, reason: expect.stringMatching(/condition .*not yet/) });
}, 60_000);

test('a transient fault: the probe succeeds when re-run, the run says so', async () => {
  const id = await alert('22222222-2222-4333-8444-555555555555', 'EX02');
  const run = await until(id, 'transient', (r) => r.status === 'transient');
  expect(run.verdict).toBe('transient');
}, 60_000);

test('the full PopDeepTest section reaches recovered, surviving a bot restart mid-run', async () => {
  await approveStep(incident, 'pop-deep.1');
  // The service restart does not clear this fault: the probe fails, the failover waits.
  await until(incident, 'failover', (r) => r.steps['pop-deep.3']?.state === 'awaiting-approval');
  await approveStep(incident, 'pop-deep.3');
  await until(incident, 'restart', (r) => r.steps['pop-deep.5']?.state === 'awaiting-approval');
  const afterFailover = await readOrg(stateFile);
  expect(afterFailover.servers.find((s) => s.name === 'EX01')?.activationDisabled).toBe(true);
  expect(afterFailover.databases.some((d) => d.active === 'EX01')).toBe(false);

  const reboot = await approveStep(incident, 'pop-deep.5');
  // The bot goes away while the server restarts; the result waits in Redis for the next one.
  await server.close();
  const results = new Queue<ActionOutcome>(QUEUE_NAMES.actionResults, {
    connection: redis,
    prefix: redisKeys(prefix).bullPrefix,
  });
  try {
    for (let i = 0; i < 400 && !(await results.getJob(`result-approval-${reboot}`)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await results.getJob(`result-approval-${reboot}`)).toBeDefined();
  } finally {
    await results.close();
  }
  const meanwhile = await createRedisRunStore(redis, { prefix, retentionMs: 60_000 }).get(incident);
  expect(meanwhile?.steps['pop-deep.5']?.state).toBe('awaiting-approval');
  server = await startBot();
  const fallback = await until(
    incident,
    'fail back',
    (r) => r.steps['pop-deep.7']?.state === 'awaiting-approval',
  );
  expect(fallback.recoveredAt).not.toBeNull();
  await approveStep(incident, 'pop-deep.7');
  // Beyond the seed: the databases move back to their preferred server, with their own approval.
  await until(
    incident,
    'move back',
    (r) => r.steps['pop-deep.failback']?.state === 'awaiting-approval',
  );
  await approveStep(incident, 'pop-deep.failback');
  const run = await until(incident, 'recovered', (r) => r.status === 'recovered');
  expect((await readOrg(stateFile)).databases.find((d) => d.name === 'DB01')?.active).toBe('EX01');

  // The failover moved every copy at once: the bounded poll needed one try.
  expect(run.steps['pop-deep.4']).toMatchObject({ state: 'succeeded', tries: 1 });
  for (const id of ['pop-deep.1', 'pop-deep.3', 'pop-deep.5', 'pop-deep.7']) {
    expect(run.steps[id]?.state).toBe('succeeded');
  }
  expect(run.steps['pop-deep.6']?.results.at(-1)?.summary).toBe('probe Succeeded');
  expect(run.steps['pop-deep.8']?.state).toBe('skipped');
  const org = await readOrg(stateFile);
  const ex01 = org.servers.find((s) => s.name === 'EX01');
  expect(ex01?.activationDisabled).toBe(false);
  expect(org.faults.filter((f) => f.server === 'EX01')).toEqual([]);
  // Every database is mounted on a healthy copy; EX01 may take active copies again.
  expect(org.databases.every((d) => d.mounted)).toBe(true);

  // Each approval request ended succeeded, with its job.
  const requests = await server.approvals.flow.listForIncident(incident);
  expect(requests.map((r) => r.state).sort()).toEqual([
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
  ]);

  // The audit trail has the checks the run made and the jobs' starts and ends.
  const audit = (await server.approvals.audit.latest({ incidentId: incident }, 500)).map(
    (e) => e.action,
  );
  for (const action of ['check.run', 'job.started', 'job.finished', 'approval.approved']) {
    expect(audit).toContain(action);
  }

  // Every run change and request change was handed to the chat side.
  const events = new Queue<CardEventJob>(QUEUE_NAMES.cardEvents, {
    connection: redis,
    prefix: redisKeys(prefix).bullPrefix,
  });
  try {
    // Changes that come close together share a job: look for them in every job's changes.
    const handed = async () =>
      (await events.getJobs()).flatMap((j) =>
        eventsOf(j.data).map((e) =>
          e.change === 'approval'
            ? `approval ${e.requestId} v${e.version}`
            : `${e.change} ${e.runId} v${e.runVersion}`,
        ),
      );
    const wanted = [`run RUN-${incident} v${run.version}`, `approval ${requests[0]!.id} v1`];
    let handedNow = await handed();
    const end = Date.now() + 10_000;
    while (!wanted.every((w) => handedNow.includes(w))) {
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
      handedNow = await handed();
    }
    expect(handedNow).toEqual(expect.arrayContaining(wanted));
  } finally {
    await events.close();
  }
}, 120_000);

test('a redelivered outcome changes nothing', async () => {
  const before = await server.remediation.getRun(incident);
  const jobId = before!.steps['pop-deep.6']!.results.at(-1)!.jobId;
  const results = new Queue<ActionOutcome>(QUEUE_NAMES.actionResults, {
    connection: redis,
    prefix: redisKeys(prefix).bullPrefix,
  });
  try {
    const job = await results.getJob(`result-${jobId}`);
    expect(job).toBeDefined();
    // Delivered again, under another job id, as a retried or duplicated delivery would be.
    await results.add('outcome', job!.data, { jobId: `again-${jobId}` });
    for (
      let i = 0;
      i < 100 && !(await (await results.getJob(`again-${jobId}`))?.isCompleted());
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.runs.handleOutcome(job!.data);
  } finally {
    await results.close();
  }
  const after = await server.remediation.getRun(incident);
  expect(after?.version).toBe(before?.version);
});

test('the incident resolves: the run stops and its pending request is withdrawn', async () => {
  setScenario(stateFile, 'pop-needs-reboot', { server: 'EX03' });
  const alertId = '33333333-2222-4333-8444-555555555555';
  const id = await alert(alertId, 'EX03');
  await until(id, 'the first change', (r) => r.status === 'awaiting-approval');
  const asked = await server.remediation.requestStep({
    incidentId: id,
    sectionId: 'pop-deep',
    stepId: 'pop-deep.1',
    actor: cy,
  });
  if (!asked.ok) throw new Error(asked.reason);
  const res = await fetch(`${server.url}/api/alerts/scom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify(
      ps51Alert({
        Id: alertId,
        PrincipalName: 'EX03.contoso.com',
        MonitoringObjectDisplayName: 'EX03.contoso.com',
        NetbiosComputerName: 'EX03',
        ResolutionState: 254,
        TimeResolved: '/Date(1715685253000)/',
        LastModified: '/Date(1715685253000)/',
      }),
    ),
  });
  expect(res.status).toBeLessThan(300);
  await until(id, 'stopped', (r) => r.status === 'stopped');
  for (let i = 0; i < 100; i++) {
    if ((await server.approvals.flow.get(asked.request.id))?.state === 'cancelled') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect((await server.approvals.flow.get(asked.request.id))?.state).toBe('cancelled');
}, 60_000);

test('an unknown outcome of a change: "outcome unknown, verify", the check runs, then done', async () => {
  setScenario(stateFile, 'pop-backend-hung', { server: 'EX04' });
  const id = await alert('44444444-2222-4333-8444-555555555555', 'EX04');
  await until(id, 'the first change', (r) => r.status === 'awaiting-approval');
  const asked = await server.remediation.requestStep({
    incidentId: id,
    sectionId: 'pop-deep',
    stepId: 'pop-deep.1',
    actor: cy,
  });
  if (!asked.ok) throw new Error(asked.reason);
  // What a worker that died mid-job leaves (see worker.test.ts): the outcome is unknown.
  const results = new Queue<ActionOutcome>(QUEUE_NAMES.actionResults, {
    connection: redis,
    prefix: redisKeys(prefix).bullPrefix,
  });
  const at = new Date().toISOString();
  try {
    // Signed with the workers' key: an unsigned result is ignored (signed-results.test.ts).
    const signing = createKeyRing([{ id: 'default', secret: KEY }]);
    const unknownOutcome: ActionOutcome = {
      jobId: `approval-${asked.request.id}`,
      actionId: 'restart-service',
      params: asked.request.params,
      incidentId: id,
      runId: `RUN-${id}`,
      stepId: 'pop-deep.1',
      site: 'default',
      workerId: 'w-dead',
      status: 'unknown',
      reason: 'the worker stopped while running this change; it may or may not have run: verify',
      startedAt: at,
      finishedAt: at,
      durationMs: 0,
    };
    await results.add('outcome', await signOutcome(signing, unknownOutcome, true));
  } finally {
    await results.close();
  }
  const unknown = await until(id, 'unknown', (r) => r.status === 'failed');
  expect(unknown.steps['pop-deep.1']).toMatchObject({
    state: 'failed',
    note: 'outcome unknown, verify',
    verify: {
      actionId: 'get-service-status',
      params: { server: 'EX04.contoso.com', service: 'MSExchangePOP3BE' },
    },
  });
  const check = await server.remediation.runStep({
    incidentId: id,
    sectionId: 'pop-deep',
    stepId: 'pop-deep.1',
    actor: ana,
  });
  if (!check.ok) throw new Error(check.reason);
  const verified = await until(id, 'verification', (r) =>
    (r.steps['pop-deep.1']?.results ?? []).some((x) => x.verification),
  );
  expect(verified.steps['pop-deep.1']?.results.at(-1)).toMatchObject({
    actionId: 'get-service-status',
    status: 'succeeded',
  });
  const done = await server.remediation.markDone({
    incidentId: id,
    sectionId: 'pop-deep',
    stepId: 'pop-deep.1',
    actor: ana,
  });
  expect(done).toEqual({ ok: true });
  // Its request, still pending, can no longer run it again.
  expect((await server.approvals.flow.get(asked.request.id))?.state).toBe('cancelled');
  // The run goes on: the probe re-runs (the backend was never restarted, so it still fails).
  const on = await until(
    id,
    'next change',
    (r) => r.steps['pop-deep.3']?.state === 'awaiting-approval',
  );
  expect(on.steps['pop-deep.2']?.state).toBe('failed');
}, 60_000);
