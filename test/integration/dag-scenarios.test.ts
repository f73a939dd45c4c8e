import { Command } from 'commander';
import { readOrg } from '../../jobs/simulated-exchange';
import { createDemoOrg } from '../../jobs/simulated-exchange/org-state';
import { updateState } from '../../jobs/simulated-exchange/state-store';
import { alertIdFor, buildScenarioAlert } from '../../jobs/simulated-exchange/alert-scenarios';
import type { RunningDemo } from '../../src/cli/commands/demo';
import { startTestDemo } from '../support/demo';
import { registerSendAlert } from '../../src/cli/commands/send-alert';
import type { Card, CardStep, CardTable } from '../../src/domain/cards/card';
import { buildIncidentCard } from '../../src/domain/cards/incident-card';
import type { Actor } from '../../src/domain/identity/actor';
import type { RemediationRun } from '../../src/domain/remediation/run';
import { deletePrefix, testPrefix, testRedis } from '../support/redis';

/**
 * The DAG and Managed Availability scenarios of `send-alert --list` (beyond the seed), raised
 * with `send-alert` against the demo (the bot, the console and a worker on the simulated
 * Exchange) and driven to the end their descriptions promise. Each starts from a healthy
 * simulated organisation, so one scenario's downed member or maintenance does not leak into the
 * next. demo-scenarios.test.ts checks that these and its own are exactly the listed scenarios.
 */
const prefix = testPrefix('dag-scenarios');
const alice: Actor = { platform: 'console', id: 'alice', displayName: 'alice' };
const bob: Actor = { platform: 'console', id: 'bob', displayName: 'bob' };
let demo: RunningDemo;

beforeAll(async () => {
  demo = await startTestDemo(prefix, {
    // Several POP alerts within minutes would make an outage of them (a card for the outage,
    // the incidents' own cards held): these tests are about one server's safety checks.
    OUTAGE_MODE: 'off',
  });
}, 60_000);

beforeEach(async () => {
  // A healthy organisation again (the demo's timing kept).
  await updateState(demo.stateFile, (s) => {
    Object.assign(s, createDemoOrg({ timing: s.timing }));
  });
});

afterAll(async () => {
  await demo?.stop();
  const redis = testRedis();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

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

const awaiting = (run: RemediationRun) =>
  Object.entries(run.steps)
    .filter(([, s]) => s.state === 'awaiting-approval')
    .map(([id]) => id);

/** The run's next change waits for approval: it must be `stepId`; alice asks, bob approves. */
async function approveNext(incidentId: string, stepId: string): Promise<RemediationRun> {
  const waiting = await until(
    incidentId,
    `${stepId} to wait for approval`,
    (r) => awaiting(r).length > 0,
  );
  expect(awaiting(waiting)).toEqual([stepId]);
  const asked = await demo.server.remediation.requestStep({
    incidentId,
    sectionId: waiting.sectionId,
    stepId,
    actor: alice,
    confirmed: true,
  });
  if (!asked.ok) throw new Error(`${stepId}: ${asked.reason}`);
  const approved = await demo.server.approvals.flow.approve({
    actor: bob,
    requestId: asked.request.id,
  });
  if (!approved.ok) throw new Error(`${stepId}: ${approved.reason}`);
  return until(incidentId, `${stepId} to succeed`, (r) => r.steps[stepId]?.state === 'succeeded');
}

/** The incident's card as the domain builds it from the stored incident and run. */
async function cardOf(incidentId: string, lang: 'en' | 'zh-TW' = 'en'): Promise<Card> {
  const incident = await demo.server.incidents.get(incidentId);
  if (!incident) throw new Error(`no incident ${incidentId}`);
  return buildIncidentCard({
    incident,
    catalog: demo.server.catalog,
    run: await demo.server.remediation.getRun(incidentId),
    requests: [],
    lang,
    now: new Date(),
  });
}

const stepOf = (card: Card, id: string): CardStep => {
  const all = (steps: CardStep[]): CardStep[] => steps.flatMap((s) => [s, ...all(s.steps)]);
  const found = all(card.steps).find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} on the card`);
  return found;
};
const column = (table: CardTable, key: string) => {
  const i = table.columns.findIndex((c) => c.key === key);
  return table.rows.map((r) => r.cells[i]);
};
const notMet = (run: RemediationRun, step: string) =>
  run.steps[step]?.results.some((r) => r.expectation === 'not-met') === true;

test('dag-no-healthy-copy: the failover is refused with its evidence, nothing moves, escalation is offered', async () => {
  const id = await sendAlert('dag-no-healthy-copy');
  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  await approveNext(id, 'pop-deep.1');
  const refused = await until(
    id,
    'the pre-check to fail',
    (r) => r.steps['pop-deep.precheck']?.state === 'failed',
  );
  expect(refused.steps['pop-deep.precheck']?.results.at(-1)?.summary).toMatch(
    /^held: DB02 has no healthy copy to fail over to/,
  );
  // The run offers the escalation instead of the failover, which it never asks for.
  const escalating = await until(
    id,
    'the escalation',
    (r) => r.steps['pop-deep.precheck-escalate']?.started === true,
  );
  expect(escalating.steps['pop-deep.3']?.state).not.toBe('awaiting-approval');
  expect(awaiting(escalating)).not.toContain('pop-deep.3');

  const card = await cardOf(id);
  const pre = stepOf(card, 'pop-deep.precheck');
  expect(pre.evidence?.tone).toBe('attention');
  expect(pre.evidence?.verdict).toBe(
    'Failover refused: DB02 has no healthy copy to fail over to. Nothing was moved; escalate instead',
  );
  const table = pre.evidence!.tables[0]!;
  expect(column(table, 'server')).toEqual(['EX01', 'EX03', 'EX04']);
  expect(column(table, 'fit').every((f) => f !== 'yes')).toBe(true);
  // The run ends escalated on the escalation step, which stays open for the person who takes over.
  expect(escalating.status).toBe('escalated');
  expect(card.status?.label).toMatch(/^Escalated/);
  const escalate = stepOf(card, 'pop-deep.precheck-escalate');
  expect(escalate.state).toBe('pending');
  expect(escalate.actions.map((a) => a.label)).toEqual(['Mark done']);
  expect(stepOf(card, 'pop-deep.3').actions).toEqual([]);

  // Nothing was moved: DB02 is still active on EX02, whose activation is not blocked.
  const org = await readOrg(demo.stateFile);
  expect(org.databases.find((d) => d.name === 'DB02')?.active).toBe('EX02');
  expect(org.servers.find((s) => s.name === 'EX02')?.activationDisabled).toBe(false);
  // Closed, so a later alert about EX02 opens an incident of its own.
  await sendAlert('dag-no-healthy-copy', '--resolve');
}, 120_000);

test('dag-member-restarting: the databases fail over, the restart is held while EX02 is down', async () => {
  const id = await sendAlert('dag-member-restarting');
  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  await approveNext(id, 'pop-deep.1');
  await approveNext(id, 'pop-deep.3');
  const held = await until(id, 'the restart guard to hold', (r) => notMet(r, 'pop-deep.guard'));
  expect(held.steps['pop-deep.guard']?.results.at(-1)?.summary).toMatch(
    /^held: DAG member EX02 is down or restarting/,
  );
  expect(held.steps['pop-deep.5']?.state).not.toBe('awaiting-approval');
  expect(awaiting(held)).toEqual([]);

  const guard = stepOf(await cardOf(id), 'pop-deep.guard');
  expect(guard.evidence?.verdict).toBe(
    'Restart held: Other DAG members restarting, failed over or down (EX02: down or restarting (copies ServiceDown))',
  );
  const rows = guard.evidence!.tables[0]!.rows;
  expect(rows.filter((r) => r.tone === 'attention').map((r) => r.cells[0])).toEqual([
    'Other DAG members restarting, failed over or down',
  ]);
  const zh = stepOf(await cardOf(id, 'zh-TW'), 'pop-deep.guard');
  expect(zh.evidence?.verdict).toMatch(/^重新啟動暫緩：其他 DAG 成員/);
  // EX01 was not restarted: its fault is still there.
  const org = await readOrg(demo.stateFile);
  expect(org.servers.find((s) => s.name === 'EX01')?.online).toBe(true);
  expect(org.faults.filter((f) => f.server === 'EX01')).toHaveLength(1);
  // Closed, so the next scenario on EX01 opens an incident of its own.
  await sendAlert('dag-member-restarting', '--resolve');
}, 120_000);

test("ma-recovery-in-progress: the changes are held and Managed Availability's action is shown", async () => {
  const id = await sendAlert('ma-recovery-in-progress');
  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  const held = await until(id, 'the hold', (r) => notMet(r, 'pop-deep.hold'));
  expect(held.steps['pop-deep.hold']?.results.at(-1)?.summary).toMatch(
    /^held: Managed Availability is recovering MSExchangePOP3BE \(RestartService by PopDeepTestRestart/,
  );
  expect(awaiting(held)).toEqual([]);

  const card = await cardOf(id);
  const hold = stepOf(card, 'pop-deep.hold');
  expect(hold.evidence?.verdict).toBe(
    'Changes held: Managed Availability is recovering MSExchangePOP3BE (RestartService by PopDeepTestRestart)',
  );
  const ma = hold.evidence!.tables[1]!;
  expect(ma.title).toBe("Managed Availability's recovery actions on EX04.contoso.com, last 6 h");
  expect(column(ma, 'action')).toEqual(['RestartService', 'RestartService', 'RestartService']);
  expect(column(ma, 'state')).toEqual(['Started', 'Finished', 'Started']);
  expect(ma.rows[0]!.tone).toBe('warning');
  expect(card.notes[0]).toMatch(/^The alert stays open and is not dropped/);
  // Still held on the next look: no change was asked for while MA recovers.
  const again = await until(
    id,
    'a second try',
    (r) => (r.steps['pop-deep.hold']?.results.length ?? 0) >= 2,
  );
  expect(awaiting(again)).toEqual([]);
  expect(again.steps['pop-deep.1']?.state ?? 'pending').toBe('pending');
  // Closed: its run stops asking every second, which would only slow the next scenarios' cards.
  await sendAlert('ma-recovery-in-progress', '--resolve');
}, 120_000);

test('server-in-maintenance: the alert is annotated and held; when maintenance ends the runbook goes on', async () => {
  const id = await sendAlert('server-in-maintenance');
  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  const held = await until(id, 'the hold', (r) => notMet(r, 'pop-deep.hold'));
  expect(awaiting(held)).toEqual([]);
  const incident = await demo.server.incidents.get(id);
  expect(incident?.status).toBe('open');

  const card = await cardOf(id);
  expect(card.notes[0]).toBe(
    'The alert stays open and is not dropped; its changes wait while this holds: EX03.contoso.com is in maintenance (ServerWideOffline Inactive).',
  );
  expect(stepOf(card, 'pop-deep.hold').evidence?.verdict).toBe(
    'Changes held: EX03.contoso.com is in maintenance (ServerWideOffline Inactive)',
  );
  const zh = await cardOf(id, 'zh-TW');
  expect(zh.notes[0]).toMatch(/^此警示保持開啟，不會被捨棄/);

  // Maintenance ends (Set-ServerComponentState ServerWideOffline Active): the hold lifts.
  await updateState(demo.stateFile, (s) => {
    const ex03 = s.servers.find((x) => x.name === 'EX03')!;
    ex03.components = { ...ex03.components, ServerWideOffline: 'Active' };
  });
  await approveNext(id, 'pop-deep.1');
  const run = await until(id, 'recovered', (r) => r.status === 'recovered');
  expect(run.steps['pop-deep.hold']?.state).toBe('succeeded');
  expect((await cardOf(id)).notes.join(' ')).not.toMatch(/not dropped/);
}, 120_000);

test('fail-back-to-preferred: fail over, restart, allow activation, and every database is back on EX01', async () => {
  const id = await sendAlert('fail-back-to-preferred');
  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  await approveNext(id, 'pop-deep.1');
  await approveNext(id, 'pop-deep.3');
  const moved = await readOrg(demo.stateFile);
  expect(moved.databases.filter((d) => d.active === 'EX01')).toEqual([]);
  await approveNext(id, 'pop-deep.5');
  await approveNext(id, 'pop-deep.7');
  // Still elsewhere after the seed's fail-back: it only allows activation again.
  expect((await readOrg(demo.stateFile)).databases.filter((d) => d.active === 'EX01')).toEqual([]);
  await approveNext(id, 'pop-deep.failback');
  const run = await until(id, 'recovered', (r) => r.status === 'recovered');
  expect(run.steps['pop-deep.failback-check']?.state).toBe('succeeded');
  expect(run.steps['pop-deep.failback-check']?.results.at(-1)?.summary).toBe(
    '4 active database copies: DB01, DB02, DB03, DB04',
  );
  const org = await readOrg(demo.stateFile);
  expect(org.databases.map((d) => [d.name, d.active, d.mounted])).toEqual([
    ['DB01', 'EX01', true],
    ['DB02', 'EX01', true],
    ['DB03', 'EX01', true],
    ['DB04', 'EX01', true],
  ]);
  expect(org.servers.find((s) => s.name === 'EX01')?.activationDisabled).toBe(false);
}, 180_000);

interface ConsoleMessage {
  card?: Card;
  thread: Array<{ reply: { text: string } }>;
}

/** The incident's card in the console's alerts room, with its thread. */
async function consoleCard(incidentId: string): Promise<ConsoleMessage | undefined> {
  const res = await fetch(`${demo.url}/console/api/messages?room=alerts&user=alice`);
  const { messages } = (await res.json()) as { messages: ConsoleMessage[] };
  return messages.find((m) =>
    m.card?.facts.some((f) => f.key === 'incident' && f.value === incidentId),
  );
}

test('the worker refuses a failover whose pre-check is worse than the approved one; the reason reaches the thread', async () => {
  const id = await sendAlert('pop-needs-reboot');
  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  await approveNext(id, 'pop-deep.1');
  const waiting = await until(id, 'the failover to wait for approval', (r) =>
    awaiting(r).includes('pop-deep.3'),
  );
  // The approver sees three healthy copies of DB02 (EX02's active database) to fail over to.
  const seen = waiting.steps['pop-deep.precheck']?.results.at(-1)?.parsed as {
    failover: { databases: { database: string; healthyTargets: number }[] };
  };
  expect(seen.failover.databases).toEqual([
    expect.objectContaining({ database: 'DB02', healthyTargets: 3 }),
  ]);
  const asked = await demo.server.remediation.requestStep({
    incidentId: id,
    sectionId: waiting.sectionId,
    stepId: 'pop-deep.3',
    actor: alice,
    confirmed: true,
  });
  if (!asked.ok) throw new Error(asked.reason);
  expect(asked.request.params.precheck).toMatchObject({ healthyTargets: { DB02: 3 } });
  // Before it runs, one of those copies falls behind (its copy queue grows past the limit).
  await updateState(demo.stateFile, (s) => {
    const db02 = s.databases.find((d) => d.name === 'DB02')!;
    db02.copies.find((c) => c.server === 'EX03')!.copyQueueLength = 250;
  });
  const approved = await demo.server.approvals.flow.approve({
    actor: bob,
    requestId: asked.request.id,
  });
  if (!approved.ok) throw new Error(approved.reason);

  const refused = await until(id, 'the refusal', (r) =>
    (r.steps['pop-deep.3']?.results ?? []).some((x) => x.status === 'refused'),
  );
  const result = refused.steps['pop-deep.3']!.results.at(-1)!;
  expect(result.reason).toBe(
    'the failover pre-check is worse than when it was approved: DB02 2 healthy target(s), approved with 3; nothing was moved: escalate',
  );
  // Nothing moved: DB02 is still active on EX02, whose activation is not blocked.
  const org = await readOrg(demo.stateFile);
  expect(org.databases.find((d) => d.name === 'DB02')?.active).toBe('EX02');
  expect(org.servers.find((s) => s.name === 'EX02')?.activationDisabled).toBe(false);
  // The reason is in the card's thread, where the people who approved it look.
  const end = Date.now() + 60_000;
  let thread: string[] = [];
  while (Date.now() < end) {
    thread = ((await consoleCard(id))?.thread ?? []).map((m) => m.reply.text);
    if (thread.some((t) => t.includes('worse than when it was approved'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(thread.find((t) => t.includes('refused by the worker'))).toContain(
    'DB02 2 healthy target(s), approved with 3; nothing was moved: escalate',
  );
}, 120_000);

test('the IMAP runbook has the same safety steps: pre-check, guard and fail-back on ImapDeepTestMonitor', async () => {
  // An IMAP back end that only a server restart fixes, on EX03 (every database's copy there
  // gets activation preference 1 first, so the fail-back has somewhere to bring them).
  await updateState(demo.stateFile, (s) => {
    for (const db of s.databases) {
      const here = db.copies.find((c) => c.server === 'EX03')!;
      const first = db.copies.find((c) => c.activationPreference === 1)!;
      first.activationPreference = here.activationPreference;
      here.activationPreference = 1;
    }
    s.faults.push({
      id: 'imap-needs-reboot',
      server: 'EX03',
      healthSet: 'IMAP.Protocol',
      monitor: 'ImapDeepTestMonitor',
      error: 'ImapDeepTestProbe: the mailbox store did not respond.',
      since: new Date().toISOString(),
      clears: { by: 'server-restart' },
    });
  });
  // The POP demo alert's shape, about IMAP.Protocol (no demo mark: the fault is set above).
  const pop = buildScenarioAlert('pop-needs-reboot', { server: 'EX03' });
  const swap = (v: unknown) =>
    typeof v === 'string'
      ? v
          .replaceAll('POP.Protocol', 'IMAP.Protocol')
          .replaceAll('PopDeepTestMonitor', 'ImapDeepTestMonitor')
          .replaceAll('MSExchangePOP3BE', 'MSExchangeIMAP4BE')
          .replaceAll('Pop3', 'Imap4')
      : v;
  const alert = Object.fromEntries(Object.entries(pop).map(([k, v]) => [k, swap(v)]));
  alert.Id = alertIdFor('imap-needs-reboot', 'EX03.contoso.com');
  alert.CustomField2 = null;
  const res = await fetch(`${demo.url}/api/alerts/scom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.token}` },
    body: JSON.stringify(alert),
  });
  expect(res.status).toBe(202);
  const open = await demo.server.incidents.listOpen();
  const id = open.find((i) => i.healthSet === 'IMAP.Protocol')?.id;
  if (!id) throw new Error('no IMAP incident');

  expect((await until(id, 'verdict', (r) => r.verdict !== 'pending')).verdict).toBe('confirmed');
  const started = await until(
    id,
    'the hold',
    (r) => r.steps['imap-deep.hold']?.state === 'succeeded',
  );
  expect(started.sectionId).toBe('imap-deep');
  await approveNext(id, 'imap-deep.1');
  const failover = await approveNext(id, 'imap-deep.3');
  expect(failover.steps['imap-deep.precheck']?.state).toBe('succeeded');
  expect(failover.steps['imap-deep.3']?.results.at(-1)?.params.precheck).toMatchObject({
    healthyTargets: { DB03: 3 },
  });
  const restarted = await approveNext(id, 'imap-deep.4');
  expect(restarted.steps['imap-deep.guard']?.state).toBe('succeeded');
  await approveNext(id, 'imap-deep.6');
  await approveNext(id, 'imap-deep.failback');
  const run = await until(id, 'recovered', (r) => r.status === 'recovered');
  expect(run.steps['imap-deep.failback-check']?.state).toBe('succeeded');
  const org = await readOrg(demo.stateFile);
  expect(org.databases.map((d) => d.active)).toEqual(['EX03', 'EX03', 'EX03', 'EX03']);
  expect(org.servers.find((s) => s.name === 'EX03')?.activationDisabled).toBe(false);
}, 180_000);
