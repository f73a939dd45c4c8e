import type { ServerRef } from '../alerts/alert';
import { loadCatalog } from '../../infra/files/load-catalog';
import { matchRunbook } from '../runbooks/match-runbook';
import type { RemediationRun } from './run';
import {
  advance,
  applyOutcome,
  applyTimer,
  createRun,
  markStepDone,
  stepConditionsHold,
  recordRequest,
  runCheck,
  stopRun,
  type MachineContext,
  type OutcomeInput,
  type RunEffect,
  type Transition,
} from './run-machine';

const catalog = loadCatalog();
const EX01: ServerRef = { name: 'EX01', fqdn: null, short: 'EX01', valid: true };
let clock = Date.parse('2026-11-27T03:00:00Z');
/** RUNBOOK_WAIT_SECONDS for the test at hand. */
let WAIT: number | null = 1;
beforeEach(() => {
  WAIT = 1;
});
const ctx = (waitSeconds: number | null = WAIT): MachineContext => ({
  catalog,
  now: new Date((clock += 1000)),
  waitSeconds,
  rolesOf: () => null,
});

type Enqueue = Extract<RunEffect, { type: 'enqueue' }>;

const probe = (ok: boolean) => ({
  kind: 'probe',
  results: [{ resultType: ok ? 'Succeeded' : 'Failed', error: ok ? null : 'STAT failed' }],
  resultType: ok ? 'Succeeded' : 'Failed',
  error: ok ? null : 'STAT failed',
});
const health = (unhealthy: string[]) => ({
  kind: 'server-health',
  monitors: unhealthy.map((name) => ({ name, healthSet: 'POP.Protocol', alertValue: 'Unhealthy' })),
  unhealthy: unhealthy.map((name) => ({
    name,
    healthSet: 'POP.Protocol',
    alertValue: 'Unhealthy',
  })),
});
const copies = (active: string[]) => ({
  kind: 'copy-status',
  copies: [],
  anyActive: active.length > 0,
  activeDatabases: active,
});
const change = { kind: 'change', after: { kind: 'service-status', name: 'x', status: 'Running' } };
/** get-dag-safety's output when every safety check passes (beyond the seed). */
const safe = {
  kind: 'dag-safety',
  evidence: { server: 'EX01', gatheredAt: '', copies: [], members: [], recoveries: [], errors: [] },
  failover: { ok: true, databases: [], reasons: [], digest: 'a'.repeat(64) },
  restart: { ok: true, reasons: [] },
  hold: {
    ok: true,
    reasons: [],
    maintenance: false,
    inactiveComponents: [],
    recentRecoveries: [],
    inProgress: [],
  },
};

/** The safety checks pass by themselves here; their own tests are in src/domain/safety. */
function passSafety(t: Transition): Transition {
  for (let i = 0; i < 5; i++) {
    const e = t.effects.find(
      (x): x is Enqueue => x.type === 'enqueue' && x.actionId === 'get-dag-safety',
    );
    if (!e) return t;
    const next = applyOutcome(t.run, result(e.jobId, e.stepKey, e.actionId, safe), ctx());
    if (!next) throw new Error('no transition');
    t = next;
  }
  return t;
}

function start(
  monitor = 'PopDeepTestMonitor',
  healthSet = 'POP.Protocol',
  wait: number | null = 1,
) {
  WAIT = wait;
  const c = ctx();
  const run = createRun({
    incidentId: 'INC-1',
    server: EX01,
    relatedServer: null,
    match: matchRunbook(catalog, { monitor, healthSet }),
    ctx: c,
  });
  return passSafety(advance(run, c));
}

function only(t: Transition): Enqueue {
  const e = t.effects.filter((x): x is Enqueue => x.type === 'enqueue');
  expect(e).toHaveLength(1);
  return e[0]!;
}

function result(
  jobId: string,
  stepId: string,
  actionId: string,
  parsed: unknown,
  status: OutcomeInput['status'] = 'succeeded',
): OutcomeInput {
  return {
    jobId,
    actionId,
    params: { server: 'EX01' },
    status,
    stepId,
    startedAt: '2026-11-27T03:00:00Z',
    finishedAt: '2026-11-27T03:00:01Z',
    durationMs: 1000,
    parsed,
    raw: JSON.stringify(parsed),
  };
}

function feed(run: RemediationRun, e: Enqueue, parsed: unknown, status?: OutcomeInput['status']) {
  const t = applyOutcome(run, result(e.jobId, e.stepKey, e.actionId, parsed, status), ctx());
  if (!t) throw new Error('no transition');
  return passSafety(t);
}

/** Request recorded, then the approval job's result. */
function approved(
  run: RemediationRun,
  stepId: string,
  n: number,
  status: OutcomeInput['status'] = 'succeeded',
  job: { actionId: string; params: Record<string, unknown> } = { actionId: 'x', params: {} },
) {
  const r = recordRequest(run, stepId, `APR-${n}`, ctx());
  if ('ok' in r) throw new Error(r.reason);
  const o = {
    ...result(`approval-APR-${n}`, stepId, job.actionId, change, status),
    params: job.params,
  };
  const t = applyOutcome(r.run, o, ctx());
  if (!t) throw new Error('no transition');
  return passSafety(t);
}

/** Verify with an unhealthy monitor and a failing probe: confirmed, into pop-deep. */
function confirmed(): Transition {
  let t = start();
  t = feed(t.run, only(t), health(['PopDeepTestMonitor']));
  const p = only(t);
  expect(p.actionId).toBe('invoke-monitoring-probe');
  expect(p.params).toEqual({
    server: 'EX01',
    healthSet: 'POP.Protocol',
    probe: 'PopDeepTestProbe',
  });
  return feed(t.run, p, probe(false));
}

test('a new incident starts the verify procedure by itself', () => {
  const t = start();
  expect(t.run.status).toBe('verifying');
  expect(t.run.verdict).toBe('pending');
  const e = only(t);
  expect(e).toMatchObject({
    stepKey: 'pop-verify.2.1',
    actionId: 'get-server-health',
    params: { server: 'EX01', healthSet: 'POP.Protocol' },
    delayMs: 0,
  });
  expect(t.run.steps['pop-verify.1']?.state).toBe('done');
});

test('verdict transient: the re-run probe succeeds and the run ends', () => {
  let t = start();
  t = feed(t.run, only(t), health(['PopDeepTestMonitor']));
  t = feed(t.run, only(t), probe(true));
  expect(t.run.verdict).toBe('transient');
  expect(t.run.status).toBe('transient');
  expect(t.effects).toHaveLength(0);
});

test('verdict confirmed: the goto leads into the recovery section, whose change awaits approval', () => {
  const t = confirmed();
  expect(t.run.verdict).toBe('confirmed');
  expect(t.run.sectionId).toBe('pop-deep');
  expect(t.run.steps['pop-verify.2.4']?.state).toBe('done');
  expect(t.run.steps['pop-deep.1']?.state).toBe('awaiting-approval');
  expect(t.run.status).toBe('awaiting-approval');
  expect(t.effects).toHaveLength(0);
});

test('stops as soon as the re-run probe succeeds: recovered, later steps skipped', () => {
  let t = approved(confirmed().run, 'pop-deep.1', 1);
  expect(t.run.steps['pop-deep.1']?.state).toBe('succeeded');
  const e = only(t);
  expect(e.stepKey).toBe('pop-deep.2');
  t = feed(t.run, e, probe(true));
  expect(t.run.status).toBe('recovered');
  expect(t.run.recoveredAt).not.toBeNull();
  for (const id of ['pop-deep.3', 'pop-deep.4', 'pop-deep.5', 'pop-deep.8']) {
    expect(t.run.steps[id]?.state).toBe('skipped');
  }
});

test('the full PopDeepTest section: failover, bounded poll, restart, probe, fail back, recovered', () => {
  let t = approved(confirmed().run, 'pop-deep.1', 1);
  expect(t.run.status).toBe('running');
  t = feed(t.run, only(t), probe(false));
  expect(t.run.steps['pop-deep.3']?.state).toBe('awaiting-approval');
  expect(t.run.status).toBe('awaiting-approval');
  t = approved(t.run, 'pop-deep.3', 2);
  let poll = only(t);
  expect(poll).toMatchObject({
    stepKey: 'pop-deep.4',
    actionId: 'get-mailbox-database-copy-status',
  });
  // Copies still active: ask again after the interval (shortened to 1 s), bounded.
  t = feed(t.run, poll, copies(['DB01']));
  poll = only(t);
  expect(poll.delayMs).toBe(1000);
  expect(t.run.status).toBe('waiting');
  expect(t.run.waitShortened).toEqual({ runbookSeconds: 60, effectiveSeconds: 1 });
  t = feed(t.run, poll, copies([]));
  expect(t.run.steps['pop-deep.4']?.state).toBe('succeeded');
  expect(t.run.waitUntil).toBeNull();
  expect(t.run.steps['pop-deep.5']?.state).toBe('awaiting-approval');
  t = approved(t.run, 'pop-deep.5', 3);
  t = feed(t.run, only(t), probe(true));
  expect(t.run.recoveredAt).not.toBeNull();
  // The fail-back still runs: a condition ties it to the probe's success.
  expect(t.run.steps['pop-deep.7']?.state).toBe('awaiting-approval');
  t = approved(t.run, 'pop-deep.7', 4);
  // Beyond the seed: the databases move back to their preferred server, then where they are.
  expect(t.run.steps['pop-deep.failback']?.state).toBe('awaiting-approval');
  t = approved(t.run, 'pop-deep.failback', 5);
  const where = only(t);
  expect(where).toMatchObject({
    stepKey: 'pop-deep.failback-check',
    actionId: 'get-mailbox-database-copy-status',
  });
  t = feed(t.run, where, copies(['DB01']));
  expect(t.run.status).toBe('recovered');
  expect(t.run.steps['pop-deep.8']?.state).toBe('skipped');
});

test('repeat until no active copies is bounded: out of tries, the procedure stops', () => {
  let t = approved(confirmed().run, 'pop-deep.1', 1);
  t = feed(t.run, only(t), probe(false));
  t = approved(t.run, 'pop-deep.3', 2);
  for (let i = 0; i < 30; i++) t = feed(t.run, only(t), copies(['DB01']));
  expect(t.effects.filter((e) => e.type === 'enqueue')).toHaveLength(0);
  expect(t.run.steps['pop-deep.4']?.state).toBe('failed');
  expect(t.run.steps['pop-deep.4']?.tries).toBe(30);
  expect(t.run.status).toBe('escalated');
  expect(t.run.steps['pop-deep.5']?.state).not.toBe('awaiting-approval');
});

test('escalation: the probe still fails after the restart, the manual step ends the run', () => {
  let t = approved(confirmed().run, 'pop-deep.1', 1);
  t = feed(t.run, only(t), probe(false));
  t = approved(t.run, 'pop-deep.3', 2);
  t = feed(t.run, only(t), copies([]));
  t = approved(t.run, 'pop-deep.5', 3);
  t = feed(t.run, only(t), probe(false));
  expect(t.run.steps['pop-deep.7']?.state).toBe('skipped');
  expect(t.run.status).toBe('escalated');
  expect(t.run.steps['pop-deep.8']?.note).toMatch(/escalation/);
  const done = markStepDone(t.run, 'pop-deep.8', ctx(), 'Ana');
  if ('ok' in done) throw new Error(done.reason);
  expect(done.run.steps['pop-deep.8']?.state).toBe('done');
  expect(done.run.status).toBe('escalated');
});

test('a wait step becomes a delayed job, shortened by RUNBOOK_WAIT_SECONDS and recorded', () => {
  let t = start('AverageCommandProcessingTimeGt60sMonitor', 'POP', 2);
  t = feed(t.run, only(t), health([]));
  t = feed(t.run, only(t), probe(false));
  expect(t.run.sectionId).toBe('pop-60s');
  // Role unknown: the person picks the role when asking; the run waits for approval.
  expect(t.run.steps['pop-60s.1']?.state).toBe('awaiting-approval');
  t = approved(t.run, 'pop-60s.1', 1);
  const wait = only(t);
  expect(wait).toMatchObject({
    stepKey: 'pop-60s.2',
    actionId: 'get-server-health',
    delayMs: 2000,
  });
  expect(t.run.status).toBe('waiting');
  expect(t.run.waitUntil).not.toBeNull();
  expect(t.run.waitShortened).toEqual({ runbookSeconds: 600, effectiveSeconds: 2 });
  t = feed(t.run, wait, health([]));
  expect(t.run.status).toBe('recovered');
  expect(t.run.waitUntil).toBeNull();
});

test('without RUNBOOK_WAIT_SECONDS the runbook duration stands', () => {
  let t = start('AverageCommandProcessingTimeGt60sMonitor', 'POP', null);
  t = feed(t.run, only(t), health([]));
  t = feed(t.run, only(t), probe(false));
  t = approved(t.run, 'pop-60s.1', 1);
  expect(only(t).delayMs).toBe(600_000);
  expect(t.run.waitShortened).toBeUndefined();
});

test('an unknown outcome of a change: "outcome unknown, verify", the matching check, then done', () => {
  let t = approved(confirmed().run, 'pop-deep.1', 1, 'unknown', {
    actionId: 'restart-service',
    params: { server: 'EX01', service: 'MSExchangePOP3BE' },
  });
  const rs = t.run.steps['pop-deep.1'];
  expect(rs?.state).toBe('failed');
  expect(rs?.note).toBe('outcome unknown, verify');
  expect(rs?.verify).toEqual({
    actionId: 'get-service-status',
    params: { server: 'EX01', service: 'MSExchangePOP3BE' },
  });
  expect(t.run.status).toBe('failed');
  const check = runCheck(t.run, { stepKey: 'pop-deep.1' }, ctx());
  if ('ok' in check) throw new Error(check.reason);
  const e = only(check);
  expect(e.actionId).toBe('get-service-status');
  t = feed(check.run, e, { kind: 'service-status', name: 'MSExchangePOP3BE', status: 'Running' });
  expect(t.run.steps['pop-deep.1']?.results.at(-1)?.verification).toBe(true);
  const done = markStepDone(t.run, 'pop-deep.1', ctx(), 'Ana');
  if ('ok' in done) throw new Error(done.reason);
  expect(only(done).stepKey).toBe('pop-deep.2');
});

test('a redelivered outcome changes nothing', () => {
  const t = start();
  const e = only(t);
  const once = feed(t.run, e, health([]));
  expect(
    applyOutcome(once.run, result(e.jobId, e.stepKey, e.actionId, health([])), ctx()),
  ).toBeNull();
});

test('a check that could not run: the run fails there; Run again resumes it', () => {
  let t = start();
  t = feed(t.run, only(t), undefined, 'failed');
  expect(t.run.status).toBe('failed');
  expect(t.run.steps['pop-verify.2.1']?.outcome).toBeUndefined();
  const again = runCheck(t.run, { stepKey: 'pop-verify.2.1' }, ctx());
  if ('ok' in again) throw new Error(again.reason);
  expect(again.run.status).toBe('verifying');
  t = feed(again.run, only(again), health([]));
  expect(only(t).stepKey).toBe('pop-verify.2.3');
});

test('a wait without an action runs out by a timer', () => {
  // No shipped wait lacks an action; a run stopped on one is driven the same way.
  const t = start();
  const run = structuredClone(t.run);
  run.steps['pop-verify.2.1'] = { ...run.steps['pop-verify.2.1']!, currentJobId: 'tm-1' };
  expect(applyTimer(run, 'pop-verify.2.1', 'other', ctx())).toBeNull();
  const after = applyTimer(run, 'pop-verify.2.1', 'tm-1', ctx());
  expect(after?.run.steps['pop-verify.2.1']?.outcome).toBe('done');
});

test('stopping withdraws pending requests', () => {
  const r = recordRequest(confirmed().run, 'pop-deep.1', 'APR-9', ctx());
  if ('ok' in r) throw new Error(r.reason);
  const t = stopRun(r.run, 'the incident resolved', ctx());
  expect(t?.run.status).toBe('stopped');
  expect(t?.effects).toEqual([
    { type: 'withdraw', requestId: 'APR-9', reason: 'the incident resolved' },
  ]);
  expect(stopRun(t!.run, 'again', ctx())).toBeNull();
});

test('a manual step whose condition does not hold yet cannot be marked done', () => {
  // pop-deep.8 (escalate) applies only if step 6's probe failed; right after the verdict it has not run.
  const t = confirmed();
  const done = markStepDone(t.run, 'pop-deep.8', ctx(), 'Ana');
  expect(done).toEqual({
    ok: false,
    reason: expect.stringMatching(/^step pop-deep\.8 applies only .*not yet/),
  });
  expect(stepConditionsHold(t.run, 'pop-deep.8', ctx())).toBe(false);
});
