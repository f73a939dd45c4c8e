import { Command } from 'commander';
import { readOrg } from '../../jobs/simulated-exchange';
import { ALERT_SCENARIOS } from '../../jobs/simulated-exchange/alert-scenarios';
import { deleteDemoKeys, type RunningDemo } from '../../src/cli/commands/demo';
import { startTestDemo } from '../support/demo';
import { registerSendAlert } from '../../src/cli/commands/send-alert';
import type { RemediationRun } from '../../src/domain/remediation/run';
import type { Actor } from '../../src/domain/identity/actor';
import type { ServerRole } from '../../src/domain/runbooks/schema';
import { deletePrefix, redisUrl, testPrefix, testRedis } from '../support/redis';

/**
 * Every scenario `send-alert --list` offers, raised with `send-alert` against the demo (the bot,
 * the console and a worker on the simulated Exchange, as `exchange-chatops demo` starts them) and
 * driven to the end its description promises: the verify procedure, each approval (alice asks,
 * bob approves), the runbook's waits (RUNBOOK_WAIT_SECONDS=1), and the simulated server's state
 * afterwards.
 */
const prefix = testPrefix('scenarios');
const alice: Actor = { platform: 'console', id: 'alice', displayName: 'alice' };
const bob: Actor = { platform: 'console', id: 'bob', displayName: 'bob' };
let demo: RunningDemo;

beforeAll(async () => {
  demo = await startTestDemo(prefix);
}, 60_000);

afterAll(async () => {
  await demo?.stop();
  const redis = testRedis();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** `exchange-chatops send-alert --scenario <name> [...]` against the demo; the incident's id. */
async function sendAlert(name: string, ...more: string[]): Promise<string> {
  let out = '';
  const program = new Command('exchange-chatops').exitOverride();
  registerSendAlert(program, { out: (s) => (out += s), err: (s) => (out += s), env: {} });
  await program.parseAsync([
    'node',
    'exchange-chatops',
    'send-alert',
    '--scenario',
    name,
    '--url',
    demo.url,
    '--token',
    demo.token,
    ...more,
  ]);
  const id = /\b(?:created|updated|resolved) (INC-\d+)/.exec(out)?.[1];
  if (!id) throw new Error(`send-alert named no incident:\n${out}`);
  return id;
}

/** Polls the run until `ok` holds: a condition, never a count or a fixed time. */
async function until(
  incidentId: string,
  what: string,
  ok: (run: RemediationRun) => boolean,
  timeoutMs = 60_000,
): Promise<RemediationRun> {
  const end = Date.now() + timeoutMs;
  let run: RemediationRun | null = null;
  while (Date.now() < end) {
    run = await demo.server.remediation.getRun(incidentId);
    if (run && ok(run)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `timed out waiting for ${what}; run is ${run?.status} at ${run?.sectionId}: ${JSON.stringify(
      run?.history.slice(-6),
    )}`,
  );
}

/**
 * The run's next change waits for approval: it must be `stepId`. Alice asks (choosing `role` for
 * a role-dependent step), bob approves, and the worker runs it.
 */
async function approveNext(
  incidentId: string,
  stepId: string,
  role?: ServerRole,
): Promise<RemediationRun> {
  const waiting = await until(incidentId, `${stepId} to wait for approval`, (r) =>
    Object.values(r.steps).some((s) => s.state === 'awaiting-approval'),
  );
  const awaiting = Object.entries(waiting.steps)
    .filter(([, s]) => s.state === 'awaiting-approval')
    .map(([id]) => id);
  expect(awaiting).toEqual([stepId]);
  const asked = await demo.server.remediation.requestStep({
    incidentId,
    sectionId: waiting.sectionId,
    stepId,
    actor: alice,
    confirmed: true,
    ...(role ? { role } : {}),
  });
  if (!asked.ok) throw new Error(`${stepId}: ${asked.reason}`);
  const approved = await demo.server.approvals.flow.approve({
    actor: bob,
    requestId: asked.request.id,
  });
  if (!approved.ok) throw new Error(`${stepId}: ${approved.reason}`);
  return until(incidentId, `${stepId} to succeed`, (r) => r.steps[stepId]?.state === 'succeeded');
}

const states = (run: RemediationRun, ids: string[]) =>
  Object.fromEntries(ids.map((id) => [id, run.steps[id]?.state]));

async function faultsOn(server: string) {
  return (await readOrg(demo.stateFile)).faults.filter((f) => f.server === server);
}

const driven = new Map<string, string>();

test('the scenarios tested here and in dag-scenarios.test.ts are exactly those send-alert --list offers', () => {
  // A new scenario without a test of its own fails here.
  expect(ALERT_SCENARIOS.map((s) => s.name).sort()).toEqual(
    [
      'pop-backend-hung',
      'pop-needs-reboot',
      'pop-transient',
      'pop-ctp-failure',
      'pop-command-time',
      'pop-resolved',
      // Driven in dag-scenarios.test.ts, each from a healthy organisation (beyond the seed).
      'dag-no-healthy-copy',
      'dag-member-restarting',
      'ma-recovery-in-progress',
      'server-in-maintenance',
      'fail-back-to-preferred',
    ].sort(),
  );
});

test('the bot and the worker know the simulated sites, as the banner says', async () => {
  const ask = async (text: string): Promise<string> => {
    const channel = { platform: 'console', id: 'ops' };
    const said = (await demo.server.chat.command({ actor: alice, channel, text })).private;
    return [said?.text ?? '', ...(said?.code ?? []).map((c) => c.body)].join('\n');
  };
  expect(await ask('health EX01')).toMatch(/^Queued for a worker in site site-a /);
  expect(await ask('health EX03')).toMatch(/^Queued for a worker in site site-b /);
  // The worker's heartbeat names both sites (it may take a moment to be seen).
  const end = Date.now() + 10_000;
  let workers = '';
  while (Date.now() < end && !/sites site-a, site-b/.test(workers)) {
    workers = await ask('workers');
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(workers).toMatch(/sites site-a, site-b/);
  expect(workers).not.toMatch(/site default/);
});

test('pop-backend-hung: a restart of MSExchangePOP3BE fixes it', async () => {
  const id = await sendAlert('pop-backend-hung');
  driven.set('pop-backend-hung', id);
  const verified = await until(id, 'verdict', (r) => r.verdict !== 'pending');
  expect(verified.verdict).toBe('confirmed');
  await approveNext(id, 'pop-deep.1');
  const run = await until(id, 'recovered', (r) => r.status === 'recovered');
  expect(run.steps['pop-deep.2']?.results.at(-1)?.summary).toBe('probe Succeeded');
  expect(run.steps['pop-deep.3']?.state).toBe('skipped');
  expect(await faultsOn('EX01')).toEqual([]);
}, 120_000);

test('pop-resolved: SCOM closes the pop-backend-hung alert, its incident is resolved', async () => {
  const open = driven.get('pop-backend-hung');
  if (!open) throw new Error('pop-backend-hung did not run');
  const id = await sendAlert('pop-resolved');
  expect(id).toBe(open);
  expect((await demo.server.incidents.get(id))?.status).toBe('resolved');
  const run = await until(id, 'final', (r) => ['recovered', 'stopped'].includes(r.status));
  expect(run.status).toBe('recovered');
});

test('pop-needs-reboot: the service restart does not help; fail over, restart, fail back', async () => {
  const id = await sendAlert('pop-needs-reboot');
  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  const afterRestart = await approveNext(id, 'pop-deep.1');
  expect(afterRestart.steps['pop-deep.1']?.state).toBe('succeeded');
  await approveNext(id, 'pop-deep.3');
  await approveNext(id, 'pop-deep.5');
  await approveNext(id, 'pop-deep.7');
  // Beyond the seed: the databases move back to their preferred server (its own approval).
  await approveNext(id, 'pop-deep.failback');
  const run = await until(id, 'recovered', (r) => r.status === 'recovered');
  expect(states(run, ['pop-deep.2', 'pop-deep.4', 'pop-deep.6', 'pop-deep.8'])).toEqual({
    'pop-deep.2': 'failed',
    'pop-deep.4': 'succeeded',
    'pop-deep.6': 'succeeded',
    'pop-deep.8': 'skipped',
  });
  const org = await readOrg(demo.stateFile);
  expect(org.servers.find((s) => s.name === 'EX02')?.activationDisabled).toBe(false);
  expect(await faultsOn('EX02')).toEqual([]);
}, 120_000);

test('pop-transient: the verify step re-runs the probe and finds it gone', async () => {
  const id = await sendAlert('pop-transient');
  const run = await until(id, 'transient', (r) => r.status === 'transient');
  expect(run.verdict).toBe('transient');
  expect(run.steps['pop-verify.2.3']?.results.at(-1)?.summary).toBe('probe Succeeded');
}, 60_000);

test('pop-ctp-failure: a restart of MSExchangePOP3 fixes it', async () => {
  const id = await sendAlert('pop-ctp-failure');
  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  const restarted = await approveNext(id, 'pop-ctp.1');
  expect(restarted.sectionId).toBe('pop-ctp');
  const run = await until(id, 'recovered', (r) => r.status === 'recovered');
  expect(run.steps['pop-ctp.2']?.results.at(-1)?.summary).toBe('probe Succeeded');
  expect(run.steps['pop-ctp.4']?.state).toBe('skipped');
  expect(await faultsOn('EX04')).toEqual([]);
}, 120_000);

test('pop-command-time: restart POP3, wait, then the server (failover first), fail back', async () => {
  const id = await sendAlert('pop-command-time');
  const verified = await until(id, 'verdict', (r) => r.verdict !== 'pending');
  // The step's probe is POP.Protocol\PopSelfTestProbe: it fails while the monitor is unhealthy.
  expect(verified.verdict).toBe('confirmed');
  expect(verified.steps['pop-verify.2.3']?.results.at(-1)?.command).toContain(
    "'POP.Protocol\\PopSelfTestProbe'",
  );
  // EX02 has both roles: a person chooses; on a Mailbox server it is MSExchangePOP3BE.
  const restarted = await approveNext(id, 'pop-60s.1', 'mailbox');
  expect(restarted.sectionId).toBe('pop-60s');
  // The wait finds the monitor still unhealthy: the server restart follows, after the failover.
  await approveNext(id, 'pop-60s.3.1');
  const waitedOnce = await until(id, 'the wait', (r) => r.steps['pop-60s.2']?.state === 'failed');
  expect(waitedOnce.steps['pop-60s.2']?.results).toHaveLength(1);
  await approveNext(id, 'pop-60s.3');
  await approveNext(id, 'pop-60s.5');
  await approveNext(id, 'pop-60s.failback');
  const run = await until(id, 'recovered', (r) => r.status === 'recovered');
  expect(states(run, ['pop-60s.3.2', 'pop-60s.4', 'pop-60s.6'])).toEqual({
    'pop-60s.3.2': 'succeeded',
    'pop-60s.4': 'succeeded',
    'pop-60s.6': 'skipped',
  });
  const org = await readOrg(demo.stateFile);
  const ex02 = org.servers.find((s) => s.name === 'EX02');
  expect(ex02?.activationDisabled).toBe(false);
  expect(await faultsOn('EX02')).toEqual([]);
}, 120_000);

test('pop-command-time about another server (send-alert --server EX01): confirmed there', async () => {
  const id = await sendAlert('pop-command-time', '--server', 'EX01');
  const run = await until(id, 'verdict', (r) => r.verdict !== 'pending');
  expect(run.verdict).toBe('confirmed');
  expect(run.status).not.toBe('transient');
  expect((await faultsOn('EX01')).map((f) => f.monitor)).toEqual([
    'AverageCommandProcessingTimeGt60sMonitor',
  ]);
}, 60_000);

test('demo --fresh deletes the keys under its prefix only', async () => {
  const own = testPrefix('fresh');
  const redis = testRedis();
  try {
    for (let i = 0; i < 1200; i++) await redis.set(`${own}:{inc}:incident:INC-${i}`, 'x');
    await redis.set(`${own}x:{inc}:incident:INC-1`, 'a prefix that only starts the same');
    expect(await deleteDemoKeys(redisUrl(), own)).toBe(1200);
    expect(await redis.keys(`${own}:*`)).toEqual([]);
    expect(await redis.get(`${own}x:{inc}:incident:INC-1`)).not.toBeNull();
  } finally {
    await deletePrefix(redis, own);
    await redis.quit();
  }
});
