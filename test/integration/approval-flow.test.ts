// One file on purpose (over 450 lines): every test runs the approval flow against the same real
// Redis, policy and job sink set up once below, so splitting it would copy that set-up.
import { PLATFORM_RULES } from '../../adapters/registry';
import type { ApprovalRequest } from '../../src/domain/approvals/approval-request';
import { createApprovalFlow, type ApprovalFlowDeps } from '../../src/app/approvals/approval-flow';
import type { Actor } from '../../src/domain/identity/actor';
import { parsePolicy, type Policy } from '../../src/domain/approvals/policy';
import type { ApprovedJobSink } from '../../src/app/approvals/ports';
import { verifyChain } from '../../src/domain/audit/verify-chain';
import { normalizeAlert } from '../../src/domain/alerts/normalize-alert';
import { createAlertIntake } from '../../src/app/intake/record-alert';
import { createRedisIncidentStore } from '../../src/infra/redis/redis-incident-store';
import { ps51Alert } from '../fixtures/scom-alerts';
import { createRedisApprovalStore } from '../../src/infra/redis/redis-approval-store';
import { createRedisAuditLog } from '../../src/infra/redis/redis-audit-log';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';
import { webApi } from '@slack/bolt';
import { createSlackIdentityResolver } from '../../adapters/slack/identities';
import { createCachedIdentityResolver } from '../../src/app/approvals/cached-identity-resolver';
import { ACCOUNT_IDENTITY, type IdentityResolver } from '../../src/app/approvals/ports';
import { startFakeSlackApi } from '../support/fake-slack-api';

const redis = testRedis();
const prefix = testPrefix('approvals');
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const POLICY = `
version: 1
people:
  adam: { console: adam, slack: U0ADAM001 }
roles:
  operator:
    - console: [olga, oscar]
  approver:
    - console: [alice, ann]
    - slackGroups: S0EXADMIN
  admin:
    - people: adam
`;

function policyOf(text: string): Policy {
  const r = parsePolicy(text, PLATFORM_RULES, 'test.yaml');
  if (!r.ok) throw r.error;
  return r.policy;
}

// The console adapter gives each account its login as `upn`, its directory identity.
const con = (id: string): Actor => ({ platform: 'console', id, displayName: id, upn: id });
const olga = con('olga');
const alice = con('alice');
const ann = con('ann');
const adam = con('adam');
const vic = con('vic');
const SERVER = 'EX01.contoso.com';
const TTL = 15 * 60_000;

/** The one fake here: the job sink the lead wires to BullMQ later. Redis is real throughout. */
class RecordingSink implements ApprovedJobSink {
  jobs: ApprovalRequest[] = [];
  failNext = 0;
  async enqueue(approval: ApprovalRequest): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('queue down');
    }
    // Idempotent by approval id, as the BullMQ job id will make it.
    if (!this.jobs.some((j) => j.id === approval.id)) this.jobs.push(approval);
  }
}

let incidentSeq = 0;
function setup(over: Partial<ApprovalFlowDeps> = {}) {
  let now = Date.now();
  let policy = policyOf(POLICY);
  const sink = new RecordingSink();
  const audit = createRedisAuditLog(redis, { prefix });
  const errors: string[] = [];
  const flow = createApprovalFlow({
    store: createRedisApprovalStore(redis, { prefix, retentionMs: 3_600_000 }),
    policy: { current: () => policy },
    jobs: sink,
    audit,
    ttlMs: TTL,
    clock: () => new Date(now),
    groups: { groupsOf: async (a) => (a.id === 'U0GROUPIE' ? ['S0EXADMIN'] : []) },
    siteOf: () => 'HQ',
    onError: (what, err) => errors.push(`${what}: ${String(err)}`),
    ...over,
  });
  incidentSeq += 1;
  return {
    flow,
    sink,
    audit,
    errors,
    incidentId: `INC-T${incidentSeq}`,
    advance: (ms: number) => (now += ms),
    setPolicy: (text: string) => (policy = policyOf(text)),
  };
}

async function restartRequest(t: ReturnType<typeof setup>, by: Actor = olga) {
  const r = await t.flow.requestStep({
    actor: by,
    incidentId: t.incidentId,
    actionId: 'restart-service',
    params: { server: SERVER, service: 'MSExchangePOP3BE' },
    note: 'POP backend hung',
  });
  if (!r.ok) throw new Error(r.reason);
  return r.request;
}

async function auditActions(t: ReturnType<typeof setup>, requestId: string): Promise<string[]> {
  const entries = await t.audit.latest({}, 1000);
  return entries
    .filter((e) => e.params.requestId === requestId)
    .reverse()
    .map((e) => e.action);
}

test('a change step: requested with the exact command, approved once, enqueued once, audited', async () => {
  const t = setup();
  const req = await restartRequest(t);
  expect(req).toMatchObject({
    state: 'pending',
    risk: 'change',
    server: SERVER,
    site: 'HQ',
    command:
      "Invoke-Command -ComputerName 'EX01.contoso.com' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3BE' -Force }",
    requester: olga,
    note: 'POP backend hung',
  });
  expect(Date.parse(req.expiresAt) - Date.parse(req.requestedAt)).toBe(TTL);
  expect(t.sink.jobs).toHaveLength(0);

  const approved = await t.flow.approve({ actor: alice, requestId: req.id });
  expect(approved).toMatchObject({ ok: true, request: { state: 'approved', approvedBy: alice } });
  expect(t.sink.jobs.map((j) => j.id)).toEqual([req.id]);
  expect(await redis.zcard(redisKeys(prefix).approvalOutbox)).toBe(0);
  expect(await auditActions(t, req.id)).toEqual(['approval.requested', 'approval.approved']);
  expect((await t.flow.listForIncident(t.incidentId)).map((r) => r.id)).toEqual([req.id]);
  expect(t.errors).toEqual([]);
});

test('20 concurrent approvals of one request give exactly one approval and one job', async () => {
  const t = setup();
  const req = await restartRequest(t);
  const replicas = Array.from({ length: 5 }, () => testRedis());
  try {
    // Each click may land on another bot replica, each with its own Redis connection.
    const flows = replicas.map((r) =>
      createApprovalFlow({
        store: createRedisApprovalStore(r, { prefix, retentionMs: 3_600_000 }),
        policy: { current: () => policyOf(POLICY) },
        jobs: t.sink,
        audit: createRedisAuditLog(r, { prefix }),
        ttlMs: TTL,
        groups: { groupsOf: async (a) => (a.id === 'U0GROUPIE' ? ['S0EXADMIN'] : []) },
      }),
    );
    const approvers = [alice, ann, adam, { platform: 'slack', id: 'U0GROUPIE' } as Actor];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        flows[i % flows.length]!.approve({
          actor: approvers[i % approvers.length]!,
          requestId: req.id,
        }),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) {
      expect(r).toMatchObject({ ok: false, code: 'not-pending' });
      if (!r.ok) expect(r.reason).toMatch(/is already approved by .* at .*; nothing changed\./);
    }
    expect(t.sink.jobs.filter((j) => j.id === req.id)).toHaveLength(1);
    const stored = await t.flow.get(req.id);
    expect(stored).toMatchObject({ state: 'approved', version: 2 });
    expect((await auditActions(t, req.id)).filter((a) => a === 'approval.approved')).toHaveLength(
      1,
    );
  } finally {
    await Promise.all(replicas.map((r) => r.quit()));
  }
});

test('approve, reject, cancel and expiry racing each other: one outcome, a job only if approved', async () => {
  for (let round = 0; round < 5; round++) {
    const t = setup();
    const req = await restartRequest(t);
    // Everyone presses at the very moment the request expires on the clock of some replicas.
    const late = createApprovalFlow({
      store: createRedisApprovalStore(redis, { prefix, retentionMs: 3_600_000 }),
      policy: { current: () => policyOf(POLICY) },
      jobs: t.sink,
      audit: createRedisAuditLog(redis, { prefix }),
      ttlMs: TTL,
      clock: () => new Date(Date.parse(req.expiresAt)),
    });
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => t.flow.approve({ actor: alice, requestId: req.id })),
      ...Array.from({ length: 4 }, () =>
        t.flow.reject({ actor: ann, requestId: req.id, reason: 'not now' }),
      ),
      t.flow.cancel({ actor: olga, requestId: req.id }),
      late.expireDue(),
      late.approve({ actor: ann, requestId: req.id }),
    ]);
    const changed = results.filter((r) => !Array.isArray(r) && r.ok);
    const expiredByTimer = results.filter(
      (r) => Array.isArray(r) && r.some((x) => x.id === req.id),
    );
    const final = await t.flow.get(req.id);
    expect(final?.version).toBe(2);
    expect(changed.length + expiredByTimer.length).toBeLessThanOrEqual(1);
    expect(t.sink.jobs.filter((j) => j.id === req.id)).toHaveLength(
      final?.state === 'approved' ? 1 : 0,
    );
    const decided = (await auditActions(t, req.id)).filter((a) => a !== 'approval.requested');
    expect(decided).toEqual([`approval.${final?.state}`]);
  }
});

test("a viewer's click changes nothing and says why", async () => {
  const t = setup();
  const req = await restartRequest(t);
  for (const who of [vic, { platform: 'teams', id: 'unknown-aad-id' } as Actor, olga]) {
    const r = await t.flow.approve({ actor: who, requestId: req.id });
    expect(r).toMatchObject({ ok: false, code: 'denied' });
    if (!r.ok)
      expect(r.reason).toMatch(
        /^You are an? (viewer|operator) on EX01\.contoso\.com \(site HQ\); approving a change step needs an approver or higher\.$/,
      );
  }
  const rej = await t.flow.reject({ actor: vic, requestId: req.id, reason: 'no' });
  expect(rej).toMatchObject({ ok: false, code: 'denied' });
  const cancel = await t.flow.cancel({ actor: vic, requestId: req.id });
  expect(cancel).toMatchObject({ ok: false, code: 'denied' });
  expect(await t.flow.get(req.id)).toEqual(req);
  expect(t.sink.jobs).toHaveLength(0);
  expect(await auditActions(t, req.id)).toEqual(['approval.requested']);
  // A viewer may not ask for anything either.
  const ask = await t.flow.requestStep({
    actor: vic,
    incidentId: t.incidentId,
    actionId: 'get-server-health',
    params: { server: SERVER },
  });
  expect(ask).toMatchObject({ ok: false, code: 'denied' });
});

test('destructive: confirmation first, the two-person rule, and break glass only with a reason', async () => {
  const t = setup();
  const ask = { incidentId: t.incidentId, actionId: 'restart-server', params: { server: SERVER } };
  expect(await t.flow.requestStep({ actor: alice, ...ask })).toMatchObject({
    ok: false,
    code: 'confirmation-required',
  });
  const mine = await t.flow.requestStep({ actor: alice, ...ask, confirmed: true });
  if (!mine.ok) throw new Error(mine.reason);
  const selfApprove = await t.flow.approve({ actor: alice, requestId: mine.request.id });
  expect(selfApprove).toMatchObject({ ok: false, code: 'denied' });
  if (!selfApprove.ok) expect(selfApprove.reason).toContain('Two-person rule');
  expect(await t.flow.approve({ actor: ann, requestId: mine.request.id })).toMatchObject({
    ok: true,
    request: { state: 'approved', approvedBy: ann, breakGlass: null },
  });

  const adams = await t.flow.requestStep({
    actor: adam,
    ...ask,
    params: { server: 'EX02.contoso.com' },
    confirmed: true,
  });
  if (!adams.ok) throw new Error(adams.reason);
  const noReason = await t.flow.approve({ actor: adam, requestId: adams.request.id });
  expect(noReason).toMatchObject({ ok: false, code: 'denied' });
  if (!noReason.ok) expect(noReason.reason).toContain('only with a written reason');
  // The same person from another platform is still the same person.
  const fromSlack = await t.flow.approve({
    actor: { platform: 'slack', id: 'U0ADAM001' },
    requestId: adams.request.id,
  });
  expect(fromSlack).toMatchObject({ ok: false, code: 'denied' });
  const reason = 'Site down, no second admin reachable at 03:00';
  const glass = await t.flow.approve({
    actor: adam,
    requestId: adams.request.id,
    breakGlassReason: reason,
  });
  expect(glass).toMatchObject({ ok: true, request: { state: 'approved', breakGlass: { reason } } });
  const entries = await t.audit.latest({}, 50);
  const approvedEntry = entries.find(
    (e) => e.action === 'approval.approved' && e.params.requestId === adams.request.id,
  );
  expect(approvedEntry?.params.breakGlassReason).toBe(reason);
  expect(approvedEntry?.result).toBe(`approved by break glass: ${reason}`);
  expect(t.sink.jobs.map((j) => j.id)).toEqual([mine.request.id, adams.request.id]);
});

test('a request expires: a late click is refused and expireDue expires the rest', async () => {
  const t = setup();
  const a = await restartRequest(t);
  const b = await t.flow.requestStep({
    actor: olga,
    incidentId: t.incidentId,
    actionId: 'set-pop-protocol-log',
    params: { server: SERVER, enabled: true },
  });
  if (!b.ok) throw new Error(b.reason);
  // Other tests share the prefix and leave requests pending: look only at this incident's.
  const mine = (rs: ApprovalRequest[]) => rs.filter((r) => r.incidentId === t.incidentId);
  t.advance(TTL - 1000);
  expect(mine(await t.flow.expireDue())).toEqual([]);
  t.advance(1000);
  const late = await t.flow.approve({ actor: alice, requestId: a.id });
  expect(late).toMatchObject({ ok: false, code: 'expired', request: { state: 'expired' } });
  const expired = mine(await t.flow.expireDue());
  expect(expired.map((r) => r.id)).toEqual([b.request.id]);
  expect(expired[0]?.state).toBe('expired');
  expect(await t.flow.expireDue()).toEqual([]);
  expect(await t.flow.approve({ actor: alice, requestId: b.request.id })).toMatchObject({
    ok: false,
    code: 'not-pending',
  });
  expect(t.sink.jobs).toHaveLength(0);
  expect(await auditActions(t, a.id)).toEqual(['approval.requested', 'approval.expired']);
  // Once expired, the same step may be asked for again.
  const again = await restartRequest(t);
  expect(again.id).not.toBe(a.id);
});

test('cancel: only by the requester, and only while pending', async () => {
  const t = setup();
  const req = await restartRequest(t);
  const byOther = await t.flow.cancel({ actor: alice, requestId: req.id });
  expect(byOther).toMatchObject({ ok: false, code: 'denied' });
  if (!byOther.ok)
    expect(byOther.reason).toBe(
      'Only olga (console:olga), who asked for it, can cancel this request.',
    );
  expect(await t.flow.cancel({ actor: olga, requestId: req.id })).toMatchObject({
    ok: true,
    request: { state: 'cancelled' },
  });
  expect(await t.flow.cancel({ actor: olga, requestId: req.id })).toMatchObject({
    ok: false,
    code: 'not-pending',
  });
  expect(await t.flow.approve({ actor: alice, requestId: req.id })).toMatchObject({
    ok: false,
    code: 'not-pending',
  });
  const approvedOne = await restartRequest(t);
  await t.flow.approve({ actor: alice, requestId: approvedOne.id });
  expect(await t.flow.cancel({ actor: olga, requestId: approvedOne.id })).toMatchObject({
    ok: false,
    code: 'not-pending',
  });
  expect(await auditActions(t, req.id)).toEqual(['approval.requested', 'approval.cancelled']);
});

test('reject needs a reason; a rejected request cannot be approved', async () => {
  const t = setup();
  const req = await restartRequest(t);
  expect(await t.flow.reject({ actor: alice, requestId: req.id, reason: ' ' })).toMatchObject({
    ok: false,
    code: 'denied',
    reason: 'A rejection needs a reason.',
  });
  expect(
    await t.flow.reject({
      actor: alice,
      requestId: req.id,
      reason: 'wrong server, EX02 is the one',
    }),
  ).toMatchObject({
    ok: true,
    request: { state: 'rejected', rejectReason: 'wrong server, EX02 is the one' },
  });
  const late = await t.flow.approve({ actor: ann, requestId: req.id });
  expect(late).toMatchObject({ ok: false, code: 'not-pending' });
  if (!late.ok) expect(late.reason).toContain('already rejected by alice');
  expect(t.sink.jobs).toHaveLength(0);
});

test('the policy is checked at the click, not when the card was drawn', async () => {
  const t = setup();
  const req = await restartRequest(t);
  t.setPolicy(POLICY.replace('    - console: [alice, ann]\n', '    - console: [ann]\n'));
  expect(await t.flow.approve({ actor: alice, requestId: req.id })).toMatchObject({
    ok: false,
    code: 'denied',
  });
  expect(await t.flow.approve({ actor: ann, requestId: req.id })).toMatchObject({ ok: true });
});

test('asking twice for the same pending step returns the first request', async () => {
  const t = setup();
  const first = await restartRequest(t);
  const [a, b] = await Promise.all([
    t.flow.requestStep({
      actor: con('oscar'),
      incidentId: t.incidentId,
      actionId: 'restart-service',
      params: { server: SERVER, service: 'MSExchangePOP3BE' },
    }),
    t.flow.requestStep({
      actor: olga,
      incidentId: t.incidentId,
      actionId: 'restart-service',
      params: { server: 'ex01.contoso.com ', service: 'MSExchangePOP3BE' },
    }),
  ]);
  expect(a).toMatchObject({ ok: true, created: false, request: { id: first.id } });
  expect(b.ok && b.request.id).not.toBe(first.id); // another server spelling is another command
  expect(await auditActions(t, first.id)).toEqual(['approval.requested']);
});

test('read steps run without approval; bad parameters are refused before anything is stored', async () => {
  const t = setup();
  const r = await t.flow.requestStep({
    actor: olga,
    incidentId: t.incidentId,
    actionId: 'get-server-health',
    params: { server: SERVER, healthSet: 'POP.Protocol' },
  });
  expect(r).toMatchObject({
    ok: true,
    request: { state: 'approved', autoApproved: true, approvedBy: olga },
  });
  expect(t.sink.jobs).toHaveLength(1);
  const bad = await t.flow.requestStep({
    actor: olga,
    incidentId: t.incidentId,
    actionId: 'restart-service',
    params: { server: "EX01';Restart-Computer", service: 'W3SVC' },
  });
  expect(bad).toMatchObject({ ok: false, code: 'invalid-params' });
  if (!bad.ok)
    expect(bad.reason).toMatch(
      /^The step cannot be built: server server is not a valid host name.*; service must be one of/,
    );
});

test('a step for an incident that is missing or not actionable is refused', async () => {
  const incidents = createRedisIncidentStore(redis, { prefix, retentionMs: 3_600_000 });
  const intake = createAlertIntake({ store: incidents, events: { publish: async () => {} } });
  const record = async (overrides: Record<string, unknown>) => {
    const parsed = normalizeAlert(ps51Alert(overrides), { timeZone: 'UTC' });
    if (!parsed.ok) throw new Error('fixture');
    return (await intake.record(parsed.alert)).incidentId as string;
  };
  const good = await record({});
  const bad = await record({
    Id: '0e0e0e0e-2b4d-4e8f-9a1b-3c5d7e9f1a2b',
    PrincipalName: 'EX01;Restart-Computer',
    MonitoringObjectDisplayName: 'EX01;Restart-Computer',
    MonitoringObjectPath: 'EX01;Restart-Computer',
    NetbiosComputerName: 'EX01;Restart-Computer',
    MonitoringObjectFullName: 'Microsoft.Exchange.15.HealthSet:EX01;Restart-Computer;POP.Protocol',
  });
  const t = setup({ incidents });
  const ask = (incidentId: string) =>
    t.flow.requestStep({
      actor: olga,
      incidentId,
      actionId: 'get-server-health',
      params: { server: SERVER },
    });
  expect(await ask(good)).toMatchObject({ ok: true });
  expect(await ask(bad)).toMatchObject({
    ok: false,
    code: 'not-actionable',
    reason: `Incident ${bad} has no valid server name; no step may target it.`,
  });
  expect(await ask('INC-999999')).toMatchObject({
    ok: false,
    reason: 'There is no incident INC-999999.',
  });
});

test('the worker side records running, succeeded, failed, unknown and refusals', async () => {
  const t = setup();
  const req = await restartRequest(t);
  expect(await t.flow.recordExecution({ requestId: req.id, state: 'running' })).toMatchObject({
    ok: false,
    code: 'invalid-transition',
  });
  await t.flow.approve({ actor: alice, requestId: req.id });
  const worker = { platform: 'worker' as const, id: 'WIN-WORKER-1' };
  expect(
    await t.flow.recordExecution({
      requestId: req.id,
      state: 'running',
      by: worker,
      jobId: 'job-1',
    }),
  ).toMatchObject({ ok: true, request: { state: 'running', execution: { jobId: 'job-1' } } });
  // A retried report changes nothing.
  const again = await t.flow.recordExecution({ requestId: req.id, state: 'running', by: worker });
  expect(again).toMatchObject({ ok: true, request: { version: 3 } });
  expect(
    await t.flow.recordExecution({
      requestId: req.id,
      state: 'succeeded',
      by: worker,
      summary: 'service restarted',
    }),
  ).toMatchObject({
    ok: true,
    request: { state: 'succeeded', execution: { summary: 'service restarted', jobId: 'job-1' } },
  });
  expect(await t.flow.recordExecution({ requestId: req.id, state: 'failed' })).toMatchObject({
    ok: false,
    code: 'invalid-transition',
  });

  const lost = await restartRequest(t, con('oscar'));
  await t.flow.approve({ actor: ann, requestId: lost.id });
  await t.flow.recordExecution({ requestId: lost.id, state: 'running', by: worker });
  expect(
    await t.flow.recordExecution({
      requestId: lost.id,
      state: 'unknown',
      summary: 'worker died mid-job',
    }),
  ).toMatchObject({ ok: true, request: { state: 'unknown' } });

  const refused = await t.flow.requestStep({
    actor: olga,
    incidentId: t.incidentId,
    actionId: 'allow-database-activation',
    params: { server: SERVER },
  });
  if (!refused.ok) throw new Error(refused.reason);
  await t.flow.approve({ actor: ann, requestId: refused.request.id });
  await t.flow.recordExecution({
    requestId: refused.request.id,
    state: 'failed',
    refused: true,
    summary: 'signature expired',
  });
  expect(await auditActions(t, req.id)).toEqual([
    'approval.requested',
    'approval.approved',
    'job.started',
    'job.finished',
  ]);
  expect(await auditActions(t, lost.id)).toContain('job.outcome-unknown');
  expect(await auditActions(t, refused.request.id)).toContain('job.refused');
});

test('an approval whose job hand-off failed is handed on by the relay, once', async () => {
  const t = setup();
  const req = await restartRequest(t);
  t.sink.failNext = 1;
  expect(await t.flow.approve({ actor: alice, requestId: req.id })).toMatchObject({ ok: true });
  expect(t.sink.jobs).toHaveLength(0);
  expect(t.errors).toEqual(['enqueue: Error: queue down']);
  expect(await t.flow.relayApproved(60_000)).toBe(0); // too fresh: maybe still in flight
  t.advance(10_000);
  expect(await t.flow.relayApproved(5000)).toBe(1);
  expect(await t.flow.relayApproved(5000)).toBe(0);
  expect(t.sink.jobs.map((j) => j.id)).toEqual([req.id]);
});

test('an audit append that failed after the commit is written later by the relay, once', async () => {
  const real = createRedisAuditLog(redis, { prefix });
  let failures = 2;
  const t = setup({
    // Fault injection on the real Redis-backed log: the first two appends fail.
    audit: {
      append: (event, options) => {
        if (failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('redis timeout'));
        }
        return real.append(event, options);
      },
    },
  });
  const req = await restartRequest(t);
  await t.flow.approve({ actor: alice, requestId: req.id });
  expect(t.errors).toEqual(['audit: Error: redis timeout', 'audit: Error: redis timeout']);
  expect(t.sink.jobs).toHaveLength(1); // the job does not wait for the audit trail
  expect(await auditActions(t, req.id)).toEqual([]);
  expect(await redis.zcard(redisKeys(prefix).approvalAuditOutbox)).toBeGreaterThanOrEqual(2);
  t.advance(10_000);
  const [a, b] = await Promise.all([t.flow.relayAudit(5000), t.flow.relayAudit(5000)]);
  expect(a + b).toBeGreaterThanOrEqual(2);
  expect(await auditActions(t, req.id)).toEqual(['approval.requested', 'approval.approved']);
  expect(await t.flow.relayAudit(5000)).toBe(0);
});

test('the whole trail written by these flows verifies', async () => {
  const audit = createRedisAuditLog(redis, { prefix });
  const all = [];
  for await (const e of audit.scan()) all.push(e);
  expect(all.length).toBeGreaterThan(20);
  expect(verifyChain(all, { head: await audit.head() })).toMatchObject({ ok: true });
});

test('a request the bot withdrew (the SCOM alert resolved) says so on a late click, not "cancelled by the requester"', async () => {
  const t = setup();
  const req = await restartRequest(t);
  expect(
    await t.flow.withdraw({ requestId: req.id, reason: 'the SCOM alert resolved' }),
  ).toMatchObject({ ok: true, request: { state: 'cancelled' } });
  const late = await t.flow.approve({ actor: alice, requestId: req.id });
  expect(late).toMatchObject({ ok: false, code: 'not-pending' });
  if (!late.ok) {
    expect(late.reason).toMatch(/withdrawn by the bot .*: the SCOM alert resolved/);
    expect(late.reason).not.toMatch(/requester/);
  }
  // A requester's own cancel still says that.
  const own = await restartRequest(t);
  await t.flow.cancel({ actor: olga, requestId: own.id });
  const late2 = await t.flow.approve({ actor: alice, requestId: own.id });
  if (!late2.ok) expect(late2.reason).toMatch(/cancelled by the requester/);
});

test('the two-person rule compares people: asked on Slack, approved on Teams by the same person is refused, by another approved', async () => {
  const slack = await startFakeSlackApi();
  try {
    // Ana's Slack account has her verified email; her Teams account has her UPN, in other case.
    slack.users = {
      U0ANA0001: { email: 'ana@contoso.com' },
      U0NOMAIL1: {},
      U0UNCONF1: { email: 'kim@contoso.com', isEmailConfirmed: false },
    };
    const client = new webApi.WebClient('xoxb-test', {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    const slackIds = createSlackIdentityResolver(client);
    const identities: IdentityResolver = createCachedIdentityResolver({
      identityOf: (a) => (a.platform === 'slack' ? slackIds : ACCOUNT_IDENTITY).identityOf(a),
    });
    const t = setup({ identities });
    t.setPolicy(`
version: 1
roles:
  operator:
    - slack: [U0ANA0001, U0NOMAIL1, U0UNCONF1]
  approver:
    - teams: [ana@contoso.com, bo@contoso.com]
    - slack: [U0NOMAIL1, U0UNCONF1]
`);
    const anaSlack: Actor = { platform: 'slack', id: 'U0ANA0001', displayName: 'Ana' };
    const anaTeams: Actor = {
      platform: 'teams',
      id: '0f3c1a52-8d7e-4b6a-9c1d-2e3f4a5b6c7d',
      upn: 'Ana@Contoso.com',
      displayName: 'Ana',
    };
    const boTeams: Actor = {
      platform: 'teams',
      id: '1f3c1a52-8d7e-4b6a-9c1d-2e3f4a5b6c7d',
      upn: 'bo@contoso.com',
      displayName: 'Bo',
    };
    const asked = await t.flow.requestStep({
      actor: anaSlack,
      incidentId: t.incidentId,
      actionId: 'restart-server',
      params: { server: SERVER },
      confirmed: true,
    });
    if (!asked.ok) throw new Error(asked.reason);
    const self = await t.flow.approve({ actor: anaTeams, requestId: asked.request.id });
    expect(self).toMatchObject({ ok: false, code: 'denied' });
    if (!self.ok)
      expect(self.reason).toMatch(
        /^Two-person rule: a destructive step must be approved by someone other than Ana/,
      );
    // Slack was asked once for Ana (cached after), never for a Teams account.
    expect(slack.callsTo('users.info').map((c) => c.body.user)).toEqual(['U0ANA0001']);

    // An account whose identity cannot be told cannot approve it, and is told why.
    for (const id of ['U0NOMAIL1', 'U0UNCONF1']) {
      const unknown = await t.flow.approve({
        actor: { platform: 'slack', id },
        requestId: asked.request.id,
      });
      expect(unknown).toMatchObject({ ok: false, code: 'denied' });
      if (!unknown.ok)
        expect(unknown.reason).toMatch(/I cannot tell who is behind your slack account/);
    }

    const other = await t.flow.approve({ actor: boTeams, requestId: asked.request.id });
    expect(other).toMatchObject({ ok: true, request: { state: 'approved', approvedBy: boTeams } });
  } finally {
    await slack.close();
  }
});
